/**
 * Helpers for the fault tests: the fault fixture started through helpers.ts start() (ended by
 * its process group when the test ends), temp dirs, and a small tmpfs mounted for one test
 * when root.
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { endChildren, fixture, type RunResult, start } from './helpers.js';

export { start };
/** How a child started by start() ended. */
export type Ended = RunResult;

const dirs: string[] = [];

/** For afterEach: ends every child still running, removes every tempDir(). */
export function cleanUp(): void {
  endChildren();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Runs test/fixtures/faults.mjs in `mode`. */
export function runFaults(
  args: string[],
  options: Parameters<typeof start>[2] = {},
): { child: ChildProcess; ended: Promise<Ended> } {
  return start(process.execPath, [fixture('faults.mjs'), ...args], options);
}

/** A temporary directory, removed by cleanUp(). */
export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ringlog-fault-'));
  dirs.push(d);
  return d;
}

/** Mounts a tmpfs of `size` at a new directory (read-only with `readOnly`); the reason
 * instead when that is not possible here. */
export function mountTmpfs(size: string, readOnly = false): { dir: string } | { reason: string } {
  if (process.platform !== 'linux') return { reason: 'tmpfs mounts need Linux' };
  if (process.getuid?.() !== 0) return { reason: 'mounting a tmpfs needs root (CI runs as root)' };
  const dir = mkdtempSync(join(tmpdir(), 'ringlog-fault-mnt-'));
  try {
    const opts = `size=${size}${readOnly ? ',ro' : ''}`;
    execFileSync('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir], { stdio: 'pipe' });
    return { dir };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return { reason: `mount -t tmpfs failed: ${(err as Error).message.split('\n', 1)[0]}` };
  }
}

/**
 * Fills a 1 MiB tmpfs up to `leaveBytes` free (48 KiB: a few hundred records fit, the rest
 * meet ENOSPC) and returns the filler's path: deleting it gives the space back.
 */
export function fillTmpfs(dir: string, leaveBytes = 48 * 1024): string {
  const filler = join(dir, 'filler');
  try {
    writeFileSync(filler, Buffer.alloc(1024 * 1024 - leaveBytes));
  } catch {
    // Full already: what was written stays, which is what we want.
  }
  return filler;
}

export function unmount(dir: string): void {
  try {
    execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every line parsed (throws on one that is not JSON), and the `i`s seen more than once. */
export function parseLines(text: string): {
  records: Array<Record<string, unknown>>;
  dup: number[];
} {
  if (text.length > 0 && !text.endsWith('\n')) throw new Error('output ends inside a line');
  const records = text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l, n) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new Error(`line ${n + 1} is not JSON: ${l.slice(0, 120)}`);
      }
    });
  const seen = new Set<unknown>();
  const dup: number[] = [];
  for (const r of records) {
    if (seen.has(r.i)) dup.push(r.i as number);
    seen.add(r.i);
  }
  return { records, dup };
}

export function readLines(file: string): ReturnType<typeof parseLines> {
  return parseLines(readFileSync(file, 'utf8'));
}
