import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, type Logger, type LoggerOptions } from '../../src/index.js';
import { tempFile } from '../e2e/helpers.js';

const open: Logger[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

function make<L extends string = never>(
  options: LoggerOptions & { customLevels?: Record<L, number> } = {},
) {
  const file = tempFile('out.log');
  const log = createLogger<L>({ destination: file, ...options });
  open.push(log as unknown as Logger);
  const lines = async (): Promise<Array<Record<string, unknown>>> => {
    await log.flush();
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  };
  const raw = async (): Promise<string> => {
    await log.flush();
    return readFileSync(file, 'utf8');
  };
  return { log, lines, raw, file };
}

describe('record format', () => {
  it("writes pino's line: level first, then time, pid, hostname, fields, msg", async () => {
    const { log, raw } = make();
    const before = Date.now();
    log.info({ a: 1 }, 'hello');
    const text = await raw();
    expect(text).toMatch(
      /^\{"level":30,"time":\d+,"pid":\d+,"hostname":"[^"]*","a":1,"msg":"hello"\}\n$/,
    );
    const rec = JSON.parse(text);
    expect(rec.pid).toBe(process.pid);
    expect(rec.hostname).toBe(hostname());
    expect(rec.time).toBeGreaterThanOrEqual(before);
    expect(rec.time).toBeLessThanOrEqual(Date.now());
  });

  it('honours name, base: null, messageKey and errorKey', async () => {
    const { log, lines } = make({
      name: 'api',
      base: null,
      messageKey: 'message',
      errorKey: 'error',
    });
    log.info('m');
    log.error(new Error('bad'), 'failed');
    const [a, b] = await lines();
    expect(Object.keys(a!)).toEqual(['level', 'time', 'name', 'message']);
    expect(b).toMatchObject({
      level: 50,
      name: 'api',
      message: 'failed',
      error: { type: 'Error', message: 'bad' },
    });
  });

  it('writes time as epoch ms, ISO, unix seconds, not at all, or from a function', async () => {
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
      const [rec] = await lines();
      expect(check(rec!.time), `timestamp ${String(timestamp)} gave ${rec!.time}`).toBe(true);
    }
  });
});

describe('call shapes', () => {
  it('formats printf placeholders in the message', async () => {
    const { log, lines } = make({ base: null });
    log.info('s=%s d=%d i=%i f=%f j=%j o=%o O=%O %%', 'x', 42.5, '42.9', '1.5', { a: 1 }, [1], {
      b: 2,
    });
    log.info({ k: 1 }, 'user %s has %d items', 'ada', 3);
    const [a, b] = await lines();
    expect(a!.msg).toBe('s=x d=42.5 i=42 f=1.5 j={"a":1} o=[1] O={"b":2} %');
    expect(b).toMatchObject({ k: 1, msg: 'user ada has 3 items' });
  });

  it('takes (obj), (obj, msg), (err), (err, msg), () and non-string values', async () => {
    const { log, lines } = make({ base: null });
    log.info({ only: 'fields' });
    log.warn({ a: [1, 2] }, 'with msg');
    log.error(new TypeError('bad type'));
    log.error(new Error('inner'), 'outer message');
    log.info();
    log.info(42);
    log.info(null);
    const recs = await lines();
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

  it('serializes error code, own fields, cause chains and AggregateError', async () => {
    const { log, lines } = make({ base: null });
    const root = Object.assign(new Error('disk full'), { code: 'ENOSPC', path: '/var/x' });
    const err = new Error('write failed', { cause: root });
    log.error(err, 'save');
    log.error(new AggregateError([new Error('a'), new RangeError('b')], 'many'));
    const [a, b] = await lines();
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

  it('never throws and never writes an invalid line for awkward input', async () => {
    const { log, raw, file } = make({ base: null });
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
    const text = await raw();
    const ls = text.split('\n').filter(Boolean);
    expect(ls).toHaveLength(inputs.length);
    for (const l of ls) expect(() => JSON.parse(l)).not.toThrow();
    // Well-formed UTF-8 throughout: a strict decoder accepts every byte.
    expect(() =>
      new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(file)),
    ).not.toThrow();
  });
});

describe('levels', () => {
  it('makes disabled levels the same shared no-op and re-enables them at run time', async () => {
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
    expect((await lines()).map((r) => r.msg)).toEqual(['kept', 'now kept']);
  });

  it('supports custom levels with their own methods', async () => {
    const { log, lines } = make({ customLevels: { audit: 35 }, level: 'audit', base: null });
    log.audit('custom');
    log.info('below');
    expect(await lines()).toEqual([{ level: 35, time: expect.any(Number), msg: 'custom' }]);
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
  it('add their bindings, nest, and can have their own level', async () => {
    const { log, lines } = make({ base: null });
    const child = log.child({ reqId: 'r1', user: { id: 7 } });
    const grandchild = child.child({ step: 2 }, { level: 'error' });
    child.info('from child');
    grandchild.warn('filtered by its own level');
    grandchild.error('from grandchild');
    log.info('from root');
    expect(await lines()).toEqual([
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

  it('serialize bindings once, at child() time', async () => {
    const { log, lines } = make({ base: null });
    const bindings = { n: 1 };
    const child = log.child(bindings);
    bindings.n = 2;
    child.info('x');
    expect((await lines())[0]!.n).toBe(1);
  });
});

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
    const read = (f: string) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { i: number; level: number });
    expect(read(all).map((r) => r.i)).toEqual([...Array(300).keys()]);
    const e = read(errors);
    expect(e.map((r) => r.i)).toEqual([...Array(300).keys()].filter((i) => i % 5 >= 3));
    expect(e.every((r) => r.level >= 50)).toBe(true);
  });

  it('accounts for every record: enqueued === written + dropped after flush', async () => {
    const { log } = make();
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
  });

  it('counts records logged after close() as dropped', async () => {
    const { log } = make();
    log.info('before');
    await log.close();
    log.info('after');
    await log.flush().catch(() => {});
    const m = log.metrics();
    expect(m.enqueued).toBe(2);
    expect(m.written).toBe(1);
    expect(m.dropped.closed).toBe(1);
  });
});
