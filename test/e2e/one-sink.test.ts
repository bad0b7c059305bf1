/**
 * One sink worker per process (issue 14): worker threads and the main thread logging in one
 * process share one sink thread, every record arrives once and whole, each thread's exit
 * flush covers what it published, and the sink survives the thread that started it.
 * The child is test/fixtures/threads-one-sink.mjs; threads are counted in /proc/self/task.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFixture, tempFile } from './helpers.js';

interface Summary {
  base: number;
  during?: number;
  workers?: number;
  codes: (number | null)[];
  errors?: string[];
  sinkStarts: number;
  startsBefore?: number;
  startsDuring?: number;
  fileFds?: number;
  sinkThread: number;
  mainThread: number;
  idleWrittenMs?: number;
}

/** Parses every line (a line that is not JSON fails the test) and counts each (t, seq). */
function countRecords(text: string): { seen: Map<string, number>; fatal: unknown[] } {
  const seen = new Map<string, number>();
  const fatal: unknown[] = [];
  const lines = text.split('\n');
  expect(lines.pop()).toBe(''); // the text ends with a whole line
  for (const line of lines) {
    const rec = JSON.parse(line) as { t?: string; seq?: number; level: number };
    if (rec.level === 60) {
      fatal.push(rec);
      continue;
    }
    const key = `${rec.t}:${rec.seq}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return { seen, fatal };
}

/** Every key of `expected` seen exactly once, and nothing else. */
function expectEachOnce(seen: Map<string, number>, expected: string[]): void {
  const twice = [...seen].filter(([, c]) => c !== 1).map(([k]) => k);
  const missing = expected.filter((k) => !seen.has(k));
  expect({ twice, missing, extra: seen.size - expected.length + missing.length }).toEqual({
    twice: [],
    missing: [],
    extra: 0,
  });
}

const range = (t: string, from: number, to: number): string[] =>
  Array.from({ length: to - from }, (_, i) => `${t}:${from + i}`);

describe('one sink worker per process', () => {
  it('8 worker threads and the main thread write through ONE sink thread; every record once and whole, each exit flush covered', async () => {
    const file = tempFile('threads.log');
    const n = 3000;
    const r = await runFixture('threads-one-sink.mjs', ['all', file, String(n)]);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as Summary;
    // The threads that appeared once the loggers ran: the 8 workers and one sink.
    expect(s.during! - s.base).toBe(s.workers! + 1);
    expect(s.sinkStarts).toBe(1);
    // The 9 loggers name the same file: the sink opened it once.
    expect(s.fileFds).toBe(1);
    expect(s.sinkThread).not.toBe(s.mainThread);
    expect(s.sinkThread).toBeGreaterThan(0);
    // Six return, one calls process.exit(0) inside the worker, one throws.
    expect(s.codes).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(s.errors).toEqual(['w7 throws']);
    const expected = [
      ...range('main', -1, n),
      ...Array.from({ length: 8 }, (_, w) => range(`w${w}`, 0, n + 1)).flat(),
    ];
    for (const text of [readFileSync(file, 'utf8'), r.stderr]) {
      const { seen, fatal } = countRecords(text);
      expectEachOnce(seen, expected);
      // The throwing worker's uncaught error, logged at fatal by its logger.
      expect(fatal).toHaveLength(1);
      expect(JSON.stringify(fatal[0])).toContain('w7 throws');
    }
  });

  it('8 threads released together by an Atomics barrier start ONE sink', async () => {
    const file = tempFile('race.log');
    const n = 500;
    const r = await runFixture('threads-one-sink.mjs', ['race', file, String(n)]);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as Summary;
    // Counted while the 8 are alive (as they end, the sink's owner retires it and a thread
    // still ending may start the next).
    expect(s.during! - s.base).toBe(s.workers! + 1);
    expect(s.startsDuring).toBe(1);
    expect(s.codes).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    const { seen } = countRecords(readFileSync(file, 'utf8'));
    expectEachOnce(seen, Array.from({ length: 8 }, (_, w) => range(`w${w}`, 0, n)).flat());
  });

  it('the thread that started the sink ends by process.exit(): its exit flush covers it, the main thread takes over', async () => {
    const file = tempFile('handover.log');
    const n = 2000;
    const r = await runFixture('threads-one-sink.mjs', ['handover', file, String(n)]);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s.startsBefore).toBe(1);
    expect(s.sinkStarts).toBe(2); // A's, then one more when A ended
    expect(s.codes).toEqual([0, 0]);
    expect(r.stderr).toBe('');
    const { seen } = countRecords(readFileSync(file, 'utf8'));
    expectEachOnce(seen, [
      ...range('A', 0, 2 * n),
      ...range('B', 0, 2 * n),
      ...range('main', -1, n),
    ]);
  });

  it("a thread asleep on its full ring when the sink's owner ends goes on with the next sink at once", async () => {
    const file = tempFile('blocked.log');
    const n = 20_000;
    const r = await runFixture('threads-one-sink.mjs', ['blocked', file, String(n)]);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as Summary & { b: { ms: number; dropped: number } };
    expect(s.codes).toEqual([0, 0]);
    // Not one wait of blockTimeoutMs (20 s) for a sink that no longer exists.
    expect(s.b.dropped).toBe(0);
    expect(s.b.ms).toBeLessThan(15_000);
    const { seen } = countRecords(readFileSync(`${file}.B`, 'utf8'));
    expectEachOnce(seen, range('B', 0, n));
  });

  it('one file named by 5 threads with size rotation is rotated by one instance: every file within the size, every record once', async () => {
    const file = tempFile('rotated.log');
    const n = 4000;
    const r = await runFixture('threads-one-sink.mjs', ['rotate', file, String(n)]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const dir = dirname(file);
    const files = readdirSync(dir).filter((f) => f.startsWith('rotated.'));
    // About 5 × 4,000 lines of ~100 bytes: several rotations at 64 KiB.
    expect(files.length).toBeGreaterThan(5);
    let text = '';
    for (const f of files) {
      const content = readFileSync(join(dir, f), 'utf8');
      // Separate instances per thread would each count only their own bytes and let the
      // file grow past the size (and rename it under one another).
      expect(Buffer.byteLength(content)).toBeLessThanOrEqual(64 * 1024);
      text += content;
    }
    const { seen } = countRecords(text);
    expectEachOnce(seen, [
      ...range('main', -1, n),
      ...[0, 1, 2, 3].flatMap((w) => range(`w${w}`, 0, n)),
    ]);
  });

  it("a terminated owner thread's sink is replaced: an idle thread's published records are written without a flush", async () => {
    const file = tempFile('vanish.log');
    const n = 2000;
    const r = await runFixture('threads-one-sink.mjs', ['vanish', file, String(n)]);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s.startsBefore).toBe(1);
    // Noticed by the beats standing still (SINK_DEAD_MS, 5 s), well before the fixture gives up.
    expect(s.idleWrittenMs).toBeLessThan(15_000);
    expect(r.stderr).toContain('stopped without a word');
    expect(r.stderr).toContain('RINGLOG_SINK_CRASH');
    const { seen } = countRecords(readFileSync(file, 'utf8'));
    expectEachOnce(seen, [...range('A', 0, n), ...range('B', 0, 2 * n), 'main:-1']);
  });
});
