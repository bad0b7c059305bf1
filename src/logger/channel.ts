/**
 * The per-context batch: lines appended by a root logger and its children, published into
 * that logger's ring at the end of the tick, when the batch is full, or on flush. Also the
 * full-ring policy and the counts that make `enqueued === written + dropped` checkable.
 */
import {
  FRAME_BATCH,
  FRAME_FIRST,
  FRAME_FRAGMENT,
  FRAME_HEADER_BYTES,
  FRAME_LAST,
  type RingWriter,
} from '../protocol/ring.js';
import { PendingAge } from './pending-age.js';

export type OnFull = 'block' | 'drop';

export interface DropCounts {
  /** Batches refused by a full ring under onFull: 'drop'. */
  ringFull: number;
  /** Batches still refused after blockTimeoutMs under onFull: 'block'. */
  blockTimeout: number;
  /** Records logged after close(). */
  closed: number;
}

/** Longest single sleep of a producer blocked on a full ring (see writeFrame). */
const BLOCK_SLICE_MS = 100;
/** What a channel needs from whoever runs the sink (transport.ts). */
export interface SinkLink {
  /**
   * Called after a publish: wakes a sleeping sink, or writes synchronously in fallback.
   * `urgent` (the ring holds a 64th of its capacity at the end of a tick, a quarter mid-tick)
   * also wakes a sink that lingers (ring.ts): one that looks on its own within SINK_LINGER_MS
   * and is not rung for a few records.
   */
  published(urgent: boolean): void;
  /** Wakes the sink before the producer sleeps on a full ring (and restarts a stopped one). */
  wake(): void;
}

export interface ChannelOptions {
  maxBatchBytes: number;
  onFull: OnFull;
  blockTimeoutMs: number;
  /** When a batch was published, for health()'s oldest pending age (default Date.now). */
  clock?: () => number;
}

// Most records one batch carries; its level bytes ride in the frame header area.
const MAX_BATCH_RECORDS = 1024;

export class Channel {
  readonly ring: RingWriter;
  readonly dropped: DropCounts = { ringFull: 0, blockTimeout: 0, closed: 0 };
  batchesPublished = 0;
  /** Records that left the batch: published or dropped. */
  handedOff = 0;
  closed = false;
  /** Runs when a batch gets its first record; replaced by a synchronous flush at exit. */
  schedule: () => void;
  private readonly pendingAge = new PendingAge();
  private readonly clock: () => number;

  private batch = '';
  private chars = 0;
  private count = 0;
  private readonly levels: Uint8ClampedArray;
  private readonly maxChars: number;
  private readonly maxRecords: number;
  private readonly link: SinkLink;
  private readonly onFull: OnFull;
  private readonly blockTimeoutMs: number;
  /** READ_POS when a block last timed out, or -1: while the sink has not moved since, a full
   * ring drops at once instead of stalling the app for blockTimeoutMs on every batch. */
  private stalledAt = -1;
  /** Fill above which a batch published mid-tick rings the sink at once. */
  private readonly ringNowBytes: number;
  /** Fill above which the end of a tick rings a lingering sink (ring.ts): a tick that logged
   * this much is worth a wake-up now (measured: S2's p99.9 per call doubled when a tick of
   * 1,000 records waited for the sink's own look and then rang it mid-tick at a quarter). */
  private readonly lingerBytes: number;
  private ringScheduled = false;
  private readonly ringLater: () => void;

  constructor(ring: RingWriter, link: SinkLink, options: ChannelOptions) {
    this.ring = ring;
    this.link = link;
    this.onFull = options.onFull;
    this.blockTimeoutMs = options.blockTimeoutMs;
    this.clock = options.clock ?? Date.now;
    // Keep a batch's level bytes and its text within one frame (see fragmentLimit).
    this.maxRecords = Math.min(MAX_BATCH_RECORDS, ring.fragmentLimit >>> 2);
    this.maxChars = Math.min(options.maxBatchBytes, ring.fragmentLimit >>> 2);
    this.levels = new Uint8ClampedArray(this.maxRecords);
    this.ringNowBytes = ring.capacity >>> 2;
    this.lingerBytes = ring.capacity >>> 6;
    const publish = () => this.publish();
    this.schedule = () => process.nextTick(publish);
    this.ringLater = () => {
      this.ringScheduled = false;
      this.link.published(this.ring.usedBytes() >= this.lingerBytes);
    };
  }

  /** Records handed to this channel so far. */
  get enqueued(): number {
    return this.handedOff + this.count;
  }

  /** The hot path: one string append, one byte store, two compares. */
  append(line: string, level: number): void {
    this.batch += line;
    this.levels[this.count++] = level;
    this.chars += line.length;
    if (this.chars >= this.maxChars || this.count === this.maxRecords) this.publish(false);
    else if (this.count === 1) this.schedule();
  }

  /**
   * Publishes the batch into the ring now (or counts it as dropped, per onFull). A batch that
   * filled up mid-tick (`ringNow` false) rings the sink only if the ring is a quarter full;
   * otherwise the ring waits for the end of the tick: waking a sleeping sink costs the app
   * thread a futex wake, and one per tick is enough to keep it busy. A sink that lingers
   * (it wrote something within the last few ms, ring.ts) is rung at the end of a tick only
   * when the ring holds a 64th of its capacity (mid-tick: a quarter): it looks on its own
   * within 2 ms, so records that come a few per tick share its wake-ups.
   */
  publish(ringNow = true): void {
    const count = this.count;
    if (count === 0) return;
    const text = this.batch;
    this.batch = '';
    this.chars = 0;
    this.count = 0;
    this.handedOff += count;
    if (this.closed) {
      this.dropped.closed += count;
      return;
    }
    let minLevel = 255;
    for (let i = 0; i < count; i++) if (this.levels[i]! < minLevel) minLevel = this.levels[i]!;
    const ok =
      text.length * 3 + count + FRAME_HEADER_BYTES + 8 <= this.ring.fragmentLimit
        ? this.writeFrame(text, count, minLevel, FRAME_BATCH, count)
        : this.writeFragments(text, count, minLevel);
    if (!ok) return;
    this.batchesPublished++;
    // The clock of the batch's last record where it has one: no clock read per publish.
    this.pendingAge.published(this.ring.writePosition(), this.ring.readPosition(), this.clock());
    const used = this.ring.usedBytes();
    if (ringNow) this.link.published(used >= this.lingerBytes);
    else if (used >= this.ringNowBytes) this.link.published(true);
    else if (!this.ringScheduled) {
      this.ringScheduled = true;
      process.nextTick(this.ringLater);
    }
  }

  /** How long the oldest record published and not yet released by the sink has waited. */
  oldestPendingMs(now: number): number {
    return this.pendingAge.ageMs(this.ring.readPosition(), now);
  }

  /** Counts records logged after close() without publishing them. */
  dropClosed(): void {
    this.dropped.closed += this.count;
    this.handedOff += this.count;
    this.batch = '';
    this.chars = 0;
    this.count = 0;
  }

  /** One frame into the ring, applying onFull. `batchRecords` is what a refusal drops. */
  private writeFrame(
    text: string,
    records: number,
    minLevel: number,
    kind: number,
    batchRecords: number,
  ): boolean {
    if (this.ring.tryWriteFrame(text, this.levels, records, minLevel, kind)) return true;
    if (this.onFull === 'drop') {
      this.dropped.ringFull += batchRecords;
      return false;
    }
    if (this.stalledAt !== -1) {
      if (this.ring.readPosition() === this.stalledAt) {
        this.link.wake();
        this.dropped.blockTimeout += batchRecords;
        return false;
      }
      this.stalledAt = -1;
    }
    const deadline = Date.now() + this.blockTimeoutMs;
    for (;;) {
      this.link.wake();
      const left = deadline - Date.now();
      if (left <= 0) break;
      // In slices: wake() each time also finds a sink that retired or vanished meanwhile
      // (another thread's, process-block.ts), which no READ_POS notify would announce.
      this.ring.waitForSpace(Math.min(left, BLOCK_SLICE_MS));
      if (this.ring.tryWriteFrame(text, this.levels, records, minLevel, kind)) return true;
    }
    this.stalledAt = this.ring.readPosition();
    this.dropped.blockTimeout += batchRecords;
    return false;
  }

  /**
   * A batch too large for one frame, as a fragment run (ring.ts): pieces cut between code
   * points, the first marked FRAME_FIRST, levels on the last. A piece the ring refuses ends
   * the run there, counted as dropped whole; the consumer frees what it took of it.
   */
  private writeFragments(text: string, count: number, minLevel: number): boolean {
    const pieceChars = Math.floor((this.ring.fragmentLimit - FRAME_HEADER_BYTES - 8 - count) / 3);
    let kind = FRAME_FRAGMENT | FRAME_FIRST;
    let start = 0;
    while (text.length - start > pieceChars) {
      let end = start + pieceChars;
      const c = text.charCodeAt(end - 1);
      if (c >= 0xd800 && c <= 0xdbff) end--; // do not split a surrogate pair
      if (!this.writeFrame(text.slice(start, end), 0, minLevel, kind, count)) return false;
      kind = FRAME_FRAGMENT;
      start = end;
    }
    // FRAME_LAST only after a FRAME_FIRST: a lone LAST reads as the end of a lost run.
    const last = kind === FRAME_FRAGMENT ? FRAME_BATCH | FRAME_LAST : FRAME_BATCH;
    return this.writeFrame(text.slice(start), count, minLevel, last, count);
  }
}
