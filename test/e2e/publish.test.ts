import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getSinkHost } from '../../src/host/sink-host.js';
import { createLogger } from '../../src/index.js';
import { readRecords, tempFile, waitFor } from './helpers.js';

// Words of the control block, at the byte offsets the header comment of src/protocol/ring.ts
// gives (the protocol): DOORBELL at byte 0, SINK_SLEEPING at byte 64.
const DOORBELL = 0;
const SINK_SLEEPING = 64 / 4;
const control = (word: number) => Atomics.load(new Int32Array(getSinkHost().control), word);

const lineCount = (file: string) =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').length - 1 : 0;

/** Waits until the sink sleeps on its doorbell, and returns the doorbell's count then. */
async function sinkAsleep(): Promise<number> {
  await waitFor(() => control(SINK_SLEEPING) === 1, 5_000, 'the sink to sleep on its doorbell');
  return control(DOORBELL);
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
    log.info({ i: 0 }, 'x'.repeat(10));
    await log.flush();
    // The sink is up and asleep before the calls, so only a doorbell can wake it.
    const rung = await sinkAsleep();
    for (let i = 0; i < perBatch * 3; i++) log.info({ i: i % 10 }, 'x'.repeat(10));
    await waitFor(() => lineCount(file) >= perBatch * 3 + 1, 5_000, 'every record in the file');
    expect(control(DOORBELL)).toBeGreaterThan(rung);
    const records = readRecords(file);
    expect(records).toHaveLength(perBatch * 3 + 1);
    expect(records.map((r) => r.i)).toEqual([
      0,
      ...Array.from({ length: perBatch * 3 }, (_, i) => i % 10),
    ]);
    for (const r of records) expect(r.msg).toBe('x'.repeat(10));
    await log.close();
  });

  it('delivers batches published mid-tick while the app keeps logging in the same tick', async () => {
    const file = tempFile('midtick.log');
    const log = createLogger({ base: null, destination: file, maxBatchBytes: 4096 });
    await log.flush();
    const rung = await sinkAsleep();
    for (let i = 0; i < 50_000; i++) log.info({ i }, 'many in one tick');
    await waitFor(() => lineCount(file) >= 50_000, 10_000, '50,000 records in the file');
    expect(control(DOORBELL)).toBeGreaterThan(rung);
    expect(readRecords(file).map((r) => r.i)).toEqual(Array.from({ length: 50_000 }, (_, i) => i));
    await log.close();
  });
});
