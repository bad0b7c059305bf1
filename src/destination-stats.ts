/**
 * Per-destination counters shared by the sink (writer) and metrics() (reader), one
 * SharedArrayBuffer per attached ring, sent in the attach message:
 *
 *   Float64Array  [ written, dropped, errors, buffered ]  × one slot per destination, in the
 *                 order of the ring's destinations
 *
 * Only the sink writes, after each round and each flush; the app reads whenever metrics() is
 * called. Float64 rather than Int32: counters pass 2^31 on a long-running service. Plain
 * (non-Atomics) 8-byte aligned stores and loads are single instructions on x64 and arm64, and
 * a reading one round old is fine for diagnostics. A restarted sink continues from the values
 * it finds, so the counters survive a sink restart.
 */

export const STAT_WRITTEN = 0;
export const STAT_DROPPED = 1;
export const STAT_ERRORS = 2;
export const STAT_BUFFERED = 3;
export const STAT_FIELDS = 4;

/** One destination's counters as metrics() reports them. */
export interface DestinationMetrics {
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

export function createStatsBuffer(destinations: number): SharedArrayBuffer {
  return new SharedArrayBuffer(destinations * STAT_FIELDS * Float64Array.BYTES_PER_ELEMENT);
}

export function readDestinationStats(
  stats: SharedArrayBuffer,
  names: readonly string[],
): DestinationMetrics[] {
  const f = new Float64Array(stats);
  return names.map((name, i) => {
    const o = i * STAT_FIELDS;
    return {
      name,
      written: f[o + STAT_WRITTEN]!,
      dropped: f[o + STAT_DROPPED]!,
      errors: f[o + STAT_ERRORS]!,
      buffered: f[o + STAT_BUFFERED]!,
    };
  });
}
