/**
 * HTTP shipping: NDJSON, OTLP/HTTP JSON, Loki push or Elasticsearch `_bulk`. write() copies
 * the lines into batches held in memory and returns; requests go out asynchronously.
 *
 *   write() ─▶ pending ─(batchRecords | batchBytes | batchIntervalMs)─▶ queue ─▶ in flight
 *                                                   │ over maxBufferBytes,     │ retry: back to the
 *                                                   │ or breaker open          │ head of the queue
 *                                                   ▼                          ▼
 *                                         spool (disk, maxBytes) ──replay, oldest first──▶
 *
 * Every record ends in exactly one counter: written (accepted by the backend), dropped
 * (rejected, or past the memory/spool bounds), or it is still buffered/spooled.
 * Delivery is at least once: a request that timed out or lost its connection after the
 * backend took it is sent again (see docs/shipping.md).
 */

import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { destinationName } from '../../../src/protocol/destination-name.js';
import { ErrorCodes } from '../../../src/protocol/errors.js';
import { backoffMs } from '../backoff.js';
import { reportDestinationError } from '../report.js';
import type { Destination, DestinationState, DestinationStats } from '../types.js';
import { bulkOutcome, otlpRejected } from './answers.js';
import { Batcher } from './batcher.js';
import { Breaker } from './breaker.js';
import { HttpClient, type HttpResponse } from './client.js';
import { createEncoder, type Encoder } from './encoders.js';
import type { HttpDestinationSpec } from './options.js';
import { splitLines } from './records.js';
import { classifyStatus, parseRetryAfter } from './retry.js';
import { Spool } from './spool.js';

const gzip = promisify(gzipCallback);

/** Retry-After is honoured up to 5 minutes; a longer one (or a date far ahead) is taken as
 * 5 minutes, so a wrong clock or header cannot stop shipping for hours. */
const MAX_RETRY_AFTER_MS = 300_000;

/** stats() of an HTTP destination: the common counters plus shipping's own (in records). */
export interface HttpDestinationStats extends DestinationStats {
  /** Records accepted by the backend (the same number as `written`). */
  sent: number;
  /** Records sent again after a failed attempt (one record retried twice counts 2). */
  retried: number;
  /** Records the backend refused for good (also counted in `dropped`). */
  rejected: number;
  /** Records written to the spool. */
  spilled: number;
  /** Records sent from the spool. */
  replayed: number;
  /** Records in the spool right now. */
  spooled: number;
}

interface Batch {
  data: Buffer;
  /** The ring's level byte of each line (OTLP, Loki); absent for batches read from the spool. */
  levels?: Uint8Array | undefined;
  records: number;
  /** Order of cutting; pieces of a batch keep its number. Replays go lowest first. */
  seq: number;
  /** Set when the batch is a spool file: it is deleted once the batch is settled. */
  spoolName?: string;
  /** Attempts answered with a 5xx other than 502/503/504 (see retry.serverErrorAttempts). */
  serverErrors?: number;
  /** Set when a copy of this in-memory batch was written to the spool while it was in
   * flight (a flush ran out of time): the copy is deleted once the batch is settled. */
  shadow?: string | undefined;
}

export function createHttpDestination(spec: HttpDestinationSpec): Destination {
  return new HttpDestination(spec);
}

export class HttpDestination implements Destination {
  readonly name: string;
  readonly minLevel: number;
  readonly wantsLevels: boolean;
  private readonly encoder: Encoder;
  private readonly client: HttpClient;
  private readonly breaker: Breaker;
  private readonly spool: Spool | undefined;

  private readonly batcher: Batcher;
  private readonly queue: Batch[] = [];
  /** Bytes of queued and in-flight batches (spool replays excluded); the batcher's apart. */
  private memoryBytes = 0;
  private memoryRecords = 0;
  private inFlight = 0;
  private readonly sending = new Set<Batch>();
  private readonly replaying = new Set<string>();
  /** serverErrors of spool batches, which are read again from disk on each attempt. */
  private readonly spoolServerErrors = new Map<string, number>();
  /** No request starts before this time (backoff or Retry-After of the last failure). */
  private pausedUntil = 0;
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeTime = 0;
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private nextSeq = 1;

  private readonly counters = {
    written: 0,
    dropped: 0,
    errors: 0,
    retried: 0,
    rejected: 0,
    spilled: 0,
    replayed: 0,
  };

  constructor(private readonly spec: HttpDestinationSpec) {
    this.name = destinationName(spec);
    this.minLevel = spec.minLevel;
    this.encoder = createEncoder(spec);
    this.wantsLevels = spec.encoding === 'otlp' || spec.encoding === 'loki';
    this.client = new HttpClient({
      url: spec.url,
      headers: spec.headers,
      concurrency: spec.concurrency,
      connectTimeoutMs: spec.connectTimeoutMs,
      requestTimeoutMs: spec.requestTimeoutMs,
      ca: spec.tls.ca,
      rejectUnauthorized: spec.tls.rejectUnauthorized,
    });
    this.batcher = new Batcher(
      spec.batchRecords,
      spec.batchBytes,
      spec.batchIntervalMs,
      (d, n, levels) => {
        this.enqueue(d, n, levels);
        this.pump();
      },
    );
    this.breaker = new Breaker(spec.breaker.failures, spec.breaker.cooldownMs);
    this.spool = spec.spool === undefined ? undefined : this.openSpool(spec.spool);
    if (this.spool !== undefined) {
      this.nextSeq = this.spool.nextSeq;
      // Batches left by an earlier process go out first.
      if (this.spool.size > 0) queueMicrotask(() => this.pump());
    }
  }

  /** A spool that cannot be opened is reported, and shipping goes on without one: a logger
   * that fails to start over its spool directory would lose more than the spool saves. */
  private openSpool(o: { dir: string; maxBytes: number }): Spool | undefined {
    try {
      return new Spool(o.dir, o.maxBytes);
    } catch (err) {
      this.counters.errors++;
      reportDestinationError(
        this.name,
        ErrorCodes.HTTP_SPOOL,
        `cannot open the spool ${o.dir}: ${(err as Error).message}; going on without one`,
      );
      return undefined;
    }
  }

  write(chunk: Buffer, _records?: number, levels?: Uint8Array): void {
    if (this.closed || chunk.length === 0) return;
    // The chunk is lent (a view of the ring or the sink's scratch buffer): the batcher copies.
    this.batcher.add(chunk, this.wantsLevels ? levels : undefined);
    this.enforceMemoryBound();
    this.pump();
  }

  /** A new batch at the tail of the queue (or in the spool when the backend is known to be
   * down). */
  private enqueue(data: Buffer, records: number, levels?: Uint8Array): void {
    const batch: Batch = { data, records, seq: this.nextSeq++, levels };
    this.memoryBytes += data.length;
    this.memoryRecords += records;
    this.queue.push(batch);
    if (this.breaker.open && this.spool !== undefined) this.spillQueue();
  }

  private forgetFromMemory(b: Batch): void {
    if (b.spoolName !== undefined) return;
    this.memoryBytes -= b.data.length;
    this.memoryRecords -= b.records;
  }

  /** Over maxBufferBytes the oldest queued batches go to the spool, or are dropped. */
  private enforceMemoryBound(): void {
    while (
      this.memoryBytes + this.batcher.bytes > this.spec.maxBufferBytes &&
      this.queue.length > 0
    ) {
      const oldest = this.queue.shift()!;
      this.forgetFromMemory(oldest);
      if (this.spool !== undefined && this.toSpool(oldest)) continue;
      this.drop(oldest.records, 'the memory buffer (maxBufferBytes) is full');
    }
  }

  /** Every queued batch to the spool: the backend is down, memory is not the place to wait. */
  private spillQueue(): void {
    while (this.queue.length > 0) {
      const b = this.queue.shift()!;
      this.forgetFromMemory(b);
      if (!this.toSpool(b)) this.drop(b.records, 'the spool could not take the batch');
    }
  }

  /** Writes a batch to the spool; false when that failed (the caller drops it). */
  private toSpool(b: Batch): boolean {
    if (b.spoolName !== undefined) {
      // Already a spool file (a replay that failed): it stays where it is.
      this.replaying.delete(b.spoolName);
      return true;
    }
    try {
      const { name, evicted } = this.spool!.add(b.data, b.records, b.seq, this.replaying);
      if (name !== undefined) this.counters.spilled += b.records;
      if (evicted > 0) this.drop(evicted, 'the spool is over its budget (spool.maxBytes)');
      return true;
    } catch (err) {
      this.spoolFailed(err);
      return false;
    }
  }

  private drop(records: number, why: string): void {
    this.counters.dropped += records;
    reportDestinationError(
      this.name,
      ErrorCodes.HTTP_DROPPED,
      `${records} records dropped: ${why}`,
    );
  }

  /** Starts requests while there is room, the breaker allows and no backoff is running. */
  private pump(): void {
    while (!this.closed && this.inFlight < this.spec.concurrency) {
      const now = Date.now();
      if (now < this.pausedUntil) {
        this.wakeAt(this.pausedUntil);
        return;
      }
      const spooled = this.spool !== undefined && this.spool.size > this.replaying.size;
      if (this.queue.length === 0 && !spooled) break;
      if (!this.breaker.allows(now)) {
        // While the probe is out there is nothing to wake for: its end pumps again.
        const at = this.breaker.retryAt();
        if (at !== undefined) this.wakeAt(at);
        return;
      }
      const batch = this.nextBatch();
      if (batch === undefined) break;
      this.inFlight++;
      this.sending.add(batch);
      void this.send(batch).finally(() => {
        this.sending.delete(batch);
        this.inFlight--;
        this.pump();
        this.settleIdle();
      });
    }
    this.settleIdle();
  }

  /** The oldest batch, from the spool or the queue. */
  private nextBatch(): Batch | undefined {
    if (this.spool !== undefined && this.spool.size > this.replaying.size) {
      const head = this.queue[0];
      const oldest = this.spool.oldest(this.replaying);
      if (oldest !== undefined && (head === undefined || oldest.seq <= head.seq)) {
        const taken = this.spool.takeOldest(this.replaying);
        if (taken !== undefined) {
          this.replaying.add(taken.entry.name);
          const { name, records, seq } = taken.entry;
          return { data: taken.data, records, seq, spoolName: name };
        }
      }
    }
    return this.queue.shift();
  }

  private wakeAt(at: number): void {
    if (this.wakeTimer !== undefined) {
      if (this.wakeTime <= at) return;
      clearTimeout(this.wakeTimer);
    }
    this.wakeTime = at;
    this.wakeTimer = setTimeout(
      () => {
        this.wakeTimer = undefined;
        this.pump();
      },
      Math.max(1, at - Date.now()),
    );
  }

  private async send(batch: Batch): Promise<void> {
    let res: HttpResponse;
    try {
      let body = this.encoder.encode(batch.data, batch.levels);
      const headers: Record<string, string> = { 'content-type': this.encoder.contentType };
      if (this.spec.compression === 'gzip' && body.length >= this.spec.compressMinBytes) {
        body = await gzip(body);
        headers['content-encoding'] = 'gzip';
      }
      res = await this.client.send(body, headers);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      this.retryLater(batch, `${e.code ?? 'error'}: ${e.message}`, undefined);
      return;
    }
    let verdict = classifyStatus(res.status, this.spec.encoding);
    if (verdict === 'retry' && isServerError(res.status) && this.tooManyServerErrors(batch)) {
      verdict = 'reject';
    }
    if (verdict === 'retry') {
      const after = parseRetryAfter(headerValue(res.headers['retry-after']), Date.now());
      this.retryLater(batch, `HTTP ${res.status}${snippet(res.body)}`, after);
      return;
    }
    this.breaker.onSuccess();
    if (verdict === 'split') {
      this.split(batch);
      return;
    }
    if (verdict === 'reject') {
      this.reject(batch.records, `HTTP ${res.status}${snippet(res.body)}`);
      this.settle(batch, 0);
      return;
    }
    if (this.spec.encoding === 'otlp') {
      this.onOtlpAccepted(batch, res);
      return;
    }
    if (this.spec.encoding === 'elasticsearch') {
      this.onBulkAccepted(batch, res);
      return;
    }
    this.settle(batch, batch.records);
  }

  /** Counts a 5xx that may be the batch's own fault (ClickHouse answers 500 to a line it
   * cannot parse); true once it had retry.serverErrorAttempts of them. */
  private tooManyServerErrors(batch: Batch): boolean {
    const key = batch.spoolName;
    const n = (key === undefined ? batch.serverErrors : this.spoolServerErrors.get(key)) ?? 0;
    if (n + 1 >= this.spec.retry.serverErrorAttempts) {
      if (key !== undefined) this.spoolServerErrors.delete(key);
      return true;
    }
    if (key === undefined) batch.serverErrors = n + 1;
    else this.spoolServerErrors.set(key, n + 1);
    return false;
  }

  /** The batch left memory or the spool for good: `accepted` of its records were written. */
  private settle(batch: Batch, accepted: number): void {
    this.counters.written += accepted;
    this.dropShadow(batch);
    if (batch.spoolName !== undefined) {
      this.replaying.delete(batch.spoolName);
      this.spool!.remove(batch.spoolName);
      this.spoolServerErrors.delete(batch.spoolName);
      this.counters.replayed += accepted;
    } else {
      this.forgetFromMemory(batch);
    }
  }

  /** The batch reached a verdict: its spool copy, if it has one, is not needed. */
  private dropShadow(batch: Batch): void {
    if (batch.shadow === undefined) return;
    this.replaying.delete(batch.shadow);
    this.spool!.remove(batch.shadow);
    this.counters.spilled -= batch.records;
    batch.shadow = undefined;
  }

  private reject(records: number, why: string): void {
    if (records === 0) return;
    this.counters.rejected += records;
    this.counters.dropped += records;
    this.counters.errors++;
    reportDestinationError(
      this.name,
      ErrorCodes.HTTP_REJECTED,
      `${records} records rejected: ${why}`,
    );
  }

  private retryLater(batch: Batch, why: string, retryAfterMs: number | undefined): void {
    const now = Date.now();
    this.counters.errors++;
    this.counters.retried += batch.records;
    const opened = this.breaker.onFailure(now);
    const { baseDelayMs, maxDelayMs } = this.spec.retry;
    const delay =
      retryAfterMs !== undefined
        ? Math.min(retryAfterMs, MAX_RETRY_AFTER_MS)
        : backoffMs(this.breaker.consecutiveFailures, baseDelayMs, maxDelayMs);
    this.pausedUntil = Math.max(this.pausedUntil, now + delay);
    reportDestinationError(
      this.name,
      ErrorCodes.HTTP_UNAVAILABLE,
      `${why}; retrying${opened ? `; paused for ${this.spec.breaker.cooldownMs} ms after ${this.breaker.consecutiveFailures} failures in a row` : ''}`,
    );
    if (batch.spoolName !== undefined) {
      // Stays in the spool; taken again, oldest first, on the next attempt.
      this.replaying.delete(batch.spoolName);
      return;
    }
    if (batch.shadow !== undefined) {
      // Its copy in the spool is the batch now, replayed like any other.
      this.replaying.delete(batch.shadow);
      this.forgetFromMemory(batch);
      return;
    }
    this.queue.unshift(batch);
    if (this.closed) this.abandonQueue();
    else if (this.breaker.open && this.spool !== undefined) this.spillQueue();
  }

  /** On close: what is queued goes to the spool, or is dropped and counted. */
  private abandonQueue(): void {
    if (this.spool !== undefined) this.spillQueue();
    let records = 0;
    for (const b of this.queue.splice(0)) {
      records += b.records;
      this.forgetFromMemory(b);
    }
    if (records > 0) this.drop(records, 'still unsent when the destination closed');
  }

  /** 413: each half is sent on its own; a single record too large is rejected. */
  private split(batch: Batch): void {
    this.dropShadow(batch);
    if (batch.records < 2) {
      this.reject(1, `HTTP 413: one record of ${batch.data.length} bytes is too large`);
      this.settle(batch, 0);
      return;
    }
    const half = Math.floor(batch.records / 2);
    let cut = 0;
    for (let i = 0; i < half; i++) cut = batch.data.indexOf(10, cut) + 1;
    const first: Batch = {
      data: batch.data.subarray(0, cut),
      records: half,
      seq: batch.seq,
      levels: batch.levels?.subarray(0, half),
    };
    const second: Batch = {
      data: batch.data.subarray(cut),
      records: batch.records - half,
      seq: batch.seq,
      levels: batch.levels?.subarray(half),
    };
    if (batch.spoolName !== undefined) {
      // The halves now live in memory: the file is done with.
      this.replaying.delete(batch.spoolName);
      this.spool!.remove(batch.spoolName);
      this.spoolServerErrors.delete(batch.spoolName);
      this.memoryBytes += batch.data.length;
      this.memoryRecords += batch.records;
    }
    this.queue.unshift(first, second);
  }

  private onOtlpAccepted(batch: Batch, res: HttpResponse): void {
    const answer = otlpRejected(res.body);
    const rejected = Math.min(answer.rejected, batch.records);
    if (rejected > 0) this.reject(rejected, `OTLP partial success: ${answer.message}`);
    this.settle(batch, batch.records - rejected);
  }

  /** Bulk items answered 429 are sent again (only those), other failed items rejected. */
  private onBulkAccepted(batch: Batch, res: HttpResponse): void {
    const outcome = bulkOutcome(res.body, () => splitLines(batch.data));
    if (outcome === undefined) {
      this.settle(batch, batch.records);
      return;
    }
    const { accepted, again, rejected, firstError } = outcome;
    if (rejected > 0) this.reject(rejected, `bulk item errors, first: ${firstError}`);
    this.settle(batch, accepted);
    if (again.length > 0) {
      const retry: Batch = {
        data: Buffer.from(`${again.join('\n')}\n`),
        records: again.length,
        seq: batch.seq,
      };
      this.memoryBytes += retry.data.length;
      this.memoryRecords += retry.records;
      this.retryLater(retry, `${again.length} bulk items answered 429`, undefined);
    }
  }

  private settleIdle(): void {
    if (this.inFlight > 0 || this.queue.length > 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /**
   * Sends what is buffered and waits for it, at most flushTimeoutMs; then what is still
   * queued goes to the spool (when there is one). Spooled batches are not waited for.
   */
  async flush(boundMs?: number): Promise<void> {
    this.batcher.cut();
    this.pump();
    if (this.inFlight > 0 || this.queue.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.idleWaiters.push(resolve);
        timer = setTimeout(resolve, this.waitMs(this.spec.flushTimeoutMs, boundMs));
      });
      clearTimeout(timer);
    }
    if (this.spool !== undefined && (this.queue.length > 0 || this.inFlight > 0)) {
      this.spillQueue();
      this.shadowInFlight();
    } else if (this.spool === undefined && this.memoryRecords > 0) {
      // Said out loud: if the process ends now, these are lost, and no other counter knows.
      reportDestinationError(
        this.name,
        ErrorCodes.HTTP_UNAVAILABLE,
        `${this.memoryRecords} records not sent within flushTimeoutMs=${this.spec.flushTimeoutMs}; still held in memory (no spool)`,
      );
    }
  }

  /**
   * How long to wait for the backend: our own limit, but within what the sink allows
   * (`boundMs`), with a fifth of that left for the spool writes that follow the wait. The
   * sink stops waiting for us at its bound, and at exit the process ends there.
   */
  private waitMs(ownMs: number, boundMs: number | undefined): number {
    if (boundMs === undefined) return ownMs;
    return Math.max(1, Math.min(ownMs, Math.floor(boundMs * 0.8)));
  }

  private spoolFailed(err: unknown): void {
    this.counters.errors++;
    reportDestinationError(
      this.name,
      ErrorCodes.HTTP_SPOOL,
      `cannot write to the spool ${this.spool!.dir}: ${(err as Error).message}`,
    );
  }

  /** Requests still in flight when a flush runs out of time may never finish (the process
   * may be ending): a copy of each goes to the spool, deleted again if the request settles.
   * If the process ends before that, the next one sends the copy: at least once. */
  private shadowInFlight(): void {
    for (const b of this.sending) {
      if (b.spoolName !== undefined || b.shadow !== undefined) continue;
      try {
        const { name, evicted } = this.spool!.add(b.data, b.records, b.seq, this.replaying);
        if (name !== undefined) {
          b.shadow = name;
          // Not to be replayed while the original is still on its way.
          this.replaying.add(name);
          this.counters.spilled += b.records;
        }
        if (evicted > 0) this.drop(evicted, 'the spool is over its budget (spool.maxBytes)');
      } catch (err) {
        this.spoolFailed(err);
      }
    }
  }

  /** Flushes, then gives what is left to the spool (or drops it), waits for requests in
   * flight (at most flushTimeoutMs again) and closes the sockets: a request cut off there
   * goes to the spool too (it has a copy there already), or is dropped and counted. */
  async close(boundMs?: number): Promise<void> {
    if (this.closed) return;
    // Within the sink's bound: half of it for the flush, half for the requests in flight.
    const half = boundMs === undefined ? undefined : boundMs / 2;
    await this.flush(half);
    this.closed = true;
    this.abandonQueue();
    if (this.inFlight > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.idleWaiters.push(resolve);
        timer = setTimeout(
          resolve,
          this.waitMs(Math.min(this.spec.flushTimeoutMs, this.spec.requestTimeoutMs), half),
        );
      });
      clearTimeout(timer);
    }
    if (this.wakeTimer !== undefined) clearTimeout(this.wakeTimer);
    this.batcher.stop();
    this.client.close();
  }

  /** closed once closed; failing while the breaker is open (the backend is left alone, and
   * without a spool records pile up towards the memory bound); retrying while requests
   * fail and are retried, or the spool holds records not yet sent. */
  state(): DestinationState {
    if (this.closed) return 'closed';
    if (this.breaker.open) return 'failing';
    if (this.breaker.consecutiveFailures > 0 || (this.spool?.records ?? 0) > 0) return 'retrying';
    return 'ok';
  }

  stats(): HttpDestinationStats {
    const c = this.counters;
    return {
      written: c.written,
      dropped: c.dropped,
      errors: c.errors,
      buffered: this.memoryRecords + this.batcher.records,
      sent: c.written,
      retried: c.retried,
      rejected: c.rejected,
      spilled: c.spilled,
      replayed: c.replayed,
      spooled: this.spool?.records ?? 0,
    };
  }
}

/** A 5xx that is not one of the "try again later" answers (502, 503, 504). */
function isServerError(status: number): boolean {
  return status >= 500 && status !== 502 && status !== 503 && status !== 504;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** The start of a response body, for an error report. */
function snippet(body: Buffer): string {
  if (body.length === 0) return '';
  const text = body.subarray(0, 200).toString('utf8').replace(/\s+/g, ' ').trim();
  return `: ${text}`;
}
