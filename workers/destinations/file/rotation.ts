/**
 * Names, time periods, compression and retention of rotated files.
 *
 * The current file always keeps the configured name (`app.log`), so `tail -F`, logrotate and
 * reopen all see one stable path. A rotated file is renamed beside it to
 *
 *   <stem>.<date>.<n><ext>          app.log → app.2026-11-30.1.log
 *   <stem>.<date>T<hh>.<n><ext>     with interval 'hourly': app.2026-11-30T14.1.log
 *
 * where <date> is the day (hour) its records began in, in local time or UTC (`utc`), and <n>
 * counts from 1 within that date so that size rotations in one day never collide. With
 * compress 'gzip' the file becomes `<name>.gz` once compressed (`<name>.gz.tmp` while it is
 * written). Names sort by (date, n) from oldest to newest; `keep` deletes from the oldest.
 */

import {
  createReadStream,
  createWriteStream,
  readdirSync,
  readlinkSync,
  renameSync,
  symlinkSync,
  unlinkSync,
} from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

export type Interval = 'daily' | 'hourly';

const HOUR_MS = 3_600_000;

/** Start (ms) of the day or hour that contains `ms`. */
export function periodStart(ms: number, interval: Interval, utc: boolean): number {
  if (interval === 'hourly') {
    // Floor the wall-clock time with the offset in force at `ms`: exact through the hour a
    // DST change repeats, where new Date(y, m, d, h) would name the first of the two.
    const offsetMs = utc ? 0 : new Date(ms).getTimezoneOffset() * 60_000;
    const wall = ms - offsetMs;
    return wall - (((wall % HOUR_MS) + HOUR_MS) % HOUR_MS) + offsetMs;
  }
  const d = new Date(ms);
  return utc
    ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())
    : new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** Start of the period after the one starting at `start`; always later than `start`. */
export function nextPeriod(start: number, interval: Interval, utc: boolean): number {
  // A local day lasts 23 to 25 hours around DST changes: step well into the next period,
  // then align.
  const next = periodStart(start + (interval === 'daily' ? 26 : 1.5) * HOUR_MS, interval, utc);
  return next > start ? next : start + HOUR_MS;
}

const pad = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** `2026-11-30` (daily) or `2026-11-30T14` (hourly) for the period starting at `start`. */
export function periodStamp(start: number, interval: Interval, utc: boolean): string {
  const d = new Date(start);
  const day = utc
    ? `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
    : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  if (interval === 'daily') return day;
  return `${day}T${pad(utc ? d.getUTCHours() : d.getHours())}`;
}

export interface RotatedFile {
  stamp: string;
  n: number;
  /** Every file of this rotation on disk: the plain file, its .gz, a .gz.tmp. */
  files: string[];
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Rotated files of `path` on disk, oldest first. */
export function listRotated(path: string): RotatedFile[] {
  const dir = dirname(path);
  const ext = extname(path);
  const stem = basename(path, ext);
  const pattern = new RegExp(
    `^${escapeRegExp(stem)}\\.(\\d{4}-\\d{2}-\\d{2}(?:T\\d{2})?)\\.(\\d+)${escapeRegExp(ext)}(?:\\.gz(?:\\.tmp)?)?$`,
  );
  const byKey = new Map<string, RotatedFile>();
  for (const name of readdirSync(dir)) {
    const m = pattern.exec(name);
    if (m === null) continue;
    const key = `${m[1]}.${m[2]}`;
    let entry = byKey.get(key);
    if (entry === undefined) {
      entry = { stamp: m[1]!, n: Number(m[2]), files: [] };
      byKey.set(key, entry);
    }
    entry.files.push(join(dir, name));
  }
  return [...byKey.values()].sort((a, b) =>
    a.stamp === b.stamp ? a.n - b.n : a.stamp < b.stamp ? -1 : 1,
  );
}

/** The path the current file is renamed to: the next free <n> for `stamp`. */
export function nextRotatedPath(path: string, stamp: string): string {
  let n = 0;
  for (const r of listRotated(path)) if (r.stamp === stamp && r.n > n) n = r.n;
  const ext = extname(path);
  return join(dirname(path), `${basename(path, ext)}.${stamp}.${n + 1}${ext}`);
}

/**
 * Compresses `src` into `src.gz` by streaming (zlib in libuv's thread pool; memory bounded by
 * the streams' buffers, whatever the file's size), then removes `src`. The sink keeps
 * writing meanwhile: nothing here blocks its thread. On failure `src` stays as it was.
 */
export async function gzipFile(src: string): Promise<void> {
  const tmp = `${src}.gz.tmp`;
  try {
    await pipeline(createReadStream(src), createGzip(), createWriteStream(tmp));
    await rename(tmp, `${src}.gz`);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await unlink(src);
}

/**
 * After a process ended in the middle of compressing: removes `.gz.tmp` leftovers and plain
 * files whose `.gz` is complete (renamed into place before the plain one is removed), and
 * returns the rotated files still to compress.
 */
export function unfinishedCompressions(path: string): string[] {
  const todo: string[] = [];
  for (const r of listRotated(path)) {
    const plain = r.files.find((f) => !f.endsWith('.gz') && !f.endsWith('.gz.tmp'));
    const done = r.files.some((f) => f.endsWith('.gz'));
    for (const f of r.files) if (f.endsWith('.gz.tmp')) unlinkSync(f);
    if (plain === undefined) continue;
    if (done) unlinkSync(plain);
    else todo.push(plain);
  }
  return todo;
}

/** Deletes the oldest rotated files beyond `keep`; returns the paths deleted. */
export function pruneRotated(path: string, keep: number): string[] {
  const rotated = listRotated(path);
  const deleted: string[] = [];
  for (const r of rotated.slice(0, Math.max(0, rotated.length - keep))) {
    for (const f of r.files) {
      unlinkSync(f);
      deleted.push(f);
    }
  }
  return deleted;
}

/** Points `link` at `target` by a relative path (the pair can move together), replacing
 * whatever was at `link` atomically (a new link renamed over it). */
export function pointSymlink(link: string, target: string): void {
  const wanted = relative(dirname(link), target);
  try {
    if (readlinkSync(link) === wanted) return;
  } catch {
    // Missing or not a link: (re)create it below.
  }
  const tmp = `${link}.${process.pid}.tmp`;
  try {
    unlinkSync(tmp);
  } catch {
    // Usually absent.
  }
  symlinkSync(wanted, tmp);
  renameSync(tmp, link);
}
