import type { DestinationState } from '../../src/protocol/stats.js';

/** What the sink asks of a destination. Writes are synchronous: the sink releases ring space
 * only after they return, so a crash loses nothing (see src/protocol/ring.ts). A write, flush or close
 * that throws is caught by the sink (workers/sink/route.ts): counted, reported, and the other
 * destinations go on. */
export interface Destination {
  /** For diagnostics: "stderr", "file:/var/log/app.log", "module:./my-dest.js". */
  readonly name: string;
  /** Records below this level are not written here. */
  readonly minLevel: number;
  /**
   * Writes whole NDJSON lines before returning. The buffer is only lent: it may be a view of
   * the ring or a reused scratch buffer, so copy whatever must outlive the call. A destination
   * that sends asynchronously copies into a bounded buffer of its own here (see
   * destinations/stream-feeder.ts). `records` is the number of lines in `chunk`.
   */
  write(chunk: Buffer, records: number, levels?: Uint8Array): void;
  /** When true, write() is also given `levels`: the level byte the ring carried for each
   * line of `chunk`, in order (lent like the chunk). For encodings that need a record's
   * level without trusting its `level` field (OTLP severity, Loki's label). */
  readonly wantsLevels?: boolean;
  /** Pushes out anything buffered; called when a flush is requested. Resolves once what it
   * was given has reached the OS or the peer, or has been given up on (bounded in time).
   * `boundMs` is how long the sink will wait for it: a destination with a fallback for what
   * it could not send (a spool) must have used it within that time. */
  flush(boundMs?: number): void | Promise<void>;
  close(boundMs?: number): void | Promise<void>;
  /** Closes and opens again at the same path (external rotation); false if that failed,
   * reported and counted, and the old file is still written. Only destinations with a path. */
  reopen?(): boolean;
  /**
   * Optional, for destinations that finish work after write() returns (streams, sockets):
   * called once, after the flush that precedes the end of the process, since the thread
   * will not run afterwards. Ends what must be ended so that everything reaches its target.
   * Records written after it may be dropped (counted).
   */
  end?(): void | Promise<void>;
  /** Optional: true while the sink should take no more records from this destination's
   * ring (a slow reader, within a bound: see stream/fd-writer.ts). The sink then serves the
   * other rings, and the ring's producer applies its onFull policy. */
  paused?(): boolean;
  /** Optional: how it fares now (ok, retrying, failing, closed: src/protocol/stats.ts), read
   * by the sink after each round and every 500 ms for health(). Without it the sink says
   * `ok`, or `failing` after a write that threw until one succeeds. */
  state?(): DestinationState;
  /** Counters of this destination, read for `metrics().destinations`. Without it the sink
   * counts a write that returned as written. */
  stats?(): DestinationStats;
}

export type { DestinationState };

/** Per-destination counters, in records. */
export interface DestinationStats {
  /** Records handed to the OS or accepted by the peer. */
  written: number;
  /** Records given up on (buffer bound reached, peer rejected them, …). */
  dropped: number;
  /** Failures seen (write errors, lost connections, …); not records. */
  errors: number;
  /** Records held in the destination's own buffer right now. */
  buffered: number;
}
