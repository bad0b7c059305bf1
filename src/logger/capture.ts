/**
 * An in-memory destination for tests: the logger keeps its lines on the application thread
 * (no ring, no sink worker) and offers them to assertions, parsed or raw.
 */
import { CAPTURE_SINK_HEALTH } from './health.js';
import type { LoggerChannel, LoggerSink } from './links.js';

/** What `logger.capture` offers: the records logged so far, in order. */
export interface Capture {
  /** The lines as written, without their newline. */
  readonly lines: readonly string[];
  /** Every line parsed. */
  records(): Array<Record<string, unknown>>;
  /** Records whose fields include every key/value of `match` (values compared with ===,
   * except that a `level` given as a name matches the number). */
  filter(match: Record<string, unknown>): Array<Record<string, unknown>>;
  find(match: Record<string, unknown>): Record<string, unknown> | undefined;
  clear(): void;
}

/** Stands in for the Channel of a capturing logger. */
export class CaptureChannel implements Capture, LoggerChannel {
  readonly lines: string[] = [];
  readonly dropped = { ringFull: 0, blockTimeout: 0, closed: 0 };
  batchesPublished = 0;
  closed = false;
  written = 0;
  readonly ring = {
    capacity: 0,
    highWaterBytes: 0,
    usedBytes: () => 0,
    recordsWritten: () => this.written,
    recordsDiscarded: () => 0,
  };
  private readonly levelValues: Readonly<Record<string, number>>;

  constructor(levelValues: Readonly<Record<string, number>>) {
    this.levelValues = levelValues;
  }

  get enqueued(): number {
    return this.written + this.dropped.closed;
  }

  append(line: string): void {
    if (this.closed) {
      this.dropped.closed++;
      return;
    }
    this.lines.push(line.endsWith('\n') ? line.slice(0, -1) : line);
    this.written++;
  }

  publish(): void {}

  oldestPendingMs(): number {
    return 0;
  }

  records(): Array<Record<string, unknown>> {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  filter(match: Record<string, unknown>): Array<Record<string, unknown>> {
    const want = Object.entries(match).map(([k, v]): [string, unknown] =>
      k === 'level' && typeof v === 'string' ? [k, this.levelValues[v] ?? v] : [k, v],
    );
    return this.records().filter((r) => want.every(([k, v]) => r[k] === v));
  }

  find(match: Record<string, unknown>): Record<string, unknown> | undefined {
    return this.filter(match)[0];
  }

  clear(): void {
    this.lines.length = 0;
  }
}

/** Stands in for the sink: everything is written the moment it is logged. */
export const captureSink: LoggerSink = {
  restarts: 0,
  fallback: false,
  flush: async (): Promise<boolean> => true,
  flushSync: (): boolean => true,
  detach: async (): Promise<void> => {},
  reopen: async (): Promise<string[]> => [],
  destinationMetrics: () => [],
  health: () => ({ sink: CAPTURE_SINK_HEALTH, destinations: [] }),
};
