import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createLogger, type LoggerOptions } from '../../src/index.js';

/** A capturing logger: its lines stay in memory, no ring, no sink worker. The sink's part
 * (destinations, counts after a flush) is in test/e2e/logger-sink.test.ts. */
function make<L extends string = never>(
  options: LoggerOptions & { customLevels?: Record<L, number> } = {},
) {
  const log = createLogger<L>({ capture: true, ...options });
  const lines = (): Array<Record<string, unknown>> => log.capture!.records();
  return { log, lines };
}

describe('record format', () => {
  it("writes pino's line: level first, then time, pid, hostname, fields, msg", () => {
    const { log } = make();
    const before = Date.now();
    log.info({ a: 1 }, 'hello');
    expect(log.capture!.lines).toHaveLength(1);
    const text = log.capture!.lines[0]!;
    expect(text).toMatch(
      /^\{"level":30,"time":\d+,"pid":\d+,"hostname":"[^"]*","a":1,"msg":"hello"\}$/,
    );
    const rec = JSON.parse(text);
    expect(rec.pid).toBe(process.pid);
    expect(rec.hostname).toBe(hostname());
    expect(rec.time).toBeGreaterThanOrEqual(before);
    expect(rec.time).toBeLessThanOrEqual(Date.now());
  });

  it('honours name, base: null, messageKey and errorKey', () => {
    const { log, lines } = make({
      name: 'api',
      base: null,
      messageKey: 'message',
      errorKey: 'error',
    });
    log.info('m');
    log.error(new Error('bad'), 'failed');
    const [a, b] = lines();
    expect(Object.keys(a!)).toEqual(['level', 'time', 'name', 'message']);
    expect(b).toMatchObject({
      level: 50,
      name: 'api',
      message: 'failed',
      error: { type: 'Error', message: 'bad' },
    });
  });

  it('writes time as epoch ms, ISO, unix seconds, not at all, or from a function', () => {
    const cases: Array<[LoggerOptions['timestamp'], (t: unknown) => boolean]> = [
      [true, (t) => typeof t === 'number' && Math.abs((t as number) - Date.now()) < 60_000],
      ['iso', (t) => typeof t === 'string' && !Number.isNaN(Date.parse(t as string))],
      ['unix', (t) => typeof t === 'number' && Math.abs((t as number) - Date.now() / 1000) < 60],
      [false, (t) => t === undefined],
      [() => ',"time":"custom"', (t) => t === 'custom'],
    ];
    for (const [timestamp, check] of cases) {
      const { log, lines } = make({ timestamp, base: null });
      log.info('t');
      const [rec] = lines();
      expect(check(rec!.time), `timestamp ${String(timestamp)} gave ${rec!.time}`).toBe(true);
    }
  });
});

describe('call shapes', () => {
  it('formats printf placeholders in the message', () => {
    const { log, lines } = make({ base: null });
    log.info('s=%s d=%d i=%i f=%f j=%j o=%o O=%O %%', 'x', 42.5, '42.9', '1.5', { a: 1 }, [1], {
      b: 2,
    });
    log.info({ k: 1 }, 'user %s has %d items', 'ada', 3);
    const [a, b] = lines();
    expect(a!.msg).toBe('s=x d=42.5 i=42 f=1.5 j={"a":1} o=[1] O={"b":2} %');
    expect(b).toMatchObject({ k: 1, msg: 'user ada has 3 items' });
  });

  it('takes (obj), (obj, msg), (err), (err, msg), () and non-string values', () => {
    const { log, lines } = make({ base: null });
    log.info({ only: 'fields' });
    log.warn({ a: [1, 2] }, 'with msg');
    log.error(new TypeError('bad type'));
    log.error(new Error('inner'), 'outer message');
    log.info();
    log.info(42);
    log.info(null);
    const recs = lines();
    expect(recs[0]).toEqual({ level: 30, time: expect.any(Number), only: 'fields' });
    expect(recs[1]).toMatchObject({ level: 40, a: [1, 2], msg: 'with msg' });
    expect(recs[2]).toMatchObject({
      msg: 'bad type',
      err: { type: 'TypeError', message: 'bad type' },
    });
    expect((recs[2]!.err as { stack: string }).stack).toContain('TypeError: bad type');
    expect(recs[3]).toMatchObject({ msg: 'outer message', err: { message: 'inner' } });
    expect(recs[4]).toEqual({ level: 30, time: expect.any(Number) });
    expect(recs[5]!.msg).toBe('42');
    expect(recs[6]!.msg).toBe('null');
  });

  it('serializes error code, own fields, cause chains and AggregateError', () => {
    const { log, lines } = make({ base: null });
    const root = Object.assign(new Error('disk full'), { code: 'ENOSPC', path: '/var/x' });
    const err = new Error('write failed', { cause: root });
    log.error(err, 'save');
    log.error(new AggregateError([new Error('a'), new RangeError('b')], 'many'));
    const [a, b] = lines();
    expect(a!.err).toMatchObject({
      type: 'Error',
      message: 'write failed',
      cause: { type: 'Error', message: 'disk full', code: 'ENOSPC', path: '/var/x' },
    });
    expect(b!.err).toMatchObject({
      type: 'AggregateError',
      message: 'many',
      aggregateErrors: [
        { type: 'Error', message: 'a' },
        { type: 'RangeError', message: 'b' },
      ],
    });
  });

  it('never throws and never writes an invalid line for awkward input', () => {
    const { log, lines } = make({ base: null, timestamp: false });
    const circular: Record<string, unknown> = { name: 'loop' };
    circular.self = circular;
    const throwing = {
      get boom() {
        throw new Error('getter');
      },
    };
    const inputs: unknown[][] = [
      [circular, 'circular'],
      [{ big: 10n ** 30n, sym: Symbol('s'), fn: () => 1, u: undefined, nan: Number.NaN }],
      [throwing, 'getter'],
      [
        {
          toJSON: () => {
            throw new Error('toJSON');
          },
        },
      ],
      [{ s: '\u2028\u2029\ud800"\\\n\u0000' }, 'bad \ud800 msg \u0007'],
      [Symbol('just a symbol')],
      [{ m: new Map([[1, 2]]), set: new Set([1]), buf: Buffer.from('hi'), d: new Date(0) }],
    ];
    for (const args of inputs)
      expect(() => (log.info as (...a: unknown[]) => void)(...args)).not.toThrow();
    // One line each, holding what could be written: no raw line break, and no lone surrogate
    // (escaped instead), so the line is well-formed UTF-8 once encoded.
    for (const l of log.capture!.lines) expect(l).not.toMatch(/[\n\r\u2028\u2029]|\p{Cs}/u);
    expect(lines()).toEqual([
      { level: 30, name: 'loop', self: '[Circular]', msg: 'circular' },
      { level: 30, big: '1000000000000000000000000000000', nan: null },
      { level: 30, boom: '[Getter threw: getter]', msg: 'getter' },
      { level: 30 },
      { level: 30, s: '\u2028\u2029\ud800"\\\n\u0000', msg: 'bad \ud800 msg \u0007' },
      { level: 30, msg: 'Symbol(just a symbol)' },
      {
        level: 30,
        m: { '1': 2 },
        set: [1],
        buf: { type: 'Buffer', data: [104, 105] },
        d: '1970-01-01T00:00:00.000Z',
      },
    ]);
  });
});

describe('levels', () => {
  it('makes disabled levels the same shared no-op and re-enables them at run time', () => {
    const { log, lines } = make({ level: 'warn', base: null });
    expect(log.info).toBe(log.debug);
    expect(log.warn).not.toBe(log.info);
    log.info('dropped');
    log.warn('kept');
    log.level = 'debug';
    expect(log.level).toBe('debug');
    log.debug('now kept');
    log.trace('still off');
    expect(log.isLevelEnabled('debug')).toBe(true);
    expect(log.isLevelEnabled('trace')).toBe(false);
    log.level = 'silent';
    log.fatal('silenced');
    expect(lines().map((r) => r.msg)).toEqual(['kept', 'now kept']);
  });

  it('supports custom levels with their own methods', () => {
    const { log, lines } = make({ customLevels: { audit: 35 }, level: 'audit', base: null });
    log.audit('custom');
    log.info('below');
    expect(lines()).toEqual([{ level: 35, time: expect.any(Number), msg: 'custom' }]);
  });

  it('rejects unknown levels with a message that names the option and the choices', () => {
    expect(() => createLogger({ level: 'verbose' as never })).toThrow(
      'createLogger: "level" must be one of trace|debug|info|warn|error|fatal|silent or a number, got "verbose"',
    );
    const { log } = make();
    expect(() => {
      log.level = 'loud';
    }).toThrow(expect.objectContaining({ code: 'RINGLOG_INVALID_OPTION' }));
  });
});

describe('child loggers', () => {
  it('add their bindings, nest, and can have their own level', () => {
    const { log, lines } = make({ base: null });
    const child = log.child({ reqId: 'r1', user: { id: 7 } });
    const grandchild = child.child({ step: 2 }, { level: 'error' });
    child.info('from child');
    grandchild.warn('filtered by its own level');
    grandchild.error('from grandchild');
    log.info('from root');
    expect(lines()).toEqual([
      { level: 30, time: expect.any(Number), reqId: 'r1', user: { id: 7 }, msg: 'from child' },
      {
        level: 50,
        time: expect.any(Number),
        reqId: 'r1',
        user: { id: 7 },
        step: 2,
        msg: 'from grandchild',
      },
      { level: 30, time: expect.any(Number), msg: 'from root' },
    ]);
    expect(grandchild.bindings()).toEqual({ reqId: 'r1', user: { id: 7 }, step: 2 });
  });

  it('serialize bindings once, at child() time', () => {
    const { log, lines } = make({ base: null });
    const bindings = { n: 1 };
    const child = log.child(bindings);
    bindings.n = 2;
    child.info('x');
    expect(lines()[0]!.n).toBe(1);
  });
});
