/**
 * What logger.health() reports: whether the sink is alive, how each destination fares, and
 * how long the oldest record not yet delivered has waited. Read from shared memory (the
 * stats block the sink writes, src/protocol/stats.ts) and the channel's own marks
 * (pending-age.ts): no message to the sink, so it answers even when the sink is stuck.
 */
import type { DestinationHealthFields, DestinationState } from '../protocol/stats.js';

export type { DestinationState };

/** A sink whose last round is older than this is not alive: it writes its heartbeat every
 * 500 ms while idle (workers/sink/sink.ts), so this is four missed beats. */
export const SINK_STALE_MS = 2000;

export interface SinkHealth {
  /** The sink worker runs, is not replaced by the stderr fallback, and went round within
   * SINK_STALE_MS. False while it starts (until it took this logger's ring), while it is
   * being restarted, when it is stuck in a destination, and in fallback. */
  alive: boolean;
  /** True once the sink failed too often and records go to stderr from the app thread. */
  fallback: boolean;
  /** Milliseconds since the sink last went round for this logger's ring; null before it
   * ever did. */
  lastRoundAgeMs: number | null;
  /** Times the sink worker was restarted after it stopped. */
  restarts: number;
}

export interface DestinationHealth extends DestinationHealthFields {
  /** As in metrics().destinations. */
  name: string;
  /** Records it holds now, not yet written (its `buffered` counter). */
  buffered: number;
}

export interface LoggerHealth {
  /** sink.alive, and no destination `failing` or `closed`. A destination that is
   * `retrying` holds its records and loses none yet: still ok. */
  ok: boolean;
  sink: SinkHealth;
  /** Milliseconds the oldest record published into the ring and not yet handed to its
   * destinations has waited; 0 when none waits. Grows while the sink is stuck or paused.
   * Records a destination holds after the sink handed them over are its `buffered`. */
  oldestPendingMs: number;
  /** One entry per destination, in the order given (as metrics().destinations). */
  destinations: DestinationHealth[];
}

/** The health of a logger with no sink (capture mode): everything is written at once. */
export const CAPTURE_SINK_HEALTH: SinkHealth = {
  alive: true,
  fallback: false,
  lastRoundAgeMs: null,
  restarts: 0,
};

export function assembleHealth(
  sink: SinkHealth,
  destinations: DestinationHealth[],
  oldestPendingMs: number,
): LoggerHealth {
  const ok = sink.alive && destinations.every((d) => d.state === 'ok' || d.state === 'retrying');
  return { ok, sink, oldestPendingMs, destinations };
}
