/**
 * Destinations that several rings name alike share one instance in the sink: a file opened
 * by loggers of eight threads is one open file, written one whole batch at a time (the sink
 * is one thread: batches never interleave, lines are never cut), rotated once and reopened
 * once. Shared: the `file` and `fd` kinds, when their specs are identical (same path or fd,
 * same level, same rotation): a spec that differs opens its own. Each ring gets a view that
 * counts its own records; the instance is closed when the last view is.
 *
 * Counters of a shared instance: a view counts what changed in the instance's counters
 * during its own write() and flush() calls; what changes between calls (a file that held
 * records while its disk was full, writing them later on a timer) is counted to the view
 * that wrote last.
 */
import type { DestinationSpec } from '../../src/protocol/messages.js';
import type { Destination, DestinationStats } from '../destinations/types.js';

interface Shared {
  dest: Destination;
  views: Set<View>;
  /** The instance's counters as last measured, and the view that wrote last. */
  seen: DestinationStats;
  last: View | undefined;
  /** Reopen requests already served (one reopen per request, not one per view). */
  reopenedFor: number;
  /** Views whose end() was called: the instance ends with the last of them. */
  ended: number;
}

interface View {
  written: number;
  dropped: number;
  errors: number;
}

const shared = new Map<string, Shared>();
let reopenRequest = 0;

/** Call once per reopen request before reopening its destinations: each instance reopens once. */
export function startReopenRequest(): void {
  reopenRequest++;
}

function keyOf(spec: DestinationSpec): string | undefined {
  if (spec.kind !== 'file' && spec.kind !== 'fd') return undefined;
  return JSON.stringify(spec);
}

const zero = (): DestinationStats => ({ written: 0, dropped: 0, errors: 0, buffered: 0 });

function measure(s: Shared): DestinationStats {
  try {
    return s.dest.stats?.() ?? zero();
  } catch {
    return s.seen;
  }
}

/** Adds what the instance counted since the last measure to `view`. */
function account(s: Shared, view: View | undefined): void {
  const now = measure(s);
  if (view !== undefined) {
    view.written += now.written - s.seen.written;
    view.dropped += now.dropped - s.seen.dropped;
    view.errors += now.errors - s.seen.errors;
  }
  s.seen = now;
}

/**
 * The destination for `spec`: the shared instance when one is open for an identical spec,
 * else a new one from `create` (shared from now on when its kind allows).
 */
export async function acquireDestination(
  spec: DestinationSpec,
  create: () => Promise<Destination>,
): Promise<Destination> {
  const key = keyOf(spec);
  if (key === undefined) return create();
  let s = shared.get(key);
  if (s === undefined) {
    // Throws when it cannot be created: nothing is shared then, the next ring tries anew.
    const dest = await create();
    s = shared.get(key); // created meanwhile by another attach
    if (s === undefined) {
      s = { dest, views: new Set(), seen: zero(), last: undefined, reopenedFor: 0, ended: 0 };
      s.seen = measure(s);
      shared.set(key, s);
    } else await dest.close();
  }
  return viewOf(key, s);
}

function viewOf(key: string, s: Shared): Destination {
  const view: View = { written: 0, dropped: 0, errors: 0 };
  s.views.add(view);
  const real = s.dest;
  let closed = false;
  const d: Destination = {
    name: real.name,
    minLevel: real.minLevel,
    write(chunk, records, levels) {
      account(s, s.last);
      s.last = view;
      try {
        real.write(chunk, records, levels);
      } finally {
        account(s, view);
      }
    },
    async flush(boundMs) {
      account(s, s.last);
      try {
        await real.flush(boundMs);
      } finally {
        account(s, view);
      }
    },
    async close(boundMs) {
      if (closed) return;
      closed = true;
      account(s, s.last);
      s.views.delete(view);
      if (s.last === view) s.last = undefined;
      if (s.views.size > 0) return;
      shared.delete(key);
      await real.close(boundMs);
    },
    state: () => real.state?.() ?? 'ok',
    stats() {
      account(s, s.last);
      return {
        written: view.written,
        dropped: view.dropped,
        errors: view.errors,
        // Held records are the instance's: counted to the view that wrote last.
        buffered: s.last === view || s.views.size === 1 ? measure(s).buffered : 0,
      };
    },
  };
  if (real.wantsLevels === true) (d as { wantsLevels?: boolean }).wantsLevels = true;
  if (real.paused !== undefined) d.paused = () => real.paused!();
  if (real.reopen !== undefined)
    d.reopen = () => {
      if (s.reopenedFor === reopenRequest) return true;
      s.reopenedFor = reopenRequest;
      return real.reopen!();
    };
  // The end of the process: the instance is flushed for each view but the last, which ends it.
  if (real.end !== undefined) d.end = () => (++s.ended < s.views.size ? real.flush() : real.end!());
  return d;
}
