import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readRecords, runFixture, tempFile } from './helpers.js';

const N = 20_000;

interface DestMetrics {
  name: string;
  written: number;
  dropped: number;
  errors: number;
  buffered: number;
}

interface RunMetrics {
  enqueued: number;
  written: number;
  dropped: { total: number };
  workerRestarts: number;
  fallback: boolean;
  destinations: DestMetrics[];
  flushMs: number;
  flushError: string | null;
}

// What these tests count is isolation, not speed: on a loaded machine the 20,000 records can
// fill the ring before the sink has started, and the default 1 s blockTimeoutMs would drop some.
async function run(destinations: unknown[], n = N, options: object = {}) {
  const r = await runFixture('destinations-run.mjs', [
    JSON.stringify(destinations),
    String(n),
    JSON.stringify({ blockTimeoutMs: 60_000, ...options }),
  ]);
  expect(r.code).toBe(0);
  const m = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as RunMetrics;
  return { ...r, m };
}

/** i = 0..n-1 each once and in order, at whatever level (every 10th is a warn). */
function expectSequence(records: Array<Record<string, unknown>>, n: number): string | undefined {
  if (records.length !== n) return `expected ${n} records, found ${records.length}`;
  for (let k = 0; k < n; k++) {
    const r = records[k]!;
    if (r.i !== k || r.level !== (k % 10 === 9 ? 40 : 30))
      return `record ${k} is wrong: ${JSON.stringify(r)}`;
  }
  return undefined;
}

const lines = (file: string): number =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '').length
    : 0;

describe('one failing destination does not stop the others', () => {
  it('a module whose write throws loses its own records, the file beside it gets every one', async () => {
    const file = tempFile('all.log');
    const faultyFile = tempFile('faulty.log');
    const { m, stderr } = await run([
      { type: 'file', path: file },
      {
        type: 'module',
        module: 'faulty.mjs',
        options: { path: faultyFile, mode: 'always', at: 3 },
      },
    ]);
    expect(expectSequence(readRecords(file), N)).toBeUndefined();
    expect(m.workerRestarts).toBe(0);
    expect(m.enqueued).toBe(N);
    expect(m.written).toBe(N);
    const [fileStats, faulty] = m.destinations;
    expect(fileStats).toEqual({
      name: `file:${file}`,
      written: N,
      dropped: 0,
      errors: 0,
      buffered: 0,
    });
    // Two writes went through before it began to throw; every later record is dropped for it.
    const reached = lines(faultyFile);
    expect(reached).toBeGreaterThan(0);
    // What it did take is the start of the sequence, whole and in order.
    expect(expectSequence(readRecords(faultyFile), reached)).toBeUndefined();
    expect(faulty!.name).toMatch(/^module:.*faulty\.mjs$/);
    expect(faulty!.written).toBe(reached);
    expect(faulty!.dropped).toBe(N - reached);
    expect(faulty!.errors).toBeGreaterThan(1);
    // Rate-bounded: many failures, one line (10 s interval) with the stable code.
    const reports = stderr.split('\n').filter((l) => l.includes('RINGLOG_DESTINATION_FAILED'));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(
      /^ringlog: module:.*faulty\.mjs: write failed: destination always fails; \d+ records dropped for it \[RINGLOG_DESTINATION_FAILED\]$/,
    );
    expect(stderr).not.toMatch(/RINGLOG_SINK_CRASH/);
  });

  it('a flush that rejects and a close that throws are reported and counted, flush() still resolves', async () => {
    const file = tempFile('all.log');
    const faultyFile = tempFile('faulty.log');
    const { m, stderr } = await run(
      [
        { type: 'file', path: file },
        {
          type: 'module',
          module: 'faulty.mjs',
          options: { path: faultyFile, mode: 'flush-fails' },
        },
      ],
      1000,
    );
    expect(expectSequence(readRecords(file), 1000)).toBeUndefined();
    expect(expectSequence(readRecords(faultyFile), 1000)).toBeUndefined();
    expect(m.flushError).toBeNull();
    expect(m.destinations[1]).toMatchObject({ written: 1000, dropped: 0, errors: 1 });
    expect(stderr).toMatch(
      /faulty\.mjs: flush failed: flush failed on purpose \[RINGLOG_DESTINATION_FAILED\]/,
    );
    // The close() failure that follows has the same destination and code: folded into the
    // next report by the rate bound, not printed within 10 s.
    expect(stderr.match(/RINGLOG_DESTINATION_FAILED/g)).toHaveLength(1);
  });

  it('an asynchronous destination that stops draining is dropped for alone, and flush() stays bounded', async () => {
    const file = tempFile('all.log');
    const stuckFile = tempFile('stuck.log');
    const { m, stderr } = await run(
      [
        { type: 'file', path: file },
        {
          type: 'pino-transport',
          target: '@fixture/stuck-transport.mjs',
          options: { path: stuckFile },
          maxBufferBytes: 4096,
        },
      ],
      N,
      { flushTimeoutMs: 2000 },
    );
    expect(expectSequence(readRecords(file), N)).toBeUndefined();
    expect(m.destinations[0]!.written).toBe(N);
    const stuck = m.destinations[1]!;
    expect(stuck.dropped).toBeGreaterThan(0);
    expect(lines(stuckFile)).toBeLessThanOrEqual(stuck.written);
    // Every record is accounted for: accepted by the stream, waiting in our buffer, or dropped.
    expect(stuck.written + stuck.buffered + stuck.dropped).toBe(N);
    // The sink gives up on the stuck flush after half of flushTimeoutMs, so flush() resolves.
    expect(m.flushError).toBeNull();
    expect(m.flushMs).toBeLessThan(1900);
    expect(stuck.errors).toBeGreaterThanOrEqual(1);
    expect(stderr).toMatch(
      /stuck-transport\.mjs: its buffer of 4096 bytes is full.*\[RINGLOG_DESTINATION_BACKLOG\]/,
    );
    expect(stderr).toMatch(
      /stuck-transport\.mjs: flush did not finish within 1000 ms.*\[RINGLOG_DESTINATION_TIMEOUT\]/,
    );
  });
});

describe('flushing', () => {
  it('a flush waiting on a stuck destination does not stop the others receiving new records', async () => {
    const file = tempFile('all.log');
    const r = await runFixture('flush-while-stuck.mjs', [file, tempFile('stuck.log')]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      pending: boolean;
      linesDuringFlush: number;
      flushMs: number;
    };
    // The flush waits up to 2000 ms for the stuck one; the 100 records logged after it began
    // reached the file while it was still waiting (the fixture polls for them).
    expect(out.pending).toBe(true);
    expect(out.linesDuringFlush).toBe(120);
    expect(out.flushMs).toBeGreaterThanOrEqual(1900);
    expect(out.flushMs).toBeLessThan(4000);
    expect(r.stderr).toMatch(
      /flush did not finish within 2000 ms.*\[RINGLOG_DESTINATION_TIMEOUT\]/,
    );
  });
});

describe('destination modules', () => {
  const kinds = [
    'factory-esm-sync.mjs',
    'factory-esm-async.mjs',
    'factory-cjs-sync.cjs',
    'factory-cjs-async.cjs',
  ];
  it.each(kinds)('%s receives every record', async (module) => {
    const out = tempFile('out.log');
    const { m } = await run([{ type: 'module', module, options: { path: out } }], 5000);
    expect(expectSequence(readRecords(out), 5000)).toBeUndefined();
    expect(m.destinations[0]!.written).toBe(5000);
  });

  it('a missing module is reported once with its code, and its records go to stderr', async () => {
    const file = tempFile('all.log');
    const { m, stderr } = await run(
      [
        { type: 'file', path: file },
        { type: 'module', module: 'does-not-exist.mjs', level: 'warn' },
      ],
      1000,
    );
    expect(expectSequence(readRecords(file), 1000)).toBeUndefined();
    const reports = stderr.split('\n').filter((l) => l.includes('RINGLOG_DESTINATION_UNAVAILABLE'));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(
      /module:.*does-not-exist\.mjs: could not be created: destination module .*does-not-exist\.mjs could not be loaded: .*its records go to stderr instead/,
    );
    // Its records (warn and above: every 10th) are on stderr instead.
    const onStderr = stderr.split('\n').filter((l) => l.startsWith('{'));
    expect(onStderr).toHaveLength(100);
    expect(m.workerRestarts).toBe(0);
    expect(m.destinations[1]!.name).toMatch(/does-not-exist\.mjs \(stderr in its place\)$/);
  });

  it('a module without a factory is reported; with stderr taken its records are counted as dropped', async () => {
    const { m, stderr } = await run(
      [
        { type: 'stderr', level: 'fatal' },
        { type: 'module', module: 'no-factory.mjs' },
      ],
      1000,
    );
    expect(stderr).toMatch(
      /no-factory\.mjs: could not be created: destination module .*no-factory\.mjs must export a factory function as default or createDestination, got undefined; its records are dropped \(stderr is already a destination\) \[RINGLOG_DESTINATION_UNAVAILABLE\]/,
    );
    expect(m.workerRestarts).toBe(0);
    expect(m.fallback).toBe(false);
    expect(m.destinations[1]).toMatchObject({ written: 0, dropped: 1000, errors: 1 });
  });
});
