import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/index.js';
import { fixture, tempFile } from '../e2e/helpers.js';

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
      const started = Date.now();
      for (let i = 0; i < 20_000; i++) log.info({ i, pad: 'x'.repeat(80) }, 'fill');
      const loggedMs = Date.now() - started;
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
      if (onFull === 'drop') expect(loggedMs).toBeLessThan(10_000);
    });
  }
});
