import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, ErrorCodes, type Logger, type LoggerOptions } from '../../src/index.js';
import { tempFile } from '../e2e/helpers.js';

const open: Logger[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

function make(options: LoggerOptions) {
  const file = tempFile('sampling.log');
  const log = createLogger({ destination: file, base: null, timestamp: false, ...options });
  open.push(log);
  const lines = async () => {
    await log.flush();
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, any>);
  };
  return { log, lines };
}

describe('sampling', () => {
  it('rate 0 keeps only the first of each message below warn; warn and above are never sampled', async () => {
    const { log, lines } = make({ sampling: { rate: 0 } });
    for (let i = 0; i < 100; i++) log.info({ i }, 'tick');
    for (let i = 0; i < 3; i++) log.warn({ i }, 'tick');
    const out = await lines();
    expect(out.map((l) => [l.level, l.i])).toEqual([
      [30, 0],
      [40, 0],
      [40, 1],
      [40, 2],
    ]);
    expect(log.metrics().sampledOut).toBe(99);
    expect(log.metrics().enqueued).toBe(4);
  });

  it('keeps or drops a trace whole, the same way every time, by its trace id', async () => {
    const { log, lines } = make({ sampling: { rate: 0.5 } });
    for (let t = 0; t < 1000; t++) {
      for (let k = 0; k < 3; k++) log.info({ traceId: `trace-${t}`, k }, 'req');
    }
    const out = await lines();
    const perTrace = new Map<string, number>();
    for (const l of out) perTrace.set(l.traceId, (perTrace.get(l.traceId) ?? 0) + 1);
    // Whole traces only, and about half of them.
    expect([...perTrace.values()].every((n) => n === 3)).toBe(true);
    expect(perTrace.size).toBeGreaterThan(400);
    expect(perTrace.size).toBeLessThan(600);
    // The same ids decide the same way in another logger.
    const again = make({ sampling: { rate: 0.5 } });
    for (let t = 0; t < 1000; t++) again.log.info({ traceId: `trace-${t}` }, 'req');
    const kept = new Set((await again.lines()).map((l) => l.traceId));
    expect(kept).toEqual(new Set(perTrace.keys()));
  });

  it('applies per-message rates', async () => {
    const { log, lines } = make({ sampling: { rates: { noisy: 0 } } });
    for (let i = 0; i < 10; i++) {
      log.info('noisy');
      log.info('quiet');
    }
    const msgs = (await lines()).map((l) => l.msg);
    expect(msgs.filter((m) => m === 'noisy')).toHaveLength(1);
    expect(msgs.filter((m) => m === 'quiet')).toHaveLength(10);
  });

  it('adaptive: at most N per window per message, the count left out reported on the next kept', async () => {
    const { log, lines } = make({ sampling: { adaptive: { perWindow: 2, windowMs: 200 } } });
    for (let i = 0; i < 10; i++) log.info({ i }, 'user %s logged in', `u${i}`);
    log.info('other message');
    await new Promise((r) => setTimeout(r, 250));
    log.info({ i: 10 }, 'user %s logged in', 'u10');
    const out = await lines();
    expect(out.map((l) => l.i ?? l.msg)).toEqual([0, 1, 'other message', 10]);
    expect(out[3]!.sampledOut).toBe(8);
    expect(out[0]!.sampledOut).toBeUndefined();
  });

  it('by call site: the same message from two places is counted apart', async () => {
    const { log, lines } = make({ sampling: { by: 'callsite', adaptive: { perWindow: 1 } } });
    const a = () => log.info('same');
    const b = () => log.info('same');
    for (let i = 0; i < 5; i++) {
      a();
      b();
    }
    expect(await lines()).toHaveLength(2);
  });

  it('rejects bad options with RINGLOG_INVALID_OPTION', () => {
    expect(() => createLogger({ sampling: { rate: 2 } })).toThrow(
      /"sampling.rate" must be a number in 0..1/,
    );
    expect(() => createLogger({ sampling: { adaptive: { perWindow: 0 } } })).toThrow(
      expect.objectContaining({ code: ErrorCodes.INVALID_OPTION }),
    );
    expect(() => createLogger({ sampling: { by: 'line' as never } })).toThrow(/sampling\.by/);
  });
});
