import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, ErrorCodes, type LoggerOptions } from '../../src/index.js';

/** A capturing logger: its lines stay in memory, no ring, no sink worker. */
function make(options: LoggerOptions) {
  const log = createLogger({ capture: true, base: null, timestamp: false, ...options });
  return { log, lines: () => log.capture!.records() as Array<Record<string, any>> };
}

afterEach(() => {
  vi.useRealTimers();
});

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
    // The sampler's clock is Date.now, faked here: the window's edge is crossed exactly.
    vi.useFakeTimers({ toFake: ['Date'], now: 1_000_000 });
    const { log, lines } = make({ sampling: { adaptive: { perWindow: 2, windowMs: 200 } } });
    for (let i = 0; i < 10; i++) log.info({ i }, 'user %s logged in', `u${i}`);
    log.info('other message');
    vi.setSystemTime(1_000_199);
    log.info({ i: 10 }, 'user %s logged in', 'u10'); // still in the first window: left out
    vi.setSystemTime(1_000_200);
    log.info({ i: 11 }, 'user %s logged in', 'u11');
    const out = lines();
    expect(out.map((l) => l.i ?? l.msg)).toEqual([0, 1, 'other message', 11]);
    expect(out[3]!.sampledOut).toBe(9);
    expect(out[0]!.sampledOut).toBeUndefined();
    expect(log.metrics().sampledOut).toBe(9);
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
