// The real Debian logrotate (installed by .ci/run) rotating a file that a child process logs
// to without pause; every record is then looked for in every file.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, waitFor } from '../e2e/helpers.js';

const N = 150_000;
const LOGROTATE = ['/usr/sbin/logrotate', '/sbin/logrotate'].find((p) => existsSync(p));

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Census {
  files: number;
  lines: number;
  /** Lines that are not whole JSON records (torn by a copy or a truncation). */
  torn: number;
  missing: number;
  duplicated: number;
}

function census(dir: string, n: number): Census {
  const count = new Uint16Array(n);
  let files = 0;
  let lines = 0;
  let torn = 0;
  for (const name of readdirSync(dir)) {
    if (!/^app\.log(\.\d+)?$/.test(name)) continue;
    files++;
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
      if (line.length === 0) continue;
      lines++;
      let i: unknown;
      try {
        i = (JSON.parse(line) as { i?: unknown }).i;
      } catch {
        torn++;
        continue;
      }
      if (typeof i === 'number' && i >= 0 && i < n) count[i]!++;
      else torn++;
    }
  }
  let missing = 0;
  let duplicated = 0;
  for (const c of count) {
    if (c === 0) missing++;
    else if (c > 1) duplicated += c - 1;
  }
  return { files, lines, torn, missing, duplicated };
}

function waitExit(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
}

/** Runs logrotate -f on `conf` every `everyMs` while the child runs; returns the run count. */
async function rotateWhileRunning(
  child: ChildProcess,
  dir: string,
  conf: string,
  everyMs: number,
): Promise<{ runs: number; exit: { code: number | null; signal: string | null }; stderr: string }> {
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const exited = waitExit(child);
  let done = false;
  void exited.then(() => {
    done = true;
  });
  let runs = 0;
  await waitFor(() => existsSync(join(dir, 'app.log')), 10_000, 'the child to open app.log');
  // Until the child has made its last call: in the last instant of a Node process's teardown
  // its signal handlers are gone, and a rotation's SIGHUP then would end it by that signal.
  const lastCall = join(dir, 'app.logged');
  while (!done && !existsSync(lastCall)) {
    await new Promise((r) => setTimeout(r, everyMs));
    if (done || existsSync(lastCall)) break;
    const r = spawnSync(LOGROTATE!, ['-f', '-s', join(dir, 'state'), conf], { encoding: 'utf8' });
    expect(r.stderr, 'logrotate stderr').toBe('');
    expect(r.status).toBe(0);
    runs++;
  }
  // logrotate runs synchronously: none is running now, so no signal can follow this.
  writeFileSync(join(dir, 'app.release'), '');
  return { runs, exit: await exited, stderr };
}

function start(dir: string, pauseMs: number): ChildProcess {
  return spawn(
    process.execPath,
    [fixture('logrotate-child.mjs'), dir, String(N), String(pauseMs)],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
}

function writeConf(dir: string, body: string): string {
  const conf = join(dir, 'logrotate.conf');
  writeFileSync(
    conf,
    `${join(dir, 'app.log')} {\n  rotate 1000\n  missingok\n  nocompress\n${body}}\n`,
  );
  // logrotate refuses a configuration that others may write.
  chmodSync(conf, 0o644);
  return conf;
}

describe.skipIf(LOGROTATE === undefined)('real logrotate on a file being written', () => {
  it('create + postrotate SIGHUP: no record lost, none duplicated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ringlog-logrotate-'));
    dirs.push(dir);
    const conf = writeConf(
      dir,
      `  create 0644\n  postrotate\n    kill -HUP "$(cat ${join(dir, 'app.pid')})"\n  endscript\n`,
    );
    // Dense writing, frequent rotation: a signal always arrives while batches are in flight.
    const { runs, exit, stderr } = await rotateWhileRunning(start(dir, 8), dir, conf, 100);
    expect(stderr).toBe('');
    expect(exit).toEqual({ code: 0, signal: null });
    const c = census(dir, N);
    console.log(`logrotate create+SIGHUP: ${runs} rotations, ${JSON.stringify(c)}`);
    expect(runs).toBeGreaterThanOrEqual(5);
    expect(c.files).toBe(runs + 1);
    expect(c).toMatchObject({ lines: N, torn: 0, missing: 0, duplicated: 0 });
  });

  it('copytruncate: measures what is lost between the copy and the truncation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ringlog-logrotate-'));
    dirs.push(dir);
    const conf = writeConf(dir, '  copytruncate\n');
    // Denser writing and more frequent rotation than above, so that writes do fall between
    // a copy and its truncation.
    const pauseMs = Number(process.env.RINGLOG_COPYTRUNCATE_PAUSE_MS ?? 4);
    const { runs, exit, stderr } = await rotateWhileRunning(start(dir, pauseMs), dir, conf, 100);
    expect(stderr).toBe('');
    expect(exit).toEqual({ code: 0, signal: null });
    const c = census(dir, N);
    console.log(`logrotate copytruncate: ${runs} rotations, ${JSON.stringify(c)}`);
    expect(runs).toBeGreaterThanOrEqual(3);
    // Nothing is written twice (the copy and the truncated file never share a record), and
    // the sink's O_APPEND writes land at the new end, so no NUL-filled hole appears. What
    // falls between copy and truncate is lost: counted here, not asserted to be zero.
    expect(c.duplicated).toBe(0);
    expect(c.lines - c.torn + c.missing).toBe(N);
  });
});
