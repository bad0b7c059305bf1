/**
 * ringlog's own writer for the sink's fd, file and pretty destinations: one non-blocking
 * write(2) attempt per batch (to a pipe, FIFO or terminal: pieces of whole lines of at most
 * PIPE_BUF, which a pipe takes whole or not at all), and nothing that can hold the sink thread
 * beyond that. What a write could not hand over is kept in a bounded buffer of whole records
 * and retried from the sink's event loop, with backoff; what does not fit is dropped and
 * counted. docs/reliability.md lists every fault and what happens.
 *
 * Per errno (the first failure of an episode is reported once, with its code):
 *
 *   EAGAIN, EWOULDBLOCK,   "busy": a pipe, FIFO or terminal whose reader is slower than the
 *   EBUSY, EINTR           logs. The unwritten tail is held (a record already begun is always
 *                          finished, never dropped) and retried every 1–64 ms. A full buffer
 *                          pauses the ring (paused()) while the reader keeps reading; after
 *                          STUCK_MS without progress, records for it alone are dropped
 *                          (RINGLOG_DESTINATION_BACKLOG).
 *   ENOSPC, EDQUOT, EFBIG, "failing": the bytes of a record cut short by the failing write are
 *   EIO, anything else     cut off the file again (ftruncate, files this writer opened), so no
 *                          partial line stays; the records are held from that boundary and
 *                          retried every 50 ms to 1 s (RINGLOG_WRITE_FAILED, then
 *                          RINGLOG_WRITE_RESUMED when a write succeeds again). No record is
 *                          written twice: the held bytes start where the file now ends.
 *   EPIPE, EBADF, ENXIO,   "gone": the reader is gone for good. Nothing is written there again;
 *   ECONNRESET, EINVAL     what was held and every later record is counted as dropped
 *                          (RINGLOG_DESTINATION_CLOSED).
 *
 * Why not sonic-boom (4.2.1, which ringlog used before): its synchronous flush sleeps and
 * retries for ever on any error but EAGAIN (ENOSPC, EPIPE), which froze the one sink thread
 * and every other destination with it; and it retries with buffers that may point into ring
 * memory already reused, which wrote duplicated and broken lines when space returned.
 */

import {
  closeSync,
  constants,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { ErrorCodes } from '../../../src/protocol/errors.js';
import { reportDestinationError } from '../report.js';
import type { DestinationState, DestinationStats } from '../types.js';

/** Bytes a destination may hold while it cannot write: four default rings' worth of
 * records, about 16,000 S2 lines. Past it new records are dropped (counted). */
export const HOLD_BYTES = 4 << 20;

/** A busy destination whose buffer is full pauses its ring (backpressure: the app then
 * applies its onFull policy) for as long as the reader keeps taking bytes; after this long
 * without progress the reader counts as stuck, and records for it alone are dropped. */
export const STUCK_MS = 1000;

/** Called when a paused writer can take records again (the sink wakes itself). */
let resumeHook: () => void = () => {};
export function onWriterResumed(hook: () => void): void {
  resumeHook = hook;
}

/** Retry delays while busy (a slow reader): short, since the reader is there. */
const BUSY_FIRST_MS = 1;
const BUSY_MAX_MS = 64;
/** Retry delays while failing (a full disk): a syscall a second at most once settled. */
const FAILING_FIRST_MS = 50;
const FAILING_MAX_MS = 1000;

const NEWLINE = 10;
/** Linux's PIPE_BUF: the largest write a pipe takes atomically. */
const PIPE_BUF = 4096;

type Trouble = 'busy' | 'failing' | 'gone';

const BUSY_CODES = new Set(['EAGAIN', 'EWOULDBLOCK', 'EBUSY', 'EINTR']);
const GONE_CODES = new Set(['EPIPE', 'EBADF', 'ENXIO', 'ECONNRESET', 'EINVAL']);

function troubleOf(code: string | undefined): Trouble {
  if (code !== undefined && BUSY_CODES.has(code)) return 'busy';
  if (code !== undefined && GONE_CODES.has(code)) return 'gone';
  return 'failing';
}

function errnoText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const code = typeof e?.code === 'string' ? e.code : 'unknown error';
  const text = typeof e?.message === 'string' ? e.message.split(',', 1)[0]! : '';
  return text.startsWith(code) ? text : `${code}: ${text}`;
}

function countLines(buf: Buffer, end = buf.length): number {
  let n = 0;
  for (let i = buf.indexOf(NEWLINE); i !== -1 && i < end; i = buf.indexOf(NEWLINE, i + 1)) n++;
  return n;
}

/** Records held while the destination cannot write: a copy, since the sink's chunk is lent. */
interface Held {
  buf: Buffer;
  records: number;
}

export interface FdWriterOptions {
  /** True when this writer opened the fd (a file path, or a reopened pipe): it closes it,
   * and it may cut a partial record off the end of a regular file (its writes append). */
  owned: boolean;
  /** Overrides HOLD_BYTES (tests). */
  holdBytes?: number;
  /** Overrides STUCK_MS (tests). */
  stuckMs?: number;
}

export class FdWriter {
  readonly name: string;
  readonly fd: number;
  private readonly owned: boolean;
  private readonly regular: boolean;
  private readonly holdBytes: number;
  private readonly stuckMs: number;
  private held: Held[] = [];
  private heldBytes = 0;
  private heldRecords = 0;
  /** Bytes of the first held record already handed to the fd (a pipe took part of it). */
  private partial = 0;
  private trouble: Trouble | undefined;
  private troubleSince = 0;
  private droppedInTrouble = 0;
  private backoffMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private waiters: Array<() => void> = [];
  /** When a write last handed over bytes (Date.now()). */
  private lastProgress = 0;
  private closed = false;
  written = 0;
  dropped = 0;
  errors = 0;

  constructor(name: string, fd: number, options: FdWriterOptions) {
    this.name = name;
    this.fd = fd;
    this.owned = options.owned;
    this.holdBytes = options.holdBytes ?? HOLD_BYTES;
    this.stuckMs = options.stuckMs ?? STUCK_MS;
    let regular = false;
    try {
      regular = fstatSync(fd).isFile();
    } catch {
      // Not ours to judge here: the first write reports what is wrong with it.
    }
    this.regular = regular;
  }

  /** Hands `records` whole lines to the fd, or holds or drops them; never throws, never
   * waits beyond one write(2). The chunk is only lent (it may be ring memory). */
  write(chunk: Buffer, records: number): void {
    if (chunk.length === 0) return;
    if (this.trouble === 'gone' || this.closed) {
      this.dropped += records;
      return;
    }
    if (this.held.length > 0) {
      this.hold(chunk, records);
      this.drain();
      return;
    }
    const off = this.attempt(chunk);
    if (off === chunk.length) {
      this.written += records;
      if (this.trouble !== undefined) this.recovered();
      return;
    }
    this.settle(chunk, off, records, true);
  }

  /** Records held right now (not yet written, not dropped). */
  get buffered(): number {
    return this.heldRecords;
  }

  /**
   * True while the sink should take no more records for this writer's ring: the reader is
   * slow (busy), the buffer is full, and the reader took bytes within STUCK_MS.
   */
  paused(): boolean {
    return (
      this.trouble === 'busy' &&
      this.heldBytes >= this.holdBytes &&
      Date.now() - this.lastProgress < this.stuckMs
    );
  }

  /** True while records wait here for the fd. */
  holding(): boolean {
    return this.held.length > 0;
  }

  /**
   * Tries to write what is held. While a reader is merely slow (busy), waits for it up to
   * `boundMs`; a destination that is failing or gone does not hold up the flush of the
   * others: its records stay held (or were counted as dropped).
   */
  flush(boundMs = 0): void | Promise<void> {
    this.drain();
    if (this.held.length === 0 || this.trouble !== 'busy' || boundMs <= 0) return;
    return new Promise<void>((resolve) => {
      // A little before the sink's own bound, so the sink does not report us as late.
      const t = setTimeout(done, Math.max(1, boundMs - Math.min(50, boundMs >>> 3)));
      t.unref();
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.waiters.push(done);
    });
  }

  /**
   * The end of the process (or of the destination): one last attempt, then what is still held
   * is counted as dropped and reported. A record a pipe had taken part of stays cut: the one
   * case where a reader can see a partial line (docs/reliability.md).
   */
  finish(why: string): void {
    this.drain();
    if (this.held.length === 0) return;
    const lost = this.heldRecords;
    this.dropped += lost;
    this.clearHeld();
    this.stopTimer();
    this.wakeWaiters();
    reportDestinationError(
      this.name,
      ErrorCodes.WRITE_FAILED,
      `${lost} records still held ${why} were dropped (${this.describeTrouble()})`,
    );
  }

  /** finish(), then closes the fd if this writer opened it. */
  close(why = 'when the destination closed'): void {
    if (this.closed) return;
    this.finish(why);
    this.closed = true;
    this.stopTimer();
    if (this.owned) {
      try {
        closeSync(this.fd);
      } catch {
        // Closing cannot lose anything we still hold: nothing is held now.
      }
    }
  }

  /** Moves what this writer holds to `next` (a reopened or rotated file), in order. */
  handOver(next: FdWriter): void {
    for (const h of this.held) next.hold(h.buf, h.records);
    this.clearHeld();
    this.stopTimer();
    next.drain();
  }

  /** closed once the reader is gone or it was closed; failing while records are dropped for
   * want of room (a full buffer, a stuck reader); retrying while records are held. */
  state(): DestinationState {
    if (this.closed || this.trouble === 'gone') return 'closed';
    if (this.trouble === undefined) return 'ok';
    return this.droppedInTrouble > 0 ? 'failing' : 'retrying';
  }

  stats(): DestinationStats {
    return {
      written: this.written,
      dropped: this.dropped,
      errors: this.errors,
      buffered: this.heldRecords,
    };
  }

  /** Writes from `buf` until done or an error; returns the bytes handed over. The error, if
   * any, is kept in lastError. */
  private lastError: unknown;
  private attempt(buf: Buffer): number {
    let off = 0;
    try {
      while (off < buf.length) {
        let end = buf.length;
        if (!this.regular && end - off > PIPE_BUF) {
          // A pipe takes a write of at most PIPE_BUF bytes whole or not at all (POSIX): in
          // pieces of whole lines that fit, a reader that stops can never be left with half
          // a record. A line longer than that goes alone, and is the one exception.
          end = buf.lastIndexOf(NEWLINE, off + PIPE_BUF - 1) + 1;
          if (end <= off) end = buf.indexOf(NEWLINE, off) + 1 || buf.length;
        }
        const n = writeSync(this.fd, buf, off, end - off);
        if (n <= 0) throw Object.assign(new Error('EAGAIN: wrote nothing'), { code: 'EAGAIN' });
        off += n;
        this.lastProgress = Date.now();
      }
    } catch (err) {
      this.lastError = err;
    }
    return off;
  }

  /**
   * After a write that handed over `off` bytes of `buf` and then failed: counts what went
   * out, cuts a partial record off a file, and holds (or drops) the rest. `fresh`: `buf` is a
   * chunk from the sink (nothing was held); otherwise it is the first held entry.
   */
  private settle(buf: Buffer, off: number, records: number, fresh: boolean): void {
    const err = this.lastError;
    this.lastError = undefined;
    const kind = troubleOf((err as NodeJS.ErrnoException | undefined)?.code);
    // Records wholly written, and the bytes of the next one that went out with them.
    const lastEnd = off === 0 ? -1 : buf.lastIndexOf(NEWLINE, off - 1);
    // (Clamped: a pretty record may span several lines.)
    const done = lastEnd < 0 ? 0 : Math.min(records, countLines(buf, lastEnd + 1));
    this.written += done;
    // Bytes of the unfinished record written by earlier writes, and by this one.
    const before = fresh || lastEnd >= 0 ? 0 : this.partial;
    let tail = lastEnd < 0 ? off : off - (lastEnd + 1);
    let rest = buf.subarray(off);
    if (tail > 0 && before === 0 && kind === 'failing' && this.cutPartial(tail, buf, off)) {
      rest = buf.subarray(off - tail);
      tail = 0;
    }
    this.partial = before + tail;
    const left = records - done;
    if (fresh) this.holdFront(rest, left);
    else this.replaceFront(rest, left);
    this.enterTrouble(kind, err);
    if (kind === 'gone') {
      const lost = this.heldRecords;
      this.dropped += lost;
      this.droppedInTrouble += lost;
      this.clearHeld();
      this.stopTimer();
      this.wakeWaiters();
      return;
    }
    this.schedule();
  }

  /**
   * Takes the last `partial` bytes back off a regular file this writer appends to, after
   * checking that they are the ones it wrote. False where that cannot be done (a pipe, or a
   * file shared through the app's own fd): the record is then finished when writes succeed.
   */
  private cutPartial(partial: number, buf: Buffer, off: number): boolean {
    if (!this.owned || !this.regular) return false;
    try {
      const size = fstatSync(this.fd).size;
      if (size < partial) return false;
      const tail = Buffer.alloc(Math.min(partial, off));
      readSync(this.fd, tail, 0, tail.length, size - tail.length);
      if (!tail.equals(buf.subarray(off - tail.length, off))) return false;
      ftruncateSync(this.fd, size - partial);
      return true;
    } catch {
      return false;
    }
  }

  private enterTrouble(kind: Trouble, err: unknown): void {
    if (this.trouble === kind) return;
    const was = this.trouble;
    this.trouble = kind;
    if (was === undefined) {
      this.troubleSince = Date.now();
      this.droppedInTrouble = 0;
    }
    this.backoffMs = 0;
    if (kind === 'busy') return; // a slow reader: normal, said only if records are dropped
    this.errors++;
    if (kind === 'gone') {
      reportDestinationError(
        this.name,
        ErrorCodes.DESTINATION_CLOSED,
        `write failed with ${errnoText(err)}: the reader is gone; nothing more is written here, and its records are counted as dropped`,
      );
    } else {
      this.cause = errnoText(err);
      reportDestinationError(
        this.name,
        ErrorCodes.WRITE_FAILED,
        `write failed with ${this.cause}; holding up to ${this.holdBytes} bytes of records and retrying with backoff; records past that are dropped`,
      );
    }
  }

  private cause = '';
  private describeTrouble(): string {
    if (this.trouble === 'busy') return 'the reader did not take them';
    if (this.trouble === 'failing') return `writes failed with ${this.cause}`;
    return 'the reader is gone';
  }

  private recovered(): void {
    const was = this.trouble;
    this.trouble = undefined;
    this.backoffMs = 0;
    if (was === 'failing' || this.droppedInTrouble > 0) {
      reportDestinationError(
        this.name,
        ErrorCodes.WRITE_RESUMED,
        `writing again after ${Date.now() - this.troubleSince} ms; ${this.droppedInTrouble} records were dropped meanwhile`,
      );
    }
    this.droppedInTrouble = 0;
  }

  /** Keeps a copy of `buf` at the end of the held queue, or drops it if the bound is hit. */
  private hold(buf: Buffer, records: number): void {
    if (buf.length === 0) return;
    const slowButAlive = this.trouble === 'busy' && Date.now() - this.lastProgress < this.stuckMs;
    // A slow reader pauses the ring instead (paused()): what arrives before the pause is held.
    if (this.heldBytes + buf.length > this.holdBytes && !slowButAlive) {
      this.dropped += records;
      if (this.droppedInTrouble === 0 && this.trouble === 'busy') {
        reportDestinationError(
          this.name,
          ErrorCodes.DESTINATION_BACKLOG,
          `its buffer of ${this.holdBytes} bytes is full and the reader took nothing for ${this.stuckMs} ms; records for it are dropped`,
        );
      }
      this.droppedInTrouble += records;
      return;
    }
    this.held.push({ buf: Buffer.from(buf), records });
    this.heldBytes += buf.length;
    this.heldRecords += records;
  }

  /** The unwritten rest of a fresh chunk: held first in line (nothing else was held). */
  private holdFront(rest: Buffer, records: number): void {
    if (this.partial > 0) {
      // A record already begun must be finished, whatever the bound: hold it regardless.
      this.held.push({ buf: Buffer.from(rest), records });
      this.heldBytes += rest.length;
      this.heldRecords += records;
      return;
    }
    this.hold(rest, records);
  }

  /** After a retry of the first held entry: it now holds `rest`, `records` lines. */
  private replaceFront(rest: Buffer, records: number): void {
    const head = this.held[0]!;
    this.heldBytes += rest.length - head.buf.length;
    this.heldRecords += records - head.records;
    if (rest.length === 0) {
      this.held.shift();
      return;
    }
    head.buf = rest.buffer === head.buf.buffer ? rest : Buffer.from(rest);
    head.records = records;
  }

  private clearHeld(): void {
    this.held = [];
    this.heldBytes = 0;
    this.heldRecords = 0;
    this.partial = 0;
  }

  /** Writes held entries in order until one fails or none is left. */
  drain(): void {
    while (this.held.length > 0 && this.trouble !== 'gone') {
      const head = this.held[0]!;
      const off = this.attempt(head.buf);
      if (off === head.buf.length) {
        this.written += head.records;
        this.held.shift();
        this.heldBytes -= head.buf.length;
        this.heldRecords -= head.records;
        this.partial = 0;
        continue;
      }
      this.settle(head.buf, off, head.records, false);
      return;
    }
    if (this.held.length === 0) {
      if (this.trouble !== undefined && this.trouble !== 'gone') this.recovered();
      this.stopTimer();
      this.wakeWaiters();
    }
  }

  private wakeWaiters(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.held.length === 0) return;
    const busy = this.trouble === 'busy';
    this.backoffMs =
      this.backoffMs === 0
        ? busy
          ? BUSY_FIRST_MS
          : FAILING_FIRST_MS
        : Math.min(this.backoffMs * 2, busy ? BUSY_MAX_MS : FAILING_MAX_MS);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const wasPaused = this.paused();
      this.drain();
      if (wasPaused && !this.paused()) resumeHook();
      this.schedule();
    }, this.backoffMs);
    // The sink's event loop runs between rounds; the timer must not keep the worker alive.
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/**
 * A writable fd of the sink's own for the process's fd `fd`: for a pipe, FIFO or terminal, a
 * new open file description of the same object (`/proc/self/fd/N`, Linux), non-blocking, so a
 * reader that stops cannot block the sink; the app's own fd keeps its flags. Files, sockets
 * (which cannot be opened that way) and systems without /proc use the fd itself.
 */
export function openFdWriter(name: string, fd: number): FdWriter {
  let own = -1;
  try {
    const st = fstatSync(fd);
    if (st.isFIFO() || st.isCharacterDevice()) {
      own = openSync(`/proc/self/fd/${fd}`, constants.O_WRONLY | constants.O_NONBLOCK);
    }
  } catch {
    own = -1;
  }
  return own >= 0
    ? new FdWriter(name, own, { owned: true })
    : new FdWriter(name, fd, { owned: false });
}

/**
 * Opens `path` for appending (truncating first unless `append`), non-blocking so that a FIFO
 * without a reader fails at once (ENXIO) instead of blocking the sink for good. With `mkdir`,
 * missing parent directories are created first, by a bounded walk: Node's recursive
 * mkdirSync loops for ever on some paths (`/proc/nope`, where mkdir says ENOENT under a
 * directory that exists), and it would hold the sink thread and the process's exit with it.
 */
export function openFileWriter(
  name: string,
  path: string,
  options: { mkdir: boolean; append: boolean; holdBytes?: number },
): FdWriter {
  if (options.mkdir) makeParentDirectories(path);
  // Read access too, for a regular file: a partial record is read back before it is cut off
  // (cutPartial). Not for a FIFO, where it would make the sink a reader of its own output.
  let special = false;
  try {
    const st = statSync(path);
    special = !st.isFile();
  } catch {
    // Missing: created below as a regular file.
  }
  const flags =
    (special ? constants.O_WRONLY : constants.O_RDWR) |
    constants.O_CREAT |
    constants.O_APPEND |
    constants.O_NONBLOCK |
    (options.append ? 0 : constants.O_TRUNC);
  const fd = openSync(path, flags, 0o666);
  const w: FdWriterOptions = { owned: true };
  if (options.holdBytes !== undefined) w.holdBytes = options.holdBytes;
  return new FdWriter(name, fd, w);
}

/** Deepest path mkdir -p walks up; far beyond any real directory tree. */
const MAX_MKDIR_DEPTH = 256;

export function makeParentDirectories(path: string): void {
  const missing: string[] = [];
  let dir = dirname(path);
  for (let depth = 0; ; depth++) {
    try {
      if (statSync(dir).isDirectory()) break;
      throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), {
        code: 'ENOTDIR',
        path: dir,
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const parent = dirname(dir);
    if (parent === dir || depth >= MAX_MKDIR_DEPTH) break;
    missing.push(dir);
    dir = parent;
  }
  for (let i = missing.length - 1; i >= 0; i--) {
    try {
      mkdirSync(missing[i]!);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}
