/**
 * The SharedArrayBuffer ring between one producing thread and the sink worker, and the small
 * control block the sink sleeps on. Both sides import this file; this comment is the protocol.
 *
 * RING (one per root logger; single producer, single consumer)
 *
 *   byte 0    ┌──────────────────────────────────────────────┐ cache line 0: producer writes
 *             │ i32 WRITE_POS        free-running byte count  │
 *             │ i32 PRODUCER_WAITING 1 while the producer      │
 *             │                      sleeps on READ_POS       │
 *   byte 64   ├──────────────────────────────────────────────┤ cache line 1: consumer writes
 *             │ i32 READ_POS         free-running byte count  │
 *   byte 128  ├──────────────────────────────────────────────┤ cache line 2: consumer writes
 *             │ i64 RECORDS_WRITTEN   records the sink wrote  │
 *             │ i64 RECORDS_DISCARDED records of a fragment   │
 *             │                       run a reader could not  │
 *             │                       write whole (see below) │
 *   byte 192  ├──────────────────────────────────────────────┤ cache line 3: consumer writes
 *             │ i32 ATTACHED_GEN  generation (process-block  │
 *             │                   .ts) of the sink that has  │
 *             │                   attached this ring; 0 none │
 *   byte 256  ├──────────────────────────────────────────────┤
 *             │ data: capacity bytes (a power of two)        │
 *             └──────────────────────────────────────────────┘
 *
 *   WRITE_POS and READ_POS count bytes since the start and wrap at 2^32 (read as uint32), so
 *   used = (WRITE_POS - READ_POS) mod 2^32 and a position's offset is pos & (capacity - 1).
 *   The ring is empty when they are equal and may be filled completely: no slot is wasted
 *   because the counters never alias while capacity <= 2^30.
 *
 *   data holds frames, each starting at an 8-byte aligned offset:
 *
 *     +0  i32 frameBytes   whole frame, header and padding included (multiple of 8)
 *     +4  i32 flags        bits 0-7 kind: FRAME_BATCH, FRAME_PAD or FRAME_FRAGMENT, plus
 *                          FRAME_FIRST on the fragment that starts a run of fragments and
 *                          FRAME_LAST on the batch that ends one (below);
 *                          bits 8-15 lowest level in the batch (so a sink can skip filtering)
 *     +8  i32 records      records in the batch (0 in a fragment)
 *     +12 i32 payloadBytes bytes of NDJSON text
 *     +16 u8[records]      each record's level (clamped to 0..255), in order
 *     +16+records          payload: the records' lines, each ending in '\n', in call order
 *
 *   A frame never crosses the end of data. When the next frame does not fit before the end,
 *   the producer writes a FRAME_PAD header whose frameBytes reaches exactly the end (data is a
 *   multiple of 8, so at least 8 bytes remain for it) and writes the frame at offset 0.
 *
 * FRAGMENT RUNS: a record of any size through a small ring
 *
 *   A batch that could need more than fragmentLimit bytes (a quarter of the ring) is cut into
 *   a run: FRAME_FRAGMENT|FRAME_FIRST, then FRAME_FRAGMENT frames, then one
 *   FRAME_BATCH|FRAME_LAST. The fragments carry pieces of the text cut between UTF-16 code
 *   points and no records; the last frame carries the last piece, the record count and all
 *   the level bytes. Each frame is published as soon as it is written, and the consumer copies
 *   a fragment out and hands its space back before the run is complete, so a run may be
 *   larger than the ring. Two things can break a run, and neither may yield a broken line:
 *   - the producer gives up midway (a full ring under 'drop', a timed-out 'block'): it counts
 *     the whole batch as dropped and writes nothing more of it. No marker is needed (the ring
 *     may have no room for one): the run is simply never ended by FRAME_LAST, and whatever the
 *     producer publishes next starts with FRAME_FIRST or is a plain FRAME_BATCH.
 *   - the consumer starts in the middle of a run: a restarted sink (or the fallback reader)
 *     resumes at READ_POS, and the space of the run's first fragments was handed back before
 *     the old reader died with their copies.
 *   So the consumer joins fragments by these rules (FRAME_ omitted), which need no run id
 *   because one producer publishes frames in order:
 *     FRAGMENT|FIRST  opens a run; a run still open was abandoned: its copy is freed.
 *     FRAGMENT        joins the open run; with no run open (we began mid-run) it is skipped.
 *     BATCH|LAST      with a run open: the run plus this piece is the batch. With no run
 *                     open, the run's start is lost: its records are skipped and added to
 *                     RECORDS_DISCARDED.
 *     BATCH           the batch; a run still open was abandoned: its copy is freed.
 *   Every record is thereby counted once: by the producer when it refuses a batch (whole or
 *   midway through its run), by the consumer in RECORDS_WRITTEN when written, or in
 *   RECORDS_DISCARDED when a run's start was lost. A run is written whole or not at all.
 *   The producer never writes a FRAME_LAST without a FRAME_FIRST before it: a batch that
 *   needs no fragment after all goes as a plain FRAME_BATCH.
 *
 * Who writes what, and the invariants:
 *   - Only the producer writes frames and WRITE_POS; only the consumer writes READ_POS,
 *     RECORDS_WRITTEN and RECORDS_DISCARDED (which it bumps just before storing the READ_POS
 *     that steps past the records they count). Bytes in [READ_POS, WRITE_POS) belong to the
 *     consumer, the rest to the producer.
 *   - The producer writes a frame whole (and the padding before it, if any), then publishes
 *     it with ONE Atomics.store of WRITE_POS: a batch at once, a fragment run frame by frame.
 *     The consumer reads WRITE_POS with Atomics.load before touching frame bytes, so it never
 *     sees a half-written frame (Atomics are sequentially consistent).
 *   - The consumer stores READ_POS only after the frames below it are written to their
 *     destinations, so a sink restarted after a crash resumes at READ_POS and loses nothing
 *     (the batches it wrote but had not released yet are written again: at-least-once;
 *     a sink that ends between rounds, after its release, writes nothing twice). Only a run
 *     whose first fragments it had already handed back is lost, and counted (above).
 *
 * When the ring is full the producer decides (see channel.ts): 'drop' counts the batch and
 * goes on; 'block' sets PRODUCER_WAITING and sleeps with Atomics.wait on READ_POS, expecting
 * the value it saw when the ring refused the frame, bounded by a timeout. A consumer that
 * moves READ_POS while PRODUCER_WAITING is 1 clears it and notifies. The consumer hands back
 * space as soon as it has stepped over it and holds nothing there: after writing a batch,
 * and also after padding or fragments (copied) when no batch follows yet, so a producer
 * waiting on space that holds no unwritten batch is always woken.
 *
 * CONTROL BLOCK (the first CONTROL_BYTES of the process block, process-block.ts: one per
 * process, shared by every producer thread's rings and the one sink that drains them)
 *
 *   byte 0    i32 DOORBELL       bumped by a producer to wake the sink (Atomics.notify)
 *   byte 64   i32 SINK_SLEEPING  SINK_ASLEEP while the sink waits on DOORBELL for a ring,
 *                                SINK_LINGERING while it waits at most SINK_LINGER_MS (below),
 *                                0 while it works
 *   byte 68   i32 SINK_STATE     SINK_RUNNING while a sink serves; the sink sets SINK_STOPPED
 *                                as its thread ends (exit or uncaught error) and notifies
 *                                every word a producer may sleep on
 *   byte 128  i32 FLUSH_REQUEST  tickets handed out by flush requests
 *   byte 192  i32 FLUSH_DONE     highest ticket the sink has served
 *   byte 256  i32 STOP_REASON_BYTES, then up to 252 bytes of UTF-8: why the sink stopped,
 *             written by the sink just before SINK_STOPPED
 *
 *   The sink sets SINK_SLEEPING, reads DOORBELL, checks every ring once more, then waits on
 *   DOORBELL (Atomics.waitAsync). A producer that has published reads SINK_SLEEPING and only
 *   when it is SINK_ASLEEP sets it back to 0 (compareExchange, so only one publish rings
 *   until the sink sleeps again), bumps DOORBELL and notifies: one extra load per batch while
 *   the sink is busy, and no lost wake-up, because the sink's re-check and the producer's
 *   publish are ordered by sequentially consistent atomics (a bump after the sink read DOORBELL
 *   makes its wait return at once).
 *   LINGERING: waking the sink costs the producer a futex call (Atomics.notify), which at one
 *   record per event-loop turn (a server logging a line per request) is most of what a record
 *   costs it. So a sink that found records in its last round does not sleep for a ring at
 *   once: it stores SINK_LINGERING and waits on DOORBELL with a timeout of SINK_LINGER_MS, then
 *   drains whatever came meanwhile in one round (one write() for all of it), and lingers again;
 *   after SINK_LINGER_ROUNDS lingers in a row that found nothing it goes to SINK_ASLEEP (no
 *   timer, no CPU while idle). A producer does not ring a lingering sink for a few records,
 *   only when the ring holds at least a 64th of its capacity at the end of a tick, or a
 *   quarter mid-tick (`ring(urgent)`, channel.ts), so a record waits at most
 *   SINK_LINGER_MS (plus the sink's round) before it is handed to its destinations. wake()
 *   (flush tickets, a producer blocked on a full ring, exit) always notifies: a flush is never
 *   held back by the linger.
 *   A flush takes ticket t = ++FLUSH_REQUEST (after publishing) and rings; the sink reads
 *   FLUSH_REQUEST before it drains, drains every ring, flushes destinations, stores that value
 *   in FLUSH_DONE and notifies. So FLUSH_DONE >= t means everything published before t is
 *   written. Rings reach the sink by message (a SharedArrayBuffer cannot be shared through
 *   another one), and messages and doorbells arrive in no fixed order: the sink stores its
 *   generation in a ring's ATTACHED_GEN once it drains that ring (and notifies the word), and
 *   a producer takes a flush ticket only once each of its rings carries the generation of
 *   the running sink, so a flush never passes over a ring the sink has not seen. Tickets
 *   come from several threads (Atomics.add): serving the highest one read before a round
 *   serves all below it, whoever took them.
 *   A producer blocked on a full ring or a flushSync does not run its event loop, so it would
 *   never hear of the worker's 'exit' event: it reads SINK_STATE each time it wakes instead,
 *   and restarts the sink itself (the new sink resumes at READ_POS and serves open tickets).
 */

// Ring header, as indexes into an Int32Array / BigInt64Array over the whole buffer.
const WRITE_POS = 0;
const PRODUCER_WAITING = 1;
const READ_POS = 16; // byte 64: its own cache line, so the two sides do not share one
const RECORDS_WRITTEN = 16; // BigInt64 index: byte 128
const RECORDS_DISCARDED = 17; // BigInt64 index: byte 136
const ATTACHED_GEN = 48; // byte 192: its own cache line

export const RING_HEADER_BYTES = 256;
export const FRAME_HEADER_BYTES = 16;
export const FRAME_BATCH = 1;
export const FRAME_PAD = 2;
export const FRAME_FRAGMENT = 4;
export const FRAME_LAST = 8;
export const FRAME_FIRST = 16;

/** Smallest ring: a few frames of a typical batch. */
export const MIN_RING_BYTES = 4096;
/** Positions are uint32 counters; 2^30 keeps used <= capacity unambiguous. */
export const MAX_RING_BYTES = 2 ** 30;

// Control block indexes.
const DOORBELL = 0;
const SINK_SLEEPING = 16;
/** SINK_SLEEPING values (0: the sink works). */
export const SINK_ASLEEP = 1;
export const SINK_LINGERING = 2;
/**
 * Longest a lingering sink waits before it looks at its rings again: the bound on how late a
 * record published while it lingers is handed to its destinations. 2 ms: it cut the added CPU
 * per request of a node:http server logging one line a request by more than half
 * (docs/benchmarks.md), and a wait this short is below what a human or a log shipper notices.
 */
export const SINK_LINGER_MS = 2;
/** Lingers in a row that found nothing before the sink sleeps until it is rung. */
export const SINK_LINGER_ROUNDS = 3;
const SINK_STATE = 17;
export const SINK_RUNNING = 1;
export const SINK_STOPPED = 2;
const FLUSH_REQUEST = 32;
const FLUSH_DONE = 48;
const STOP_REASON = 64;
const STOP_REASON_MAX = 252;
export const CONTROL_BYTES = 512;

function align8(n: number): number {
  return (n + 7) & ~7;
}

export function isValidRingBytes(n: unknown): n is number {
  return (
    typeof n === 'number' &&
    Number.isInteger(n) &&
    n >= MIN_RING_BYTES &&
    n <= MAX_RING_BYTES &&
    (n & (n - 1)) === 0
  );
}

/** A new ring's memory: header plus `capacity` data bytes. */
export function createRingBuffer(capacity: number): SharedArrayBuffer {
  if (!isValidRingBytes(capacity)) {
    throw new RangeError(`ring capacity must be a power of two in ${MIN_RING_BYTES}..2^30`);
  }
  return new SharedArrayBuffer(RING_HEADER_BYTES + capacity);
}

export function ringCapacity(sab: SharedArrayBuffer): number {
  return sab.byteLength - RING_HEADER_BYTES;
}

/** The producer side. Owned by one thread; not safe to share. */
export class RingWriter {
  readonly capacity: number;
  /** Batches whose text could be longer than this go out as fragments. */
  readonly fragmentLimit: number;
  /** Most bytes ever in use at the moment of a publish. */
  highWaterBytes = 0;
  private readonly mask: number;
  private readonly header: Int32Array;
  private readonly counters: BigInt64Array;
  private readonly words: Int32Array;
  private readonly bytes: Buffer;
  private writePos: number;
  /** READ_POS as the last tryWriteFrame() saw it. */
  private readSeen = 0;

  constructor(sab: SharedArrayBuffer) {
    this.capacity = ringCapacity(sab);
    this.mask = this.capacity - 1;
    // A quarter of the ring: a fragment always fits once the sink has drained a little.
    this.fragmentLimit = this.capacity >>> 2;
    this.header = new Int32Array(sab, 0, RING_HEADER_BYTES >>> 2);
    this.counters = new BigInt64Array(sab, 0, RING_HEADER_BYTES >>> 3);
    this.words = new Int32Array(sab, RING_HEADER_BYTES, this.capacity >>> 2);
    this.bytes = Buffer.from(sab, RING_HEADER_BYTES, this.capacity);
    this.writePos = Atomics.load(this.header, WRITE_POS) >>> 0;
  }

  /** Bytes currently between the sink's read position and ours. */
  usedBytes(): number {
    return (this.writePos - (Atomics.load(this.header, READ_POS) >>> 0)) >>> 0;
  }

  /**
   * Writes `text` (whole lines) with its level bytes as one frame and publishes it.
   * Returns false, writing nothing, when the ring has no room for it now.
   * `text` must be short enough: text.length * 3 + records + 24 <= fragmentLimit * 2,
   * which publishBatch guarantees by fragmenting.
   */
  tryWriteFrame(
    text: string,
    levels: Uint8ClampedArray,
    records: number,
    minLevel: number,
    kind: number,
  ): boolean {
    const cap = this.capacity;
    const head = FRAME_HEADER_BYTES + records;
    this.readSeen = Atomics.load(this.header, READ_POS);
    const used = (this.writePos - (this.readSeen >>> 0)) >>> 0;
    let free = cap - used;
    let off = this.writePos & this.mask;
    let toEnd = cap - off;
    // UTF-8 needs at most 3 bytes per UTF-16 unit; when that bound fits, skip measuring.
    const bound = align8(head + text.length * 3);
    let frame: number;
    let payloadBytes: number;
    if (bound <= toEnd && bound <= free) {
      payloadBytes = this.bytes.write(text, off + head, toEnd - head, 'utf8');
      frame = align8(head + payloadBytes);
    } else {
      payloadBytes = Buffer.byteLength(text, 'utf8');
      frame = align8(head + payloadBytes);
      const pad = frame > toEnd ? toEnd : 0;
      if (pad + frame > free) return false;
      if (pad !== 0) {
        const w = off >>> 2;
        this.words[w] = toEnd;
        this.words[w + 1] = FRAME_PAD;
        this.writePos = (this.writePos + toEnd) >>> 0;
        free -= toEnd;
        off = 0;
        toEnd = cap;
      }
      this.bytes.write(text, off + head, payloadBytes, 'utf8');
    }
    const w = off >>> 2;
    this.words[w] = frame;
    this.words[w + 1] = kind | (minLevel << 8);
    this.words[w + 2] = records;
    this.words[w + 3] = payloadBytes;
    if (records !== 0) this.bytes.set(levels.subarray(0, records), off + FRAME_HEADER_BYTES);
    this.writePos = (this.writePos + frame) >>> 0;
    const nowUsed = cap - free + frame;
    if (nowUsed > this.highWaterBytes) this.highWaterBytes = nowUsed;
    Atomics.store(this.header, WRITE_POS, this.writePos | 0);
    return true;
  }

  /**
   * After tryWriteFrame() refused: sleeps until the sink moves READ_POS from where that call
   * saw it, or `timeoutMs` passes. Returns at once if it has moved since (comparing with a
   * fresh load instead would sleep through a release that came in between). Ring first.
   */
  waitForSpace(timeoutMs: number): void {
    Atomics.store(this.header, PRODUCER_WAITING, 1);
    Atomics.wait(this.header, READ_POS, this.readSeen, timeoutMs);
    Atomics.store(this.header, PRODUCER_WAITING, 0);
  }

  recordsWritten(): number {
    return Number(Atomics.load(this.counters, RECORDS_WRITTEN));
  }

  /** Records published in a fragment run whose start a (restarted) sink never saw. */
  recordsDiscarded(): number {
    return Number(Atomics.load(this.counters, RECORDS_DISCARDED));
  }

  /** READ_POS now: tells whether the sink has released anything since an earlier look. */
  readPosition(): number {
    return Atomics.load(this.header, READ_POS);
  }

  /** WRITE_POS as this producer last published it (int32, as readPosition()). */
  writePosition(): number {
    return this.writePos | 0;
  }

  /** The generation of the sink that drains this ring (0: none yet). */
  attachedGeneration(): number {
    return Atomics.load(this.header, ATTACHED_GEN);
  }

  /** Blocks until a sink of generation `gen` has attached this ring, or `timeoutMs` passes. */
  waitAttached(gen: number, timeoutMs: number): boolean {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = Atomics.load(this.header, ATTACHED_GEN);
      if (seen === gen) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      Atomics.wait(this.header, ATTACHED_GEN, seen, left);
    }
  }

  /** As waitAttached(), without blocking the thread. */
  async waitAttachedAsync(gen: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = Atomics.load(this.header, ATTACHED_GEN);
      if (seen === gen) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      const r = Atomics.waitAsync(this.header, ATTACHED_GEN, seen, left);
      if (r.async) await r.value;
    }
  }
}

/**
 * The consumer side. `nextBatch()` steps to the next batch (skipping padding, joining
 * fragments) and exposes it in the fields below; `release()` hands everything stepped over
 * back to the producer. `payload` is a view into the ring, valid until `release()`.
 */
export class RingReader {
  readonly capacity: number;
  /** The batch `nextBatch()` stopped on. */
  payload: Buffer = Buffer.alloc(0);
  records = 0;
  minLevel = 0;
  /** Offset in `bytes` of the batch's level bytes, one per record. */
  levelsStart = 0;
  readonly bytes: Buffer;
  private readonly mask: number;
  private readonly header: Int32Array;
  private readonly counters: BigInt64Array;
  private readonly words: Int32Array;
  private readPos: number;
  private writePosSeen: number;
  /** Copies of the open fragment run's pieces (see FRAGMENT RUNS). */
  private readonly fragments: Buffer[] = [];
  /** True from a FRAME_FIRST until its run ends or is found abandoned. */
  private inRun = false;
  /** Records of runs whose start we never saw, not yet added to RECORDS_DISCARDED. */
  private discarded = 0;
  /** Batches handed out by nextBatch() since the last release(). */
  private unreleased = 0;

  constructor(sab: SharedArrayBuffer) {
    this.capacity = ringCapacity(sab);
    this.mask = this.capacity - 1;
    this.header = new Int32Array(sab, 0, RING_HEADER_BYTES >>> 2);
    this.counters = new BigInt64Array(sab, 0, RING_HEADER_BYTES >>> 3);
    this.words = new Int32Array(sab, RING_HEADER_BYTES, this.capacity >>> 2);
    this.bytes = Buffer.from(sab, RING_HEADER_BYTES, this.capacity);
    this.readPos = Atomics.load(this.header, READ_POS) >>> 0;
    this.writePosSeen = this.readPos;
  }

  /** True when the producer has published bytes we have not stepped over yet. */
  hasData(): boolean {
    this.writePosSeen = Atomics.load(this.header, WRITE_POS) >>> 0;
    return this.writePosSeen !== this.readPos;
  }

  /** Steps onto the next whole batch; false when none is published yet. */
  nextBatch(): boolean {
    for (;;) {
      if (this.writePosSeen === this.readPos && !this.hasData()) {
        // Padding and (copied) fragments stepped over need no writing: hand their space back
        // now, or a producer waiting for it would wait for a release that never comes.
        if (this.unreleased === 0) this.publishReadPos();
        return false;
      }
      const off = this.readPos & this.mask;
      const w = off >>> 2;
      const frameBytes = this.words[w]!;
      const flags = this.words[w + 1]!;
      this.readPos = (this.readPos + frameBytes) >>> 0;
      if ((flags & FRAME_PAD) !== 0) continue;
      const records = this.words[w + 2]!;
      const payloadStart = off + FRAME_HEADER_BYTES + records;
      const payload = this.bytes.subarray(payloadStart, payloadStart + this.words[w + 3]!);
      if ((flags & FRAME_FRAGMENT) !== 0) {
        if ((flags & FRAME_FIRST) !== 0) {
          this.fragments.length = 0; // a run still open was abandoned by the producer
          this.inRun = true;
        }
        // Copied: a run may outlive a release(). Without a run open we began mid-run: skipped.
        if (this.inRun) this.fragments.push(Buffer.from(payload));
        continue;
      }
      if ((flags & FRAME_LAST) !== 0) {
        if (!this.inRun) {
          // The end of a run whose first fragments an earlier reader took with it.
          this.discarded += records;
          continue;
        }
        this.fragments.push(payload);
        this.payload = Buffer.concat(this.fragments);
      } else {
        this.payload = payload;
      }
      if (this.inRun) {
        // Ended by FRAME_LAST, or abandoned by the producer when a plain batch comes.
        this.fragments.length = 0;
        this.inRun = false;
      }
      this.records = records;
      this.minLevel = (flags >>> 8) & 0xff;
      this.levelsStart = off + FRAME_HEADER_BYTES;
      this.unreleased++;
      return true;
    }
  }

  /** Tells the producer that the sink of generation `gen` drains this ring from now on. */
  markAttached(gen: number): void {
    Atomics.store(this.header, ATTACHED_GEN, gen);
    Atomics.notify(this.header, ATTACHED_GEN);
  }

  /** Counts `recordsWritten` and publishes our read position: everything stepped over is done. */
  release(recordsWritten: number): void {
    if (recordsWritten !== 0) Atomics.add(this.counters, RECORDS_WRITTEN, BigInt(recordsWritten));
    this.unreleased = 0;
    this.publishReadPos();
  }

  private publishReadPos(): void {
    if (Atomics.load(this.header, READ_POS) >>> 0 === this.readPos) return;
    if (this.discarded !== 0) {
      Atomics.add(this.counters, RECORDS_DISCARDED, BigInt(this.discarded));
      this.discarded = 0;
    }
    Atomics.store(this.header, READ_POS, this.readPos | 0);
    if (Atomics.load(this.header, PRODUCER_WAITING) === 1) {
      Atomics.store(this.header, PRODUCER_WAITING, 0);
      Atomics.notify(this.header, READ_POS);
    }
  }
}

export function createControlBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(CONTROL_BYTES);
}

/** Producer side of the control block. */
export class SinkDoorbell {
  private readonly ctl: Int32Array;

  constructor(sab: SharedArrayBuffer) {
    this.ctl = new Int32Array(sab);
  }

  /**
   * Call after publishing: wakes the sink if it sleeps, and also if it lingers when `urgent`
   * (the ring holds enough, channel.ts). A lingering sink looks on its own within
   * SINK_LINGER_MS. True when it rang.
   */
  ring(urgent = false): boolean {
    const state = Atomics.load(this.ctl, SINK_SLEEPING);
    // Taking the state back to 0 first: the publishes that follow before the sink has run
    // (a thread's wake-up can take longer than a turn) do not ring it again.
    if (
      (state === SINK_ASLEEP || (urgent && state === SINK_LINGERING)) &&
      Atomics.compareExchange(this.ctl, SINK_SLEEPING, state, 0) === state
    ) {
      this.wake();
      return true;
    }
    return false;
  }

  /**
   * Left by a sink that retired (process-block.ts): the next publish of any thread rings,
   * and its host, seeing no sink, starts one.
   */
  markAsleep(): void {
    Atomics.store(this.ctl, SINK_SLEEPING, SINK_ASLEEP);
  }

  /** DOORBELL's count: how many times the sink was rung so far (wraps at 2^32). */
  wakes(): number {
    return Atomics.load(this.ctl, DOORBELL) >>> 0;
  }

  wake(): void {
    Atomics.add(this.ctl, DOORBELL, 1);
    Atomics.notify(this.ctl, DOORBELL);
  }

  /** Takes a flush ticket and wakes the sink. */
  requestFlush(): number {
    const ticket = (Atomics.add(this.ctl, FLUSH_REQUEST, 1) + 1) | 0;
    this.wake();
    return ticket;
  }

  /** True once a sink has announced that its thread is ending. */
  sinkStopped(): boolean {
    return Atomics.load(this.ctl, SINK_STATE) === SINK_STOPPED;
  }

  /** What the stopped sink said about why, if anything. */
  stopReason(): string | undefined {
    const n = Atomics.load(this.ctl, STOP_REASON);
    if (n <= 0) return undefined;
    return Buffer.from(this.ctl.buffer, (STOP_REASON + 1) * 4, n).toString('utf8');
  }

  /** Forgets a stopped sink before starting the next one. */
  resetSinkState(): void {
    Atomics.store(this.ctl, STOP_REASON, 0);
    Atomics.store(this.ctl, SINK_STATE, 0);
  }

  isFlushed(ticket: number): boolean {
    // Wrap-safe comparison of int32 sequence numbers.
    return ((Atomics.load(this.ctl, FLUSH_DONE) - ticket) | 0) >= 0;
  }

  /**
   * Marks every ticket handed out as served. Only for a producer that has itself written
   * everything published (the fallback after the sink failed for good): no sink will.
   */
  settleFlushes(): void {
    Atomics.store(this.ctl, FLUSH_DONE, Atomics.load(this.ctl, FLUSH_REQUEST));
    Atomics.notify(this.ctl, FLUSH_DONE);
  }

  /** Blocks until `ticket` is served, the sink stops, or `timeoutMs` passes. */
  waitFlushedSync(ticket: number, timeoutMs: number): boolean {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const done = Atomics.load(this.ctl, FLUSH_DONE);
      if (((done - ticket) | 0) >= 0) return true;
      const left = deadline - Date.now();
      if (left <= 0 || this.sinkStopped()) return false;
      Atomics.wait(this.ctl, FLUSH_DONE, done, left);
    }
  }

  /** Resolves true when `ticket` is served, false after `timeoutMs`. */
  async waitFlushed(ticket: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const done = Atomics.load(this.ctl, FLUSH_DONE);
      if (((done - ticket) | 0) >= 0) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      const r = Atomics.waitAsync(this.ctl, FLUSH_DONE, done, left);
      if (r.async) await r.value;
    }
  }
}

/** Consumer side of the control block. */
export class SinkAlarm {
  private readonly ctl: Int32Array;

  constructor(sab: SharedArrayBuffer) {
    this.ctl = new Int32Array(sab);
  }

  markRunning(): void {
    Atomics.store(this.ctl, SINK_STATE, SINK_RUNNING);
  }

  /** Wakes every producer sleeping on a full ring of `rings` (a sink that retired). */
  wakeProducers(rings: Iterable<SharedArrayBuffer>): void {
    for (const sab of rings)
      Atomics.notify(new Int32Array(sab, 0, RING_HEADER_BYTES >>> 2), READ_POS);
  }

  /** Announces the end of this sink and wakes every producer that may be waiting on it. */
  markStopped(rings: Iterable<SharedArrayBuffer>, reason?: string): void {
    if (reason !== undefined && Atomics.load(this.ctl, SINK_STATE) !== SINK_STOPPED) {
      const room = Buffer.from(this.ctl.buffer, (STOP_REASON + 1) * 4, STOP_REASON_MAX);
      const n = room.write(reason, 0, 'utf8');
      Atomics.store(this.ctl, STOP_REASON, n);
    }
    Atomics.store(this.ctl, SINK_STATE, SINK_STOPPED);
    Atomics.notify(this.ctl, FLUSH_DONE);
    for (const sab of rings)
      Atomics.notify(new Int32Array(sab, 0, RING_HEADER_BYTES >>> 2), READ_POS);
  }

  /** The flush ticket to serve once every ring is drained. */
  flushRequested(): number {
    return Atomics.load(this.ctl, FLUSH_REQUEST);
  }

  flushDone(): number {
    return Atomics.load(this.ctl, FLUSH_DONE);
  }

  hasPendingFlush(): boolean {
    return Atomics.load(this.ctl, FLUSH_REQUEST) !== Atomics.load(this.ctl, FLUSH_DONE);
  }

  /** Stores `ticket` as served unless a later one already is (a retiring sink may serve
   * tickets past a flush still in flight: process-block.ts). */
  markFlushed(ticket: number): void {
    for (;;) {
      const done = Atomics.load(this.ctl, FLUSH_DONE);
      if (((ticket - done) | 0) <= 0) break;
      if (Atomics.compareExchange(this.ctl, FLUSH_DONE, done, ticket) === done) break;
    }
    Atomics.notify(this.ctl, FLUSH_DONE);
  }

  /**
   * Sleeps until a producer rings, or with `lingerMs`, lingers: waits at most that long, rung
   * only by wake() or an urgent ring (see the header). `hasWork` is checked after announcing
   * the state, so a publish that raced with us is never missed. Resolves at once when there is
   * work.
   */
  async sleep(hasWork: () => boolean, lingerMs?: number): Promise<void> {
    Atomics.store(this.ctl, SINK_SLEEPING, lingerMs === undefined ? SINK_ASLEEP : SINK_LINGERING);
    const seen = Atomics.load(this.ctl, DOORBELL);
    if (!hasWork()) {
      const r = Atomics.waitAsync(this.ctl, DOORBELL, seen, lingerMs);
      if (r.async) await r.value;
    }
    Atomics.store(this.ctl, SINK_SLEEPING, 0);
  }
}
