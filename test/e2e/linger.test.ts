import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { getSinkHost } from '../../src/host/sink-host.js';
import { createLogger } from '../../src/index.js';
import { expectSequence, readRecords, runFixture, tempFile, waitFor } from './helpers.js';

// Words of the control block, at the byte offsets the header comment of src/protocol/ring.ts
// gives (the protocol): DOORBELL (how many times the sink was rung) at byte 0, SINK_SLEEPING
// at byte 64, which holds SINK_ASLEEP (1) while the sink waits for a ring.
const DOORBELL = 0;
const SINK_SLEEPING = 64 / 4;
const SINK_ASLEEP = 1;
const control = (word: number) => Atomics.load(new Int32Array(getSinkHost().control), word);

const lineCount = (file: string) =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').length - 1 : 0;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

describe('records that come one per event-loop turn', () => {
  it('share the sink’s wake-ups: 100 records in 100 turns ring it far fewer than 100 times', async () => {
    const file = tempFile('one-per-turn.log');
    const log = createLogger({ base: null, destination: file });
    log.info({ i: -1 }, 'start the sink');
    await log.flush();
    // Asleep for a ring: without lingering, each record below would ring it once.
    await waitFor(() => control(SINK_SLEEPING) === SINK_ASLEEP, 5_000, 'the sink to sleep');
    const rung = control(DOORBELL);
    for (let i = 0; i < 100; i++) {
      log.info({ i }, 'one per turn');
      await sleep(1); // a turn of its own, as a request served every millisecond or so
    }
    // No flush (it would ring): the lingering sink must take them on its own.
    await waitFor(() => lineCount(file) >= 101, 5_000, 'all 100 records in the file');
    const wakes = control(DOORBELL) - rung;
    const records = readRecords(file);
    expect(records).toHaveLength(101);
    expect(records.map((r) => r.i)).toEqual(Array.from({ length: 101 }, (_, i) => i - 1));
    for (const r of records.slice(1)) expect(r.msg).toBe('one per turn');
    // One ring wakes it; the rest are taken while it lingers. A loaded machine may let a
    // gap grow past the linger now and then, each costing one more ring.
    expect(wakes).toBeGreaterThan(0);
    expect(wakes).toBeLessThanOrEqual(25);
    await log.close();
  });

  it('flush() is not held back by the linger, and writes every record before it resolves', async () => {
    const file = tempFile('flush-while-lingering.log');
    const log = createLogger({ base: null, destination: file });
    await log.flush();
    const took: number[] = [];
    for (let i = 0; i < 30; i++) {
      log.info({ i }, 'then flush');
      await sleep(1); // published: the sink lingers over it
      const t = performance.now();
      await log.flush();
      took.push(performance.now() - t);
      expect(lineCount(file)).toBe(i + 1);
    }
    expect(readRecords(file).map((r) => r.i)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    // A flush rings the sink at once (ring.ts): its time is the sink's round trip, not a wait
    // for the linger to end. The bound is loose for a loaded machine.
    expect(median(took)).toBeLessThan(50);
    await log.close();
  });

  for (const mode of ['exit', 'fatal'] as const) {
    it(`writes the records of earlier turns and of the last one on ${mode === 'exit' ? 'process.exit()' : 'fatal() and SIGKILL'}`, async () => {
      const file = tempFile(`linger-${mode}.log`);
      const r = await runFixture('linger-exit.mjs', [mode, file, '200', '50']);
      if (mode === 'exit') expect(r.code).toBe(5);
      else expect(r.signal).toBe('SIGKILL');
      const records = readRecords(file);
      expect(expectSequence(records, 250)).toBeUndefined();
      if (mode === 'fatal') expect(records.at(-1)).toMatchObject({ level: 60, i: 250 });
    });
  }
});
