import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, type Logger, type LoggerOptions } from '../../src/index.js';
import { readRecords, tempFile } from './helpers.js';

// The logger with its sink worker: what reaches the files, and the counts after a flush.
// What a record looks like is tested without a worker, in test/unit/logger.test.ts.

const open: Logger[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

function make(options: LoggerOptions = {}) {
  const file = tempFile('out.log');
  const log = createLogger({ destination: file, ...options });
  open.push(log);
  return { log, file };
}

describe('destinations and metrics', () => {
  it('writes to several destinations, each with its own minimum level', async () => {
    const all = tempFile('all.log');
    const errors = tempFile('errors.log');
    const log = createLogger({
      base: null,
      level: 'debug',
      destination: [all, { type: 'file', path: errors, level: 'error' }],
    });
    open.push(log);
    for (let i = 0; i < 300; i++)
      log[(['debug', 'info', 'warn', 'error', 'fatal'] as const)[i % 5]]({ i }, 'r');
    await log.flush();
    const read = (f: string) => readRecords(f) as Array<{ i: number; level: number }>;
    expect(read(all).map((r) => r.i)).toEqual([...Array(300).keys()]);
    const e = read(errors);
    expect(e.map((r) => r.i)).toEqual([...Array(300).keys()].filter((i) => i % 5 >= 3));
    expect(e.every((r) => r.level >= 50)).toBe(true);
  });

  it('accounts for every record: enqueued === written + dropped after flush', async () => {
    const { log, file } = make();
    for (let i = 0; i < 10_000; i++) log.info({ i }, 'counted');
    log.debug('disabled: not enqueued');
    await log.flush();
    const m = log.metrics();
    expect(m.enqueued).toBe(10_000);
    expect(m.written).toBe(10_000);
    expect(m.dropped.total).toBe(0);
    expect(m.pending).toBe(0);
    expect(m.batchesPublished).toBeGreaterThan(0);
    expect(m.ringHighWaterBytes).toBeGreaterThan(0);
    expect(m.ringHighWaterBytes).toBeLessThanOrEqual(m.ringBytes);
    // And the file holds what the counts say: each record once, whole, in order.
    expect(readRecords(file).map((r) => r.i)).toEqual([...Array(10_000).keys()]);
  });

  it('counts records logged after close() as dropped', async () => {
    const { log, file } = make();
    log.info('before');
    await log.close();
    log.info('after');
    await log.flush().catch(() => {});
    const m = log.metrics();
    expect(m.enqueued).toBe(2);
    expect(m.written).toBe(1);
    expect(m.dropped.closed).toBe(1);
    expect(readRecords(file).map((r) => r.msg)).toEqual(['before']);
  });
});
