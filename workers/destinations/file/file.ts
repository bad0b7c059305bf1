/**
 * A file path, through sonic-boom (sync, contentMode 'buffer': see stream.ts for why), with
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
import sonicBoom, { type SonicBoom as SonicBoomClass } from 'sonic-boom';
import { destinationName } from '../../../src/protocol/destination-name.js';
import { ErrorCodes, errorMessage } from '../../../src/protocol/errors.js';
import type { DestinationSpec } from '../../../src/protocol/messages.js';
import { reportDestinationError } from '../report.js';
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

// sonic-boom is CommonJS while its types declare an ES default export (see stream.ts).
const SonicBoom = sonicBoom as unknown as typeof SonicBoomClass;

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

  let written = 0;
  let errors = 0;
  let size = 0;
  let fileStart = 0;
  let boundary = Number.POSITIVE_INFINITY;
  let retryAt = 0;
  let jobs: Promise<void> = Promise.resolve();

  const fail = (code: string, what: string, err: unknown): void => {
    errors++;
    reportDestinationError(name, code, `${what}: ${errorMessage(err)}`);
  };

  const open = (append: boolean): SonicBoomClass => {
    const sonic = new SonicBoom({
      dest: spec.path,
      sync: true,
      contentMode: 'buffer',
      mkdir: spec.mkdir,
      append,
    });
    // What is already in the file decides its period: a file last written yesterday is
    // rotated as yesterday's before today's first record goes in.
    // sonic-boom's types omit its public `fd`.
    const st = fstatSync((sonic as unknown as { fd: number }).fd);
    size = st.size;
    fileStart = periodStart(size > 0 ? st.mtimeMs : now(), stampInterval, utc);
    boundary = interval === null ? Number.POSITIVE_INFINITY : nextPeriod(fileStart, interval, utc);
    return sonic;
  };

  const updateSymlink = (code: string): void => {
    if (spec.symlink === null) return;
    try {
      pointSymlink(spec.symlink, spec.path);
    } catch (err) {
      fail(code, `could not point symlink ${spec.symlink} at the file`, err);
    }
  };

  /** Closes a file swapped out (fsync and close run asynchronously in sonic-boom); an error
   * there would otherwise be an 'error' event nobody listens to, which throws. */
  const retire = (old: SonicBoomClass, code: string): void => {
    old.on('error', (err) => fail(code, 'could not close the previous file', err));
    old.destroy();
  };

  let sonic = open(spec.append);
  updateSymlink(ErrorCodes.ROTATE_FAILED);

  const put = (chunk: Buffer, lines: number): void => {
    sonic.write(chunk as unknown as string);
    size += chunk.length;
    written += lines;
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
    sonic.flushSync();
    let target: string;
    try {
      target = nextRotatedPath(spec.path, periodStamp(fileStart, stampInterval, utc));
      renameSync(spec.path, target);
    } catch (err) {
      retryAt = t + ROTATE_RETRY_MS;
      fail(ErrorCodes.ROTATE_FAILED, 'could not rename the file to rotate it', err);
      return;
    }
    let next: SonicBoomClass;
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
    retire(sonic, ErrorCodes.ROTATE_FAILED);
    sonic = next;
    updateSymlink(ErrorCodes.ROTATE_FAILED);
    if (rot?.compress === 'gzip') compress(target);
    prune();
  };

  return {
    name,
    minLevel: spec.minLevel,
    write(chunk, records?: number) {
      let lines = records ?? countLines(chunk);
      if (rot !== null) {
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
    flush() {
      sonic.flushSync();
    },
    async close() {
      sonic.flushSync();
      sonic.destroy();
      await jobs;
    },
    reopen() {
      let next: SonicBoomClass;
      try {
        sonic.flushSync();
        next = open(true);
      } catch (err) {
        fail(ErrorCodes.REOPEN_FAILED, 'could not reopen; still writing to the file it had', err);
        return false;
      }
      retire(sonic, ErrorCodes.REOPEN_FAILED);
      sonic = next;
      updateSymlink(ErrorCodes.REOPEN_FAILED);
      return true;
    },
    stats() {
      // Writes are synchronous: nothing waits in a buffer. A write that throws is caught by
      // the sink's Route, which counts its records as dropped for this destination.
      return { written, dropped: 0, errors, buffered: 0 };
    },
    idle() {
      return jobs;
    },
  };
}
