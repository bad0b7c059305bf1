/**
 * Per-destination counters shared by the sink (writer) and metrics() (reader), one
 * SharedArrayBuffer per attached ring, sent in the attach message:
 *
 *   Float64Array  [ written, dropped, errors, buffered, state, lastError, lastErrorAt,
 *                   extra × MAX_EXTRA_STATS ]  × one slot per destination, in the order of
 *                 the ring's destinations. `state` is a DESTINATION_STATES index (what the
 *                 destination's state() says); `lastError` packs two ERROR_TABLE indices
 *                 (errors.ts), the ringlog code × 256 + the errno under it (0: none), and
 *                 `lastErrorAt` is its time (ms since 1970, 0: never). The extra counters are
 *                 those its kind declares (DestinationKind.extraStats, carried in its spec as
 *                 `extraStats`), in that order; NaN in the unused ones
 *   Float64       SINK_ROUND (after the slots): when the sink last went round (ms since 1970,
 *                 0 before it attached the ring): after each round that took records, and
 *                 every 500 ms while it idles. A sink stuck in a destination stops moving it.
 *   Int32         EXITING (after SINK_ROUND, 8 bytes reserved): 0, or 1 once the process is
 *                 ending. Set by the app (Atomics.store) before it requests the exit flush;
 *                 the sink, serving that flush, then ends its asynchronous destinations
 *                 (Destination.end) and waits for them, because the thread will not run again.
 *
 * Only the sink writes, after each round and each flush; the app reads whenever metrics() is
 * called. Float64 rather than Int32: counters pass 2^31 on a long-running service. Plain
 * (non-Atomics) 8-byte aligned stores and loads are single instructions on x64 and arm64, and
 * a reading one round old is fine for diagnostics. A restarted sink continues from the values
 * it finds, so the counters survive a sink restart.
 */

import type { ExtraStat } from '../../workers/destinations/kinds.js';

export type { ExtraStat };

export const STAT_WRITTEN = 0;
export const STAT_DROPPED = 1;
export const STAT_ERRORS = 2;
export const STAT_BUFFERED = 3;
export const STAT_STATE = 4;
export const STAT_LAST_ERROR = 5;
export const STAT_LAST_ERROR_AT = 6;
/** Room for the counters a kind keeps beyond the four (HTTP has six). */
export const MAX_EXTRA_STATS = 8;
export const STAT_EXTRA = 7;
export const STAT_FIELDS = STAT_EXTRA + MAX_EXTRA_STATS;

/** One destination's counters as metrics() reports them: the four every destination has,
 * and those of its kind (`ExtraStat`, from workers/destinations/<kind>/options.ts). */
export type DestinationMetrics = BaseDestinationMetrics & Partial<Record<ExtraStat, number>>;

export interface BaseDestinationMetrics {
  /** "stderr", "file:/var/log/app.log", "pretty:stdout", "pino-transport:pino-pretty", … */
  name: string;
  /** Records handed to the OS, or accepted by the transport or peer. */
  written: number;
  /** Records given up on for this destination alone (write threw, buffer full, …). */
  dropped: number;
  /** Failures seen (write errors, stream errors, timed-out flushes); not records. */
  errors: number;
  /** Records held in the destination's own buffer right now. */
  buffered: number;
}

/**
 * What a destination says of itself (Destination.state(), read after each round):
 * - `ok`: writing, nothing held back by a fault;
 * - `retrying`: a fault it expects to pass (a full disk, a slow reader, a backend or syslog
 *   server that does not answer): records are held and retried;
 * - `failing`: records are being given up (an HTTP breaker open, a syslog queue full, a
 *   destination that could not be created, a write that threw);
 * - `closed`: it writes nothing any more (its reader is gone, or it was closed).
 */
export const DESTINATION_STATES = ['ok', 'retrying', 'failing', 'closed'] as const;
export type DestinationState = (typeof DESTINATION_STATES)[number];

const SLOT_BYTES = STAT_FIELDS * Float64Array.BYTES_PER_ELEMENT;

export function createStatsBuffer(destinations: number): SharedArrayBuffer {
  const sab = new SharedArrayBuffer(destinations * SLOT_BYTES + 16);
  const f = new Float64Array(sab, 0, destinations * STAT_FIELDS);
  for (let i = 0; i < destinations; i++)
    f.fill(Number.NaN, i * STAT_FIELDS + STAT_EXTRA, (i + 1) * STAT_FIELDS);
  return sab;
}

function exitingWord(stats: SharedArrayBuffer): Int32Array {
  return new Int32Array(stats, stats.byteLength - 8, 1);
}

function sinkRoundWord(stats: SharedArrayBuffer): Float64Array {
  return new Float64Array(stats, stats.byteLength - 16, 1);
}

/** Sink side: it went round now. */
export function markSinkRound(stats: SharedArrayBuffer, now: number): void {
  sinkRoundWord(stats)[0] = now;
}

/** App side: when the sink last went round for this ring (ms since 1970), 0 if never. */
export function lastSinkRound(stats: SharedArrayBuffer): number {
  return sinkRoundWord(stats)[0]!;
}

/** App side: the process is ending; the next flush is the last one. */
export function markExiting(stats: SharedArrayBuffer): void {
  Atomics.store(exitingWord(stats), 0, 1);
}

/** Sink side: whether the app announced the end of the process. */
export function isExiting(stats: SharedArrayBuffer): boolean {
  return Atomics.load(exitingWord(stats), 0) === 1;
}

/** The counters of each destination; `extraStats` from each one's spec. */
export function readDestinationStats(
  stats: SharedArrayBuffer,
  destinations: readonly { name: string; extraStats: readonly string[] }[],
): DestinationMetrics[] {
  const f = new Float64Array(stats, 0, destinations.length * STAT_FIELDS);
  return destinations.map(({ name, extraStats }, i) => {
    const o = i * STAT_FIELDS;
    const m: DestinationMetrics = {
      name,
      written: f[o + STAT_WRITTEN]!,
      dropped: f[o + STAT_DROPPED]!,
      errors: f[o + STAT_ERRORS]!,
      buffered: f[o + STAT_BUFFERED]!,
    };
    extraStats.forEach((key, k) => {
      const v = f[o + STAT_EXTRA + k]!;
      if (!Number.isNaN(v)) m[key as ExtraStat] = v;
    });
    return m;
  });
}

/** One destination's health as the sink last wrote it. */
export interface DestinationHealthFields {
  state: DestinationState;
  /** The last failure reported for it, or null: `code` is ringlog's (RINGLOG_WRITE_FAILED,
   * …), `errno` the system's under it when there was one (ENOSPC, EPIPE, ECONNREFUSED, …),
   * `at` when (ms since 1970). */
  lastError: { code: string; errno: string | null; at: number } | null;
}

/** The state word of each destination and its last error, decoded (errors.ts' table). */
export function readDestinationHealth(
  stats: SharedArrayBuffer,
  count: number,
  decode: (index: number) => string | null,
): DestinationHealthFields[] {
  const f = new Float64Array(stats, 0, count * STAT_FIELDS);
  const out: DestinationHealthFields[] = [];
  for (let i = 0; i < count; i++) {
    const o = i * STAT_FIELDS;
    const state = DESTINATION_STATES[f[o + STAT_STATE]!] ?? 'ok';
    const packed = f[o + STAT_LAST_ERROR]!;
    const at = f[o + STAT_LAST_ERROR_AT]!;
    const code = at > 0 ? decode(Math.floor(packed / 256)) : null;
    out.push({
      state,
      lastError: code === null ? null : { code, errno: decode(packed % 256), at },
    });
  }
  return out;
}
