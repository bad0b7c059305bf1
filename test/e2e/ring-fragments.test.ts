import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, start } from './helpers.js';
import { checkRingOutput, UNIT_BYTES } from './ring-check.js';

interface RunSpec {
  ringBytes: number;
  onFull: 'block' | 'drop';
  blockTimeoutMs: number;
  reps: number | number[];
  n?: number;
  burst: number;
  pauseMs: number;
  sink?: { sleepMs: number; crashAt: number; crashes: number; crashDelayMs?: number };
}

interface Metrics {
  enqueued: number;
  written: number;
  pending: number;
  workerRestarts: number;
  dropped: { total: number; sinkRestart: number };
}

// What a test that timed out (its runRing still awaiting) left behind: its child is ended by
// helpers.ts after each test, its directory here.
const dirs = new Set<string>();

afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
});

/**
 * Runs test/fixtures/ring-run.mjs (a real logger and sink worker writing to a file) and reads
 * what it wrote. The child has ended and its directory is removed when this returns.
 */
async function runRing(spec: RunSpec): Promise<{ m: Metrics; text: string; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'ringlog-ring-'));
  dirs.add(dir);
  const file = join(dir, 'out.log');
  try {
    const r = await start(process.execPath, [
      fixture('ring-run.mjs'),
      JSON.stringify({ file, ...spec }),
    ]).ended;
    if (r.code !== 0) throw new Error(`ring-run.mjs exited with ${r.code}:\n${r.stderr}`);
    const m = JSON.parse(r.stdout) as Metrics;
    return { m, text: readFileSync(file, 'utf8'), stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    dirs.delete(dir);
  }
}

/** Every line whole, every seq once, and written + dropped === logged, per metrics(). */
function expectWholeAndCounted(m: Metrics, text: string, logged: number): void {
  expect(m.enqueued).toBe(logged);
  expect(m.pending).toBe(0);
  expect(checkRingOutput({ text, logged, written: m.written, dropped: m.dropped.total })).toEqual(
    [],
  );
}

// The sizes of the report: records larger than a quarter of the ring travel as fragment runs,
// and a full ring abandons some runs midway. Reps of the 11-byte unit make lines of about
// the size named (plus ~60 bytes of level, time, seq).
const REPORTED = [
  { ringBytes: 8 * 1024, lineBytes: 3_000, n: 1_500 },
  { ringBytes: 32 * 1024, lineBytes: 9_000, n: 1_000 },
  { ringBytes: 64 * 1024, lineBytes: 40_000, n: 500 },
];

describe('fragment runs abandoned on a full ring', () => {
  for (const { ringBytes, lineBytes, n } of REPORTED) {
    for (const onFull of ['drop', 'block'] as const) {
      it(`${ringBytes / 1024} KiB ring, ${lineBytes / 1000} KB records, '${onFull}': every line whole, every drop counted`, async () => {
        const reps = Math.round((lineBytes - 60) / UNIT_BYTES);
        const { m, text } = await runRing({
          ringBytes,
          onFull,
          blockTimeoutMs: 2,
          reps,
          n,
          burst: 8,
          pauseMs: 0,
          // A sink slower than the producer (2 ms a write): the ring fills whatever the
          // machine's load, so runs are given up on midway in every run.
          sink: { sleepMs: 2, crashAt: 0, crashes: 0 },
        });
        // Both paths ran: runs were written, and runs were given up on.
        expect(m.written).toBeGreaterThan(0);
        expect(m.dropped.total).toBeGreaterThan(0);
        expectWholeAndCounted(m, text, n);
      });
    }
  }
});

describe('a sink restarted in the middle of a fragment run', () => {
  it('skips the rest of that run and counts its records as dropped (sinkRestart)', async () => {
    // Records 2.5 times the ring, logged without a pause under a patient 'block': the ring is
    // nearly always in the middle of a run, so a sink that dies (twice, between two rounds)
    // leaves its successor to begin mid-run.
    const n = 100;
    const { m, text, stderr } = await runRing({
      ringBytes: 16 * 1024,
      onFull: 'block',
      blockTimeoutMs: 10_000,
      reps: Math.round((40_000 - 60) / UNIT_BYTES),
      n,
      burst: n,
      pauseMs: 0,
      sink: { sleepMs: 0, crashAt: 3, crashes: 2, crashDelayMs: 1 },
    });
    expect(stderr).toMatch(/crashed on purpose/);
    expect(m.workerRestarts).toBe(2);
    expect(m.dropped.sinkRestart).toBeGreaterThan(0);
    expect(m.dropped.total).toBe(m.dropped.sinkRestart);
    expectWholeAndCounted(m, text, n);
  });
});

// RINGLOG_PROPERTY_RUNS=50 npx vitest run test/e2e/ring-fragments.test.ts for a longer search.
const REAL_RUNS = Number(process.env.RINGLOG_PROPERTY_RUNS ?? 0) || 3;

describe('property: the real sink never writes a broken line', () => {
  it('over ring size, record sizes, policy and sink speed (slow, fast, restarted)', async () => {
    const spec = fc.record({
      ringBytes: fc.constantFrom(4096, 8192, 16384, 65536),
      onFull: fc.constantFrom('block' as const, 'drop' as const),
      blockTimeoutMs: fc.integer({ min: 0, max: 5 }),
      // From a few bytes to 100 KB (beyond the largest ring), in 11-byte units.
      reps: fc.array(
        fc.oneof(
          fc.integer({ min: 0, max: 40 }),
          fc.integer({ min: 40, max: 2_000 }),
          fc.integer({ min: 2_000, max: 9_000 }),
        ),
        { minLength: 20, maxLength: 150 },
      ),
      burst: fc.integer({ min: 1, max: 30 }),
      pauseMs: fc.constantFrom(0, 0, 1),
      sink: fc.oneof(
        fc.constant({ sleepMs: 0, crashAt: 0, crashes: 0 }),
        fc.record({
          sleepMs: fc.integer({ min: 1, max: 5 }),
          crashAt: fc.constant(0),
          crashes: fc.constant(0),
        }),
        fc.record({
          sleepMs: fc.integer({ min: 0, max: 2 }),
          crashAt: fc.integer({ min: 1, max: 6 }),
          crashes: fc.integer({ min: 1, max: 2 }),
          crashDelayMs: fc.integer({ min: 0, max: 3 }),
        }),
      ),
    });
    await fc.assert(
      fc.asyncProperty(spec, async (s) => {
        const { m, text } = await runRing(s);
        const logged = s.reps.length;
        expect(m.enqueued).toBe(logged);
        expect(m.pending).toBe(0);
        const problems = checkRingOutput({
          text,
          logged,
          written: m.written,
          dropped: m.dropped.total,
        });
        expect(problems).toEqual([]);
      }),
      // Each run is a process: report the first counterexample rather than shrink for minutes.
      { numRuns: REAL_RUNS, endOnFailure: true },
    );
  }, 120_000);
});
