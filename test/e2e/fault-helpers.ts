/**
 * Helpers for the fault tests: child processes that are always ended by their pid (or their
 * process group) when the test ends, and a small tmpfs mounted for one test when root.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture } from './helpers.js';

const children = new Set<ChildProcess>();
const dirs: string[] = [];

/** For afterEach: ends every child still running, removes every tempDir(). */
export function cleanUp(): void {
  killChildren();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Ends every child started by start() that is still running (SIGKILL, by pid or group). */
export function killChildren(): void {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null && c.pid !== undefined) {
      try {
        // Started as group leaders: a shell pipeline's members go with it.
        process.kill(-c.pid, 'SIGKILL');
      } catch {
        try {
          process.kill(c.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
  }
  children.clear();
}

export interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Starts `command args` in a process group of its own; resolves when it ends. */
export function start(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; onStderr?: (text: string, child: ChildProcess) => void } = {},
): { child: ChildProcess; ended: Promise<Ended> } {
  const started = Date.now();
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
    detached: true,
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    options.onStderr?.(stderr, child);
  });
  const ended = new Promise<Ended>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started }),
    );
  });
  return { child, ended };
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
