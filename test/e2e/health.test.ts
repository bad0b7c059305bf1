/**
 * logger.health() under real faults: a full tmpfs (ENOSPC), stderr piped into `head -c 100`
 * (EPIPE), an HTTP receiver stopped and started again mid-run, and a sink stuck in a
 * destination. Each child app (test/fixtures/health.mjs) samples health() as the fault comes
 * and goes and writes what it saw into a file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, type LoggerHealth } from '../../src/index.js';
import {
  cleanUp,
  fillTmpfs,
  mountTmpfs,
  readLines,
  start,
  tempDir,
  unmount,
} from './fault-helpers.js';
import { fixture, waitFor } from './helpers.js';
import { type Receiver, startReceiver } from './http-receiver.js';

afterEach(cleanUp);

interface Sample {
  health: LoggerHealth;
  seen: string[];
  met: boolean;
}

const read = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

function runHealth(args: string[], onStderr?: (text: string) => void) {
  return start(process.execPath, [fixture('health.mjs'), ...args], {
    onStderr: onStderr === undefined ? undefined : (text) => onStderr(text),
  });
}

describe('health() under real faults', () => {
  it('a full disk: retrying with ENOSPC while held, ok again once space returns', async (ctx) => {
    const mount = mountTmpfs('1m');
    if ('reason' in mount) {
      ctx.skip(`ENOSPC test skipped: ${mount.reason}`);
      return;
    }
    try {
      const filler = fillTmpfs(mount.dir);
      const out = join(tempDir(), 'out.json');
      const n = 2000;
      const t0 = Date.now();
      const r = await runHealth(['enospc', mount.dir, String(n), filler, out]).ended;
      expect(r.code, r.stderr).toBe(0);
      const { before, full, after, metrics } = read<{
        before: Sample;
        full: Sample;
        after: Sample;
        metrics: { destinations: Array<{ written: number }> };
      }>(out);

      expect(before.met).toBe(true);
      expect(before.health.ok).toBe(true);
      expect(before.health.destinations[0]).toMatchObject({ state: 'ok', lastError: null });

      const d = full.health.destinations[0]!;
      expect(d.name).toBe(`file:${mount.dir}/a.log`);
      expect(d.state).toBe('retrying');
      expect(d.buffered).toBeGreaterThan(0);
      expect(d.lastError).toMatchObject({ code: 'RINGLOG_WRITE_FAILED', errno: 'ENOSPC' });
      expect(d.lastError!.at).toBeGreaterThanOrEqual(t0);
      expect(d.lastError!.at).toBeLessThanOrEqual(Date.now());
      // Held, not lost: the logger is still ok, and the sink alive.
      expect(full.health.ok).toBe(true);
      expect(full.health.sink.alive).toBe(true);

      expect(after.met).toBe(true);
      const a = after.health.destinations[0]!;
      expect(a.state).toBe('ok');
      expect(a.buffered).toBe(0);
      // The last error stays on record, with its time, after the destination recovered.
      expect(a.lastError).toEqual(d.lastError);
      expect(after.health.oldestPendingMs).toBeLessThan(2000);

      // What health() said is what reached the file: every record once, whole.
      const lines = readLines(join(mount.dir, 'a.log'));
      expect(lines.dup).toEqual([]);
      expect(lines.records.length).toBe(n + 100);
      expect(metrics.destinations[0]!.written).toBe(n + 100);
    } finally {
      unmount(mount.dir);
    }
  }, 60_000);

  it('stderr piped into head -c 100: closed, with EPIPE', async () => {
    const out = join(tempDir(), 'out.json');
    const cmd = `exec "${process.execPath}" "${fixture('health.mjs')}" epipe 20000 "${out}" 2>&1 >/dev/null | head -c 100 >/dev/null`;
    const r = await start('sh', ['-c', cmd]).ended;
    expect(r.code).toBe(0);
    const { closed, metrics } = read<{
      closed: Sample;
      metrics: { destinations: Array<{ dropped: number; written: number }> };
    }>(out);
    expect(closed.met).toBe(true);
    const d = closed.health.destinations[0]!;
    expect(d).toMatchObject({ name: 'stderr', state: 'closed' });
    expect(d.lastError).toMatchObject({ code: 'RINGLOG_DESTINATION_CLOSED', errno: 'EPIPE' });
    expect(closed.health.ok).toBe(false);
    // The sink itself is fine: only that destination stopped.
    expect(closed.health.sink.alive).toBe(true);
    expect(metrics.destinations[0]!.dropped).toBeGreaterThan(0);
  }, 60_000);

  it('an HTTP receiver that goes down: failing with ECONNREFUSED, then ok once it is back', async () => {
    let receiver: Receiver | undefined = await startReceiver();
    const port = receiver.port;
    const out = join(tempDir(), 'out.json');
    let stage = '';
    let switching = Promise.resolve();
    try {
      const { ended } = runHealth(['http', receiver.url, out], (text) => {
        if (stage === '' && text.includes('up\n')) {
          stage = 'up';
          const r = receiver!;
          receiver = undefined;
          switching = r.close();
        } else if (stage === 'up' && text.includes('down\n')) {
          stage = 'down';
          switching = switching.then(async () => {
            receiver = await startReceiver(() => ({ status: 200 }), port);
          });
        }
      });
      const r = await ended;
      await switching;
      expect(r.code, r.stderr).toBe(0);
      expect(stage).toBe('down');
      const { up, down, back, logged, metrics } = read<{
        up: Sample;
        down: Sample;
        back: Sample;
        logged: number;
        metrics: { destinations: Array<{ written: number; dropped: number }> };
      }>(out);
      expect(up.met).toBe(true);
      expect(up.health.destinations[0]).toMatchObject({ state: 'ok', lastError: null });

      expect(down.met).toBe(true);
      const d = down.health.destinations[0]!;
      expect(d.state).toBe('failing');
      expect(d.lastError).toMatchObject({
        code: 'RINGLOG_HTTP_UNAVAILABLE',
        errno: 'ECONNREFUSED',
      });
      expect(down.health.ok).toBe(false);
      expect(down.health.sink.alive).toBe(true);
      // Retried before the breaker opened: the states went ok → retrying → failing.
      expect(down.seen).toEqual(['ok', 'retrying', 'failing']);

      expect(back.met).toBe(true);
      expect(back.health.destinations[0]).toMatchObject({ state: 'ok', buffered: 0 });
      expect(back.health.ok).toBe(true);
      // Every record reached a receiver: the first one, or the one after the outage.
      expect(metrics.destinations[0]!.written).toBe(logged);
      expect(metrics.destinations[0]!.dropped).toBe(0);
    } finally {
      await switching;
      await receiver?.close();
    }
  }, 60_000);

  it('a sink stuck in a destination: not alive, and the oldest pending age grows', async () => {
    const dir = tempDir();
    const out = join(dir, 'out.json');
    const r = await runHealth(['stuck', '5000', join(dir, 'stuck.log'), out]).ended;
    expect(r.code, r.stderr).toBe(0);
    const { before, stuck1, stuck2 } = read<{
      before: LoggerHealth;
      stuck1: LoggerHealth;
      stuck2: LoggerHealth;
    }>(out);
    expect(before.sink.alive).toBe(true);
    expect(before.ok).toBe(true);
    expect(before.oldestPendingMs).toBe(0);

    expect(stuck1.sink.alive).toBe(false);
    expect(stuck1.ok).toBe(false);
    expect(stuck1.sink.lastRoundAgeMs).toBeGreaterThan(2000);
    // The sink stopped 2.5 s ago with records in the ring: they wait since then.
    expect(stuck1.oldestPendingMs).toBeGreaterThanOrEqual(2400);
    expect(stuck2.oldestPendingMs - stuck1.oldestPendingMs).toBeGreaterThanOrEqual(900);
    expect(stuck2.sink.lastRoundAgeMs! - stuck1.sink.lastRoundAgeMs!).toBeGreaterThanOrEqual(900);
  }, 60_000);

  it('a destination whose write throws, with no state() of its own: failing, then ok once a write succeeds', async () => {
    const dir = tempDir();
    const log = createLogger({
      destination: [
        {
          type: 'module',
          module: new URL('../fixtures/destinations/faulty.mjs', import.meta.url).href,
          options: { path: join(dir, 'throws.log'), mode: 'throw-once', at: 2 },
        },
        { type: 'file', path: join(dir, 'ok.log') },
      ],
    });
    try {
      log.info({ i: 0 }, 'first');
      await log.flush();
      expect(log.health().destinations.map((d) => d.state)).toEqual(['ok', 'ok']);
      log.info({ i: 1 }, 'second: thrown away by the module');
      await log.flush();
      const h = log.health();
      expect(h.destinations[0]).toMatchObject({
        state: 'failing',
        lastError: { code: 'RINGLOG_DESTINATION_FAILED', errno: null },
      });
      // The other destination goes on, and says so.
      expect(h.destinations[1]).toMatchObject({ state: 'ok', lastError: null });
      expect(h.ok).toBe(false);
      log.info({ i: 2 }, 'third');
      await log.flush();
      await waitFor(() => log.health().destinations[0]!.state === 'ok', 5000);
      expect(log.health().ok).toBe(true);
      expect(readLines(join(dir, 'throws.log')).records.map((r) => r.i)).toEqual([0, 2]);
      expect(readLines(join(dir, 'ok.log')).records.map((r) => r.i)).toEqual([0, 1, 2]);
    } finally {
      await log.close();
    }
  });
});
