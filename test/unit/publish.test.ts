import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/index.js';
import { tempFile } from '../e2e/helpers.js';

function linesIn(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

async function waitForLines(file: string, n: number, ms: number): Promise<string[]> {
  const until = Date.now() + ms;
  let lines = linesIn(file);
  while (lines.length < n && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 10));
    lines = linesIn(file);
  }
  return lines;
}

describe('publishing without flush()', () => {
  it('delivers a batch that filled up on the last call of a tick, with no later call', async () => {
    const file = tempFile('filled.log');
    const log = createLogger({
      base: null,
      timestamp: false,
      destination: file,
      maxBatchBytes: 1024,
    });
    // Equal lines, so the batch reaches maxBatchBytes exactly on the last call: that publish
    // is the size-triggered one, whose doorbell waits for the end of the tick.
    const line = `${JSON.stringify({ level: 30, i: 0, msg: 'x'.repeat(10) })}\n`;
    const perBatch = Math.ceil(1024 / line.length);
    // The sink is up and asleep before the calls, so only a doorbell can wake it.
    log.info({ i: 0 }, 'x'.repeat(10));
    await log.flush();
    await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < perBatch * 3; i++) log.info({ i: i % 10 }, 'x'.repeat(10));
    const lines = await waitForLines(file, perBatch * 3 + 1, 3_000);
    expect(lines).toHaveLength(perBatch * 3 + 1);
    for (const l of lines) expect(JSON.parse(l).msg).toBe('x'.repeat(10));
    await log.close();
  });

  it('delivers batches published mid-tick while the app keeps logging in the same tick', async () => {
    const file = tempFile('midtick.log');
    const log = createLogger({ base: null, destination: file, maxBatchBytes: 4096 });
    await log.flush();
    await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < 50_000; i++) log.info({ i }, 'many in one tick');
    const lines = await waitForLines(file, 50_000, 10_000);
    expect(lines.map((l) => JSON.parse(l).i)).toEqual(Array.from({ length: 50_000 }, (_, i) => i));
    await log.close();
  });
});
