/**
 * Destinations that cannot be opened: a directory that cannot be created (/proc/nope/x.log,
 * where Node's own recursive mkdir loops for ever), a path that is a directory (EISDIR), a
 * parent that is a file (ENOTDIR), a directory the user may not write (EACCES). Each is
 * reported once, naming the path and the errno; the records go to stderr instead; flush() and
 * the exit are not held up, and SIGTERM under handleSignals ends the process by SIGTERM.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanUp,
  type Ended,
  mountTmpfs,
  parseLines,
  runFaults,
  start,
  tempDir,
  unmount,
} from './fault-helpers.js';
import { fixture } from './helpers.js';

afterEach(cleanUp);

const N = 200;

/** Resolves with the run, or rejects if it has not ended within `ms` (the pid is killed after). */
function within(ended: Promise<Ended>, ms: number): Promise<Ended> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms);
  });
  return Promise.race([ended, late]).finally(() => clearTimeout(timer));
}

/** The JSON records among the lines of stderr (ringlog's own reports start with "ringlog:"). */
function recordsOnStderr(stderr: string): number[] {
  const json = stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => `${l}\n`)
    .join('');
  const { records, dup } = parseLines(json);
  expect(dup).toEqual([]);
  return records.map((r) => r.i as number);
}

function expectFallback(r: Ended, path: string, errno: string): void {
  expect(r.code).toBe(0);
  expect(r.stderr).toContain(`file:${path}: could not be created: ${errno}`);
  expect(r.stderr).toContain('its records go to stderr instead [RINGLOG_DESTINATION_UNAVAILABLE]');
  // Reported once, not once per batch.
  expect(r.stderr.split('RINGLOG_DESTINATION_UNAVAILABLE').length).toBe(2);
  expect(recordsOnStderr(r.stderr)).toEqual(Array.from({ length: N }, (_, k) => k));
  const out = JSON.parse(r.stdout) as { flush: { ms: number; error: string | null } };
  expect(out.flush.error).toBeNull();
  expect(out.flush.ms).toBeLessThan(2000);
}

describe('a destination that cannot be opened', () => {
  it('a directory that cannot be created (/proc/nope/x.log): reported, stderr instead, the process ends', async () => {
    const r = await within(runFaults(['open', '/proc/nope/x.log', String(N)]).ended, 30_000);
    expectFallback(r, '/proc/nope/x.log', "ENOENT: no such file or directory, mkdir '/proc/nope'");
  });

  it("the same through setup('production') and LOG_DESTINATION", async () => {
    const r = await within(
      runFaults(['preset', String(N)], { env: { LOG_DESTINATION: '/proc/nope/x.log' } }).ended,
      30_000,
    );
    expectFallback(r, '/proc/nope/x.log', 'ENOENT');
  });

  it('SIGTERM ends it by SIGTERM, promptly, under handleSignals', async () => {
    let killedAt = 0;
    const run = runFaults(['open', '/proc/nope/x.log', String(N), 'wait']);
    run.child.stdout!.once('data', () => {
      killedAt = Date.now();
      run.child.kill('SIGTERM');
    });
    const r = await within(run.ended, 30_000);
    expect(r.signal).toBe('SIGTERM');
    expect(killedAt).toBeGreaterThan(0);
    // exitTimeoutMs is 5000 by default; the sink is not stuck, so far less than that.
    expect(Date.now() - killedAt).toBeLessThan(5000);
  });

  it('a path that is a directory (EISDIR)', async () => {
    const dir = tempDir();
    const r = await within(runFaults(['open', dir, String(N)]).ended, 30_000);
    expectFallback(r, dir, 'EISDIR');
  });

  it('a parent that is a file (ENOTDIR)', async () => {
    const file = join(tempDir(), 'plain-file');
    writeFileSync(file, '');
    const path = join(file, 'x.log');
    const r = await within(runFaults(['open', path, String(N)]).ended, 30_000);
    expectFallback(r, path, 'ENOTDIR');
  });

  it('a read-only file system (EROFS)', async (ctx) => {
    const mount = mountTmpfs('1m', true);
    if ('reason' in mount) {
      ctx.skip(`EROFS test skipped: ${mount.reason}`);
      return;
    }
    try {
      const path = join(mount.dir, 'x.log');
      const r = await within(runFaults(['open', path, String(N)]).ended, 30_000);
      expectFallback(r, path, 'EROFS');
    } finally {
      unmount(mount.dir);
    }
  });

  it('a directory the user may not write (EACCES), run as an unprivileged uid', async (ctx) => {
    if (process.getuid?.() !== 0) {
      ctx.skip('EACCES test skipped: it needs root to start the app as another uid (setpriv)');
      return;
    }
    const dir = join(tempDir(), 'root-only');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    chmodSync(join(dir, '..'), 0o755);
    const path = join(dir, 'x.log');
    const run = start('setpriv', [
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      process.execPath,
      fixture('faults.mjs'),
      'open',
      path,
      String(N),
    ]);
    const r = await within(run.ended, 30_000);
    if (r.code !== 0 && /setpriv|EACCES.*faults\.mjs|Cannot find module/.test(r.stderr)) {
      ctx.skip(
        `EACCES test skipped: uid 65534 cannot run the fixture here: ${r.stderr.slice(0, 200)}`,
      );
      return;
    }
    expectFallback(r, path, 'EACCES');
  });
});
