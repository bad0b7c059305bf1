import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readRecords, runFixture, tempFile } from './helpers.js';

const N = 100_000;

/** At-least-once across a sink restart: every record is there, in order, a batch may repeat. */
function expectAllOnceOrReplayed(records: Array<Record<string, unknown>>, n: number): void {
  const seen = new Set<number>();
  let last = -1;
  for (const r of records) {
    const i = r.i as number;
    if (i <= last) {
      // A replay restarts at an earlier record; it may not invent one.
      expect(seen.has(i)).toBe(true);
    }
    seen.add(i);
    last = i;
  }
  expect(seen.size).toBe(n);
}

describe('the sink worker dies mid-run', () => {
  it('is restarted after its thread is terminated and loses nothing', async () => {
    const file = tempFile('exit-once.log');
    const r = await runFixture('sink-failure.mjs', ['exit-once', file, String(N)]);
    expect(r.code).toBe(0);
    expect(existsSync(`${file}.exit-once.done`)).toBe(true);
    expect(r.stderr).toMatch(/exited with code 1/);
    const records = readRecords(file);
    expectAllOnceOrReplayed(records, N);
    // The restarted sink continued the destination's counters from shared memory: what the
    // first sink counted is still there, replays included.
    const m = JSON.parse(r.stdout);
    expect(m.workerRestarts).toBe(1);
    expect(m.destinations[0].written).toBe(records.length);
  });

  it('is restarted after a destination throws outside a call (uncaught in the worker)', async () => {
    const file = tempFile('async-throw.log');
    const r = await runFixture('sink-failure.mjs', ['async-throw-once', file, String(N)]);
    expect(r.code).toBe(0);
    expect(existsSync(`${file}.async-throw-once.done`)).toBe(true);
    expect(r.stderr).toMatch(/RINGLOG_SINK_CRASH/);
    expect(r.stderr).toMatch(/destination failed outside a call/);
    expectAllOnceOrReplayed(readRecords(file), N);
    expect(JSON.parse(r.stdout).workerRestarts).toBe(1);
  });

  it('falls back to synchronous stderr after repeated failures, and says so once', async () => {
    const file = tempFile('always.log');
    const r = await runFixture('sink-failure.mjs', ['exit-always', file, String(N)]);
    expect(r.code).toBe(0);
    expect(r.stderr.match(/RINGLOG_SINK_FALLBACK/g)).toHaveLength(1);
    // Records that reached the file before the failures began, plus all the rest on stderr.
    const onStderr = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const inFile =
      existsSync(file) && readFileSync(file, 'utf8').length > 0 ? readRecords(file) : [];
    expectAllOnceOrReplayed([...inFile, ...onStderr], N);
    const m = JSON.parse(r.stdout);
    expect(m.fallback).toBe(true);
  });
});

describe('the exit flush is bounded', () => {
  it('gives up after exitTimeoutMs and reports how many records were not written', async () => {
    const file = tempFile('stall.log');
    const r = await runFixture('sink-failure.mjs', ['stall', file, '2000', '500', '1']);
    expect(r.code).toBe(0);
    // 500 ms exit budget, plus process start; never the 60 s the destination stalls for.
    expect(r.ms).toBeLessThan(15_000);
    const m =
      /(\d+) records not written at exit: .*exitTimeoutMs=500 \(RINGLOG_FLUSH_TIMEOUT\)/.exec(
        r.stderr,
      );
    expect(m).not.toBeNull();
    const written = existsSync(file) ? readRecords(file).length : 0;
    expect(Number(m![1])).toBe(2000 - written);
    expect(Number(m![1])).toBeGreaterThan(0);
  });
});
