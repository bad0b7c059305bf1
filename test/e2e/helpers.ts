import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach } from 'vitest';

export const fixture = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

const made: string[] = [];
// Registered on the root suite of each test file that imports this module (vitest evaluates
// it once per file): that file's temp dirs go when its tests are done. Registered first, so
// it runs after the file's own afterAll hooks (vitest runs them in reverse order).
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A new directory under the system's temp dir, removed when the test file is done. */
export function tempDir(prefix = 'ringlog-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A path named `name` in a new temp dir (the file itself is not created). */
export function tempFile(name: string): string {
  return join(tempDir(), name);
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

const children = new Set<ChildProcess>();
// Whatever a test started and did not see end (it failed or timed out while waiting) is ended
// by its pid when the test ends, in every file that imports this module. Not for tests run
// with it.concurrent: one test's end would end the others' children (docs.test.ts spawns its
// own, each bounded by a timer).
afterEach(endChildren);

/** Ends every child started by start() that is still running (SIGKILL, by pid or group). */
export function endChildren(): void {
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

/**
 * Starts `command args` in a process group of its own, collecting its output; `ended`
 * resolves when it ends. Ended by endChildren() after the test if still running.
 */
export function start(
  command: string,
  args: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    /** Each chunk of stdout as it arrives. */
    onStdout?: (chunk: string) => void;
    /** All of stderr so far, each time more arrives. */
    onStderr?: (text: string, child: ChildProcess) => void;
  } = {},
): { child: ChildProcess; ended: Promise<RunResult> } {
  const started = Date.now();
  const child = spawn(command, args, {
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
    detached: true,
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    options.onStdout?.(d);
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    options.onStderr?.(stderr, child);
  });
  const ended = new Promise<RunResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started }),
    );
  });
  return { child, ended };
}

/** Runs a fixture with the same node, collecting its output. `onStart` may signal it. */
export function runFixture(
  name: string,
  args: string[],
  onStart?: (child: ChildProcess) => void,
  env: NodeJS.ProcessEnv = {},
): Promise<RunResult> {
  const { child, ended } = start(process.execPath, [fixture(name), ...args], { env });
  onStart?.(child);
  return ended;
}

/**
 * Polls `cond` every 10 ms until it holds, for at most `timeoutMs`; then throws, naming what
 * it waited for. The one way tests wait for something that happens on another thread or in
 * another process: a condition, never a fixed sleep.
 */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'the condition',
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Every line of a file parsed as JSON; throws on a line that is not. */
export function readRecords(file: string): Array<Record<string, unknown>> {
  const text = readFileSync(file, 'utf8');
  if (text.length > 0 && !text.endsWith('\n'))
    throw new Error('output does not end with a newline');
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l, n) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new Error(`line ${n + 1} is not JSON: ${l.slice(0, 200)}`);
      }
    });
}

/** Checks that records carry i = 0..n-1, each exactly once and in order. */
export function expectSequence(
  records: Array<Record<string, unknown>>,
  n: number,
): string | undefined {
  const seq = records
    .filter((r) => typeof r.i === 'number' && r.level === 30)
    .map((r) => r.i as number);
  if (seq.length !== n) return `expected ${n} records, found ${seq.length}`;
  for (let k = 0; k < n; k++)
    if (seq[k] !== k) return `record ${k} is out of place: found i=${seq[k]}`;
  return undefined;
}
