/**
 * What a root logger needs from the two things behind it: the channel its lines go into and
 * the sink that writes them. Channel (channel.ts) and SinkHost (host/sink-host.ts) provide
 * them for a logger with a ring and a sink worker; capture mode's in-memory stand-ins
 * (capture.ts) implement the same interfaces, so a capturing logger runs the same methods
 * with no ring and no worker, and the compiler checks both sides.
 */
import type { DestinationMetrics } from '../protocol/stats.js';
import type { DropCounts } from './channel.js';
import type { DestinationHealth, SinkHealth } from './health.js';

/** The ring's figures that metrics() reports. */
export interface RingFigures {
  readonly capacity: number;
  readonly highWaterBytes: number;
  usedBytes(): number;
  recordsWritten(): number;
  /** Records of fragment runs the sink skipped (cut by a restart), counted as dropped. */
  recordsDiscarded(): number;
}

/** Where a root logger and its children append their lines. */
export interface LoggerChannel {
  readonly ring: RingFigures;
  readonly dropped: DropCounts;
  readonly batchesPublished: number;
  /** Records handed to append(), written or dropped. */
  readonly enqueued: number;
  /** Set by close(): later records are counted as dropped. */
  closed: boolean;
  append(line: string, level: number): void;
  /** Hands the current batch on now rather than at the end of the tick. */
  publish(): void;
  /** How long the oldest record published and not yet released has waited (ms). */
  oldestPendingMs(now: number): number;
}

/** What a root logger asks of whoever writes its lines. */
export interface LoggerSink {
  readonly restarts: number;
  readonly fallback: boolean;
  /** Resolves false when the flush did not finish within timeoutMs. */
  flush(timeoutMs: number): Promise<boolean>;
  flushSync(timeoutMs: number): boolean;
  detach(id: number, timeoutMs: number): Promise<void>;
  /** Resolves with the names of the destinations that could not be reopened. */
  reopen(ids: number[], timeoutMs: number): Promise<string[]>;
  destinationMetrics(id: number): DestinationMetrics[];
  /** The sink's liveness and each of `id`'s destinations' state, from shared memory. */
  health(id: number, now: number): { sink: SinkHealth; destinations: DestinationHealth[] };
}
