/**
 * Feeds NDJSON text to an asynchronous writable (a Node stream, a sonic-boom in async mode)
 * without ever blocking the sink: what the stream refuses (write() returned false) waits in a
 * buffer of our own, bounded by `maxBufferBytes`; beyond it, records for this destination
 * alone are dropped, counted, and reported (RINGLOG_DESTINATION_BACKLOG). The ring keeps
 * draining for the other destinations. Backpressure is read as thread-stream's worker reads
 * it: the return value of write() and the 'drain' event.
 */
import { ErrorCodes, errorMessage } from '../../../src/protocol/errors.js';
import { reportDestinationError } from '../report.js';
import type { DestinationState, DestinationStats } from '../types.js';

/** The part of a Writable (or a sonic-boom) that we use. */
export interface WritableLike {
  write(chunk: string): boolean;
  end(): unknown;
  once(event: string, fn: (...args: unknown[]) => void): unknown;
  on(event: string, fn: (...args: unknown[]) => void): unknown;
  flush?: (cb?: (err?: Error | null) => void) => unknown;
  flushSync?: () => void;
  writableNeedDrain?: boolean;
  closed?: boolean;
  destroyed?: boolean;
}

export class StreamFeeder {
  private readonly queue: Array<{ text: string; records: number; bytes: number }> = [];
  private queuedBytes = 0;
  private queuedRecords = 0;
  private waitingDrain = false;
  private broken = false;
  private closed = false;
  /** Records were dropped for a full buffer since the stream last asked us to wait. */
  private full = false;
  private readonly idle: Array<() => void> = [];
  private written = 0;
  private dropped = 0;
  private errors = 0;

  constructor(
    private readonly stream: WritableLike,
    private readonly name: string,
    private readonly maxBufferBytes: number,
  ) {
    stream.on('error', (err) => {
      this.errors++;
      this.broken = true;
      this.dropQueue();
      reportDestinationError(
        name,
        ErrorCodes.DESTINATION_FAILED,
        `stream error: ${errorMessage(err)}; records for it are dropped from now on`,
      );
    });
    stream.on('close', () => {
      this.closed = true;
      if (!this.broken && this.queue.length > 0) this.dropQueue();
      this.wakeIdle();
    });
  }

  /** Takes `records` lines of `chunk` (lent: copied into a string here). */
  write(chunk: Buffer, records: number): void {
    if (this.broken || this.closed) {
      this.dropped += records;
      return;
    }
    if (this.waitingDrain) {
      if (this.queuedBytes + chunk.length > this.maxBufferBytes) {
        this.dropped += records;
        this.full = true;
        reportDestinationError(
          this.name,
          ErrorCodes.DESTINATION_BACKLOG,
          `its buffer of ${this.maxBufferBytes} bytes is full (the destination is slower than the logs); records for it are dropped`,
        );
        return;
      }
      this.queue.push({ text: chunk.toString('utf8'), records, bytes: chunk.length });
      this.queuedBytes += chunk.length;
      this.queuedRecords += records;
      return;
    }
    this.send(chunk.toString('utf8'), records);
  }

  /** Resolves once our buffer is empty and the stream has flushed what it can. */
  async flush(): Promise<void> {
    if (this.queue.length > 0 || this.waitingDrain) {
      await new Promise<void>((resolve) => this.idle.push(resolve));
    }
    if (this.broken || this.closed) return;
    await flushStream(this.stream);
  }

  /** Ends the stream once our buffer is out, and resolves when it has closed. */
  async close(): Promise<void> {
    await this.flush();
    if (this.closed || this.broken || this.stream.destroyed === true) return;
    const closed = new Promise<void>((resolve) => this.stream.once('close', () => resolve()));
    this.stream.end();
    await closed;
  }

  /** closed once its stream closed; failing after a stream error or while its buffer is
   * full; retrying while the stream asks us to wait (backpressure). */
  state(): DestinationState {
    if (this.closed) return 'closed';
    if (this.broken || this.full) return 'failing';
    return this.waitingDrain ? 'retrying' : 'ok';
  }

  stats(): DestinationStats {
    return {
      written: this.written,
      dropped: this.dropped,
      errors: this.errors,
      buffered: this.queuedRecords,
    };
  }

  private send(text: string, records: number): void {
    let accepted: boolean;
    try {
      accepted = this.stream.write(text);
    } catch (err) {
      this.errors++;
      this.dropped += records;
      reportDestinationError(
        this.name,
        ErrorCodes.DESTINATION_FAILED,
        `write failed: ${errorMessage(err)}; ${records} records dropped for it`,
      );
      return;
    }
    this.written += records;
    if (!accepted) {
      this.waitingDrain = true;
      this.stream.once('drain', () => this.onDrain());
    }
  }

  private onDrain(): void {
    this.waitingDrain = false;
    this.full = false;
    while (this.queue.length > 0 && !this.waitingDrain && !this.broken && !this.closed) {
      const next = this.queue.shift()!;
      this.queuedBytes -= next.bytes;
      this.queuedRecords -= next.records;
      this.send(next.text, next.records);
    }
    if (this.queue.length === 0 && !this.waitingDrain) this.wakeIdle();
  }

  private dropQueue(): void {
    this.dropped += this.queuedRecords;
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.queuedRecords = 0;
    this.waitingDrain = false;
    this.wakeIdle();
  }

  private wakeIdle(): void {
    for (const resolve of this.idle.splice(0)) resolve();
  }
}

/** A stream's own flush, as thread-stream's worker calls it: flush(cb) or flush(),
 * flushSync(), or waiting for 'drain'. */
function flushStream(s: WritableLike): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (err?: Error | null) => (err ? reject(err) : resolve());
    if (typeof s.flush === 'function') {
      if (s.flush.length === 0) {
        Promise.resolve(s.flush()).then(() => resolve(), reject);
      } else s.flush(done);
    } else if (typeof s.flushSync === 'function') {
      s.flushSync();
      resolve();
    } else if (s.writableNeedDrain === true) s.once('drain', () => resolve());
    else resolve();
  });
}
