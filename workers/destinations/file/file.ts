/**
 * A file path, through ringlog's own writer (stream/fd-writer.ts: one write per batch; a full
 * disk holds records in a bounded buffer and retries, never a partial line), with
 * built-in rotation by size and/or time, retention, gzip of rotated files, a symlink to the
 * current file, and reopen at the same path for external rotation (logrotate).
 *
 * write() always gets whole NDJSON lines (a batch). Rotation happens before a batch or
 * between two of its lines, never inside one: a record is in exactly one file, whole. The current
 * file keeps its name; the full file is renamed (names in file-rotation.ts), a new one is
 * opened at the path, and compression and retention run afterwards in the background while
 * writes go on. A failed rotation or reopen is reported (RINGLOG_ROTATE_FAILED,
 * RINGLOG_REOPEN_FAILED), counted, and the destination keeps writing to the file it has.
 */

import { existsSync, fstatSync, renameSync } from 'node:fs';
import { destinationName } from '../../../src/protocol/destination-name.js';
import { ErrorCodes, errorMessage } from '../../../src/protocol/errors.js';
import type { DestinationSpec } from '../../../src/protocol/messages.js';
import { reportDestinationError } from '../report.js';
import { type FdWriter, openFileWriter } from '../stream/fd-writer.js';
import type { Destination, DestinationStats } from '../types.js';
import {
  gzipFile,
  type Interval,
  nextPeriod,
  nextRotatedPath,
  periodStamp,
  periodStart,
  pointSymlink,
  pruneRotated,
  unfinishedCompressions,
} from './rotation.js';

type FileSpec = Extract<DestinationSpec, { kind: 'file' }>;

/** After a failed rotation, writes go on to the current file and the next attempt waits
 * this long, so a persistent failure (read-only directory) costs one syscall a second, not
 * one a batch. */
const ROTATE_RETRY_MS = 1000;

export interface FileDestination extends Destination {
  /** Opens the path again and swaps to it; false (reported, counted) keeps the old file. */
  reopen(): boolean;
  stats(): DestinationStats;
  /** Resolves once background compression and pruning queued so far are done. */
  idle(): Promise<void>;
}

/** Lines in a chunk of whole NDJSON lines, for callers that do not pass the count. */
function countLines(chunk: Buffer): number {
  let n = 0;
  for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
  return n;
}

/**
 * @param now the clock for time rotation. Tests pass a fake one to cross day and hour
 *   boundaries; the sink always uses Date.now.
 */
export function createFileDestination(
  spec: FileSpec,
  now: () => number = Date.now,
): FileDestination {
  const name = destinationName(spec);
  const rot = spec.rotation;
  const interval: Interval | null = rot?.interval ?? null;
  // Rotated names carry the day (or hour) the file's records began in.
  const stampInterval: Interval = interval ?? 'daily';
  const utc = rot?.utc ?? false;
  const sizeLimit = rot?.sizeBytes ?? Number.POSITIVE_INFINITY;

  let errors = 0;
  // Counts of the writers swapped out by rotation or reopen.
  let past = { written: 0, dropped: 0, errors: 0 };
  let size = 0;
  let fileStart = 0;
  let boundary = Number.POSITIVE_INFINITY;
  let retryAt = 0;
  let jobs: Promise<void> = Promise.resolve();

  const fail = (code: string, what: string, err: unknown): void => {
    errors++;
    reportDestinationError(name, code, `${what}: ${errorMessage(err)}`);
  };

  const open = (append: boolean): FdWriter => {
    const w = openFileWriter(name, spec.path, { mkdir: spec.mkdir, append });
    // What is already in the file decides its period: a file last written yesterday is
    // rotated as yesterday's before today's first record goes in.
    let st: ReturnType<typeof fstatSync>;
    try {
      st = fstatSync(w.fd);
      if (!st.isFile() && !st.isFIFO() && !st.isCharacterDevice() && !st.isSocket())
        throw new Error(`${spec.path} is not a file`);
    } catch (err) {
      w.close();
      throw err;
    }
    size = st.size;
    fileStart = periodStart(size > 0 ? st.mtimeMs : now(), stampInterval, utc);
    boundary = interval === null ? Number.POSITIVE_INFINITY : nextPeriod(fileStart, interval, utc);
    return w;
  };

  const updateSymlink = (code: string): void => {
    if (spec.symlink === null) return;
    try {
      pointSymlink(spec.symlink, spec.path);
    } catch (err) {
      fail(code, `could not point symlink ${spec.symlink} at the file`, err);
    }
  };

  /** Closes a file swapped out; what it still held goes on to the new one, in order. */
  const retire = (old: FdWriter, next: FdWriter): void => {
    old.handOver(next);
    old.close();
    past = {
      written: past.written + old.written,
      dropped: past.dropped + old.dropped,
      errors: past.errors + old.errors,
    };
  };

  let writer = open(spec.append);
  updateSymlink(ErrorCodes.ROTATE_FAILED);

  const put = (chunk: Buffer, lines: number): void => {
    writer.write(chunk, lines);
    size += chunk.length;
  };

  const enqueue = (job: () => Promise<void> | void, what: string): void => {
    jobs = jobs.then(job).catch((err: unknown) => fail(ErrorCodes.ROTATE_FAILED, what, err));
  };

  const compress = (target: string): void => {
    enqueue(async () => {
      // `keep` may have deleted it while it waited its turn (rotations outpacing gzip).
      if (existsSync(target)) await gzipFile(target);
    }, `could not gzip ${target}`);
  };

  const prune = (): void => {
    const keep = rot?.keep ?? null;
    if (keep !== null) enqueue(() => void pruneRotated(spec.path, keep), 'could not prune');
  };

  // Rotated files a previous process did not get to compress are compressed now.
  if (rot?.compress === 'gzip') {
    try {
      for (const f of unfinishedCompressions(spec.path)) compress(f);
    } catch (err) {
      fail(ErrorCodes.ROTATE_FAILED, 'could not look for files left uncompressed', err);
    }
  }
  prune();

  const rotate = (t: number): void => {
    if (size === 0) {
      // Nothing to rename: the empty file simply moves on to the new period.
      fileStart = periodStart(t, stampInterval, utc);
      boundary =
        interval === null ? Number.POSITIVE_INFINITY : nextPeriod(fileStart, interval, utc);
      return;
    }
    let target: string;
    try {
      target = nextRotatedPath(spec.path, periodStamp(fileStart, stampInterval, utc));
      renameSync(spec.path, target);
    } catch (err) {
      retryAt = t + ROTATE_RETRY_MS;
      fail(ErrorCodes.ROTATE_FAILED, 'could not rename the file to rotate it', err);
      return;
    }
    let next: FdWriter;
    try {
      next = open(true);
    } catch (err) {
      retryAt = t + ROTATE_RETRY_MS;
      // Put the name back so that the next attempt starts from the same state.
      try {
        renameSync(target, spec.path);
      } catch {
        // The records are still in `target`, written through the fd we keep.
      }
      fail(ErrorCodes.ROTATE_FAILED, 'could not open a new file after rotating', err);
      return;
    }
    retire(writer, next);
    writer = next;
    updateSymlink(ErrorCodes.ROTATE_FAILED);
    if (rot?.compress === 'gzip') compress(target);
    prune();
  };

  return {
    name,
    minLevel: spec.minLevel,
    write(chunk, records?: number) {
      let lines = records ?? countLines(chunk);
      // While the file cannot be written, records wait in the writer's buffer, in order:
      // rotation waits for them to be written.
      if (rot !== null && !writer.holding()) {
        const t = now();
        if (t >= boundary && t >= retryAt) rotate(t);
        // Fill the file with the whole lines that fit, rotate, go on with the rest: a record
        // is never cut, and a file passes `size` only to hold a single line larger than it.
        while (size + chunk.length > sizeLimit && t >= retryAt) {
          const room = sizeLimit - size;
          let cut = room > 0 ? chunk.lastIndexOf(10, room - 1) + 1 : 0;
          if (cut === 0 && size === 0) cut = chunk.indexOf(10) + 1;
          if (cut > 0) {
            const piece = chunk.subarray(0, cut);
            const n = countLines(piece);
            put(piece, n);
            chunk = chunk.subarray(cut);
            lines -= n;
            if (chunk.length === 0) return;
          } else if (size === 0) {
            break; // no line end at all: not a batch of lines, write it as it is
          }
          rotate(t);
        }
      }
      put(chunk, lines);
    },
    flush(boundMs) {
      return writer.flush(boundMs);
    },
    end() {
      writer.finish('at exit');
    },
    async close() {
      writer.close();
      await jobs;
    },
    reopen() {
      let next: FdWriter;
      try {
        next = open(true);
      } catch (err) {
        fail(ErrorCodes.REOPEN_FAILED, 'could not reopen; still writing to the file it had', err);
        return false;
      }
      retire(writer, next);
      writer = next;
      updateSymlink(ErrorCodes.REOPEN_FAILED);
      return true;
    },
    stats() {
      const s = writer.stats();
      return {
        written: past.written + s.written,
        dropped: past.dropped + s.dropped,
        errors: errors + past.errors + s.errors,
        buffered: s.buffered,
      };
    },
    paused() {
      return writer.paused();
    },
    state() {
      return writer.state();
    },
    idle() {
      return jobs;
    },
  };
}
