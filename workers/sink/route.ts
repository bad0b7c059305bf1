/**
 * One destination of one ring, as the sink drives it: the chunks gathered for it this round,
 * and the guard that keeps its failures its own. A write, flush or close that throws is
 * caught, counted (the records of that write as dropped for this destination), reported on
 * stderr at a bounded rate, and the sink goes on with the others. Flushes and closes are
 * bounded in time. Counters go to the ring's shared stats block (src/protocol/stats.ts).
 */

import { ErrorCodes, errorCodeIndex, errorMessage } from '../../src/protocol/errors.js';
import {
  DESTINATION_STATES,
  STAT_BUFFERED,
  STAT_DROPPED,
  STAT_ERRORS,
  STAT_EXTRA,
  STAT_FIELDS,
  STAT_LAST_ERROR,
  STAT_LAST_ERROR_AT,
  STAT_STATE,
  STAT_WRITTEN,
} from '../../src/protocol/stats.js';
import { lastErrorOf, reportDestinationError } from '../destinations/report.js';
import type { Destination } from '../destinations/types.js';

export class Route {
  readonly dest: Destination;
  /** Chunks gathered for this destination in the current round, and their records. */
  readonly chunks: Buffer[] = [];
  records = 0;
  /** The level bytes of `chunks`, for a destination that wants them (wantsLevels). */
  readonly levels: Uint8Array[] | undefined;
  private readonly stats: Float64Array;
  private readonly at: number;
  private readonly counts: boolean;
  /** The counters of the destination's kind beyond the four (its spec's extraStats). */
  private readonly extraStats: readonly string[];
  // What an earlier sink left in the stats block: counters continue across a restart.
  private readonly base: [number, number, number];
  private written = 0;
  private dropped = 0;
  private errors = 0;
  private ended = false;
  /** The last write threw, and none has succeeded since. */
  private threw = false;

  constructor(
    dest: Destination,
    stats: Float64Array,
    slot: number,
    extraStats: readonly string[] = [],
  ) {
    this.dest = dest;
    this.levels = dest.wantsLevels === true ? [] : undefined;
    this.extraStats = extraStats;
    this.stats = stats;
    this.at = slot * STAT_FIELDS;
    this.counts = typeof dest.stats === 'function';
    this.base = [
      stats[this.at + STAT_WRITTEN] ?? 0,
      stats[this.at + STAT_DROPPED] ?? 0,
      stats[this.at + STAT_ERRORS] ?? 0,
    ];
  }

  /** Hands `chunk` (`records` lines) to the destination; never throws. */
  deliver(chunk: Buffer, records: number, levels?: Uint8Array): void {
    try {
      this.dest.write(chunk, records, levels);
      if (!this.counts) this.written += records;
      this.threw = false;
    } catch (err) {
      this.dropped += records;
      this.threw = true;
      this.fail('write', err, `${records} records dropped for it`);
    }
  }

  /** Flushes the destination, giving up after `boundMs`; never rejects. */
  flush(boundMs: number): Promise<void> {
    return this.settle('flush', () => this.dest.flush(boundMs), boundMs);
  }

  close(boundMs: number): Promise<void> {
    return this.settle('close', () => this.dest.close(boundMs), boundMs);
  }

  /** At the end of the process: Destination.end(), once, bounded. */
  end(boundMs: number): Promise<void> {
    const end = this.dest.end;
    if (end === undefined || this.ended) return Promise.resolve();
    this.ended = true;
    return this.settle('end', () => end.call(this.dest), boundMs);
  }

  /** Writes this destination's counters and health into the shared stats block. */
  publish(): void {
    const f = this.stats;
    const o = this.at;
    this.publishHealth(f, o);
    const [w, d, e] = this.base;
    if (this.counts) {
      let s: ReturnType<NonNullable<Destination['stats']>>;
      try {
        s = this.dest.stats!();
      } catch {
        return;
      }
      f[o + STAT_WRITTEN] = w + s.written;
      f[o + STAT_DROPPED] = d + s.dropped + this.dropped;
      f[o + STAT_ERRORS] = e + s.errors + this.errors;
      f[o + STAT_BUFFERED] = s.buffered;
      const extra = s as unknown as Record<string, unknown>;
      for (let k = 0; k < this.extraStats.length; k++) {
        const v = extra[this.extraStats[k]!];
        f[o + STAT_EXTRA + k] = typeof v === 'number' ? v : Number.NaN;
      }
    } else {
      f[o + STAT_WRITTEN] = w + this.written;
      f[o + STAT_DROPPED] = d + this.dropped;
      f[o + STAT_ERRORS] = e + this.errors;
    }
  }

  private publishHealth(f: Float64Array, o: number): void {
    let state = 'ok';
    try {
      state = this.dest.state?.() ?? 'ok';
    } catch {
      state = 'failing';
    }
    if (this.threw && state === 'ok') state = 'failing';
    f[o + STAT_STATE] = Math.max(0, DESTINATION_STATES.indexOf(state as 'ok'));
    const last = lastErrorOf(this.dest.name);
    // A restarted sink keeps what the one before it found, until something new happens.
    if (last !== undefined && last.at >= f[o + STAT_LAST_ERROR_AT]!) {
      f[o + STAT_LAST_ERROR] = errorCodeIndex(last.code) * 256 + errorCodeIndex(last.errno);
      f[o + STAT_LAST_ERROR_AT] = last.at;
    }
  }

  private async settle(
    what: 'flush' | 'close' | 'end',
    run: () => void | Promise<void>,
    boundMs: number,
  ): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const p = run();
      if (p === undefined || typeof (p as Promise<void>).then !== 'function') return;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), boundMs);
      });
      if ((await Promise.race([p, late])) === 'late') {
        this.errors++;
        reportDestinationError(
          this.dest.name,
          ErrorCodes.DESTINATION_TIMEOUT,
          `${what} did not finish within ${boundMs} ms; going on without it`,
        );
        // It may still settle later; a rejection then must not become unhandled.
        (p as Promise<void>).catch(() => {});
      }
    } catch (err) {
      this.fail(what, err, '');
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      this.publish();
    }
  }

  private fail(what: string, err: unknown, consequence: string): void {
    this.errors++;
    const reason = errorMessage(err).split('\n', 1)[0];
    reportDestinationError(
      this.dest.name,
      ErrorCodes.DESTINATION_FAILED,
      `${what} failed: ${reason}${consequence === '' ? '' : `; ${consequence}`}`,
    );
  }
}
