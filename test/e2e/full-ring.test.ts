import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/index.js';
import { fixture, tempFile } from './helpers.js';

// A destination that sleeps 5 ms per write behind a 16 KiB ring: the producer outruns it.
function slowLogger(onFull: 'block' | 'drop', file: string) {
  return createLogger({
    base: null,
    destination: {
      type: 'module',
      module: fixture('destinations/faulty.mjs'),
      options: { path: file, mode: 'slow', sleepMs: 5 },
    },
    ringBytes: 16 * 1024,
    maxBatchBytes: 1024,
    onFull,
    blockTimeoutMs: 2,
  });
}

describe('when the ring is full', () => {
  for (const onFull of ['drop', 'block'] as const) {
    it(`'${onFull}' counts what it gives up on, and enqueued === written + dropped after flush`, async () => {
      const file = tempFile(`${onFull}.log`);
      const log = slowLogger(onFull, file);
      for (let i = 0; i < 20_000; i++) log.info({ i, pad: 'x'.repeat(80) }, 'fill');
      await log.flush();
      const m = log.metrics();
      await log.close();
      expect(m.enqueued).toBe(20_000);
      expect(m.written + m.dropped.total).toBe(m.enqueued);
      expect(m.pending).toBe(0);
      const reason = onFull === 'drop' ? 'ringFull' : 'blockTimeout';
      expect(m.dropped[reason]).toBeGreaterThan(0);
      expect(m.dropped.total).toBe(m.dropped[reason]);
      // What was written is exactly what the file holds, each line whole and in order.
      const ids = readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { i: number }).i);
      expect(ids).toHaveLength(m.written);
      for (let k = 1; k < ids.length; k++) expect(ids[k]!).toBeGreaterThan(ids[k - 1]!);
      expect(m.ringHighWaterBytes).toBeLessThanOrEqual(16 * 1024);
    });
  }

  it("'drop' never waits for a stuck sink, where 'block' would wait blockTimeoutMs", async () => {
    const file = tempFile('drop-stuck.log');
    const log = createLogger({
      base: null,
      destination: {
        type: 'module',
        module: fixture('destinations/faulty.mjs'),
        options: { path: file, mode: 'stall', stallMs: 3_000 },
      },
      ringBytes: 16 * 1024,
      maxBatchBytes: 1024,
      onFull: 'drop',
      blockTimeoutMs: 1_500,
      flushTimeoutMs: 20_000,
    });
    const started = Date.now();
    for (let i = 0; i < 20_000; i++) log.info({ i, pad: 'x'.repeat(80) }, 'fill');
    const loggedMs = Date.now() - started;
    const m = log.metrics();
    // Under 'block' the first refused batch alone would cost 1,500 ms.
    expect(loggedMs).toBeLessThan(1_500);
    expect(m.dropped.ringFull).toBeGreaterThan(0);
    expect(m.dropped.blockTimeout).toBe(0);
    await log.flush();
    await log.close();
  }, 40_000);
});

describe("onFull 'block' behind a stuck sink", () => {
  it('waits once, then drops without waiting until the sink moves again', async () => {
    const file = tempFile('stuck.log');
    const log = createLogger({
      base: null,
      destination: {
        type: 'module',
        module: fixture('destinations/faulty.mjs'),
        options: { path: file, mode: 'stall', stallMs: 8_000 },
      },
      ringBytes: 16 * 1024,
      maxBatchBytes: 1024,
      blockTimeoutMs: 1_500,
      flushTimeoutMs: 20_000,
    });
    const waits: number[] = [];
    // Each round of 200 records is ~20 KiB: more than the ring once the sink is stuck.
    for (let round = 0; round < 6; round++) {
      const t0 = Date.now();
      for (let i = 0; i < 200; i++) log.info({ round, i, pad: 'x'.repeat(60) }, 'fill');
      waits.push(Date.now() - t0);
    }
    const m = log.metrics();
    expect(m.dropped.blockTimeout).toBeGreaterThan(0);
    // One round paid the timeout; the rounds after it did not pay it again.
    const slow = waits.filter((ms) => ms >= 1_400);
    expect(slow.length).toBe(1);
    await log.flush();
    const after = log.metrics();
    expect(after.written + after.dropped.total).toBe(after.enqueued);
    await log.close();
  }, 40_000);
});
