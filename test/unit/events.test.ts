import { describe, expect, it } from 'vitest';
import { createLogger, ErrorCodes, type LoggerOptions } from '../../src/index.js';

/** A capturing logger: its lines stay in memory, no ring, no sink worker. */
function make(options: LoggerOptions = {}) {
  const log = createLogger({ capture: true, base: null, timestamp: false, ...options });
  const raw = () => [...log.capture!.lines];
  return { log, raw, lines: () => log.capture!.records() };
}

const ORDER = {
  type: 'object',
  properties: {
    orderId: { type: 'string' },
    amount: { type: 'number' },
    items: { type: 'integer' },
    customer: { type: 'object', properties: { id: { type: 'string' } } },
  },
  required: ['orderId'],
} as const;

describe('typed events', () => {
  it('write the schema’s fields after the bindings, with "event" and the message', async () => {
    const { log, raw } = make({ base: { pid: 1 }, schemas: { 'order.placed': ORDER } });
    const placed = log.child({ reqId: 'r1' }).event('order.placed');
    placed.info({ orderId: 'o-1', amount: 9.5, items: 2, customer: { id: 'c' } }, 'placed');
    expect(await raw()).toEqual([
      '{"level":30,"pid":1,"reqId":"r1","event":"order.placed","orderId":"o-1","amount":9.5,"items":2,"customer":{"id":"c"},"msg":"placed"}',
    ]);
  });

  it('write properties without a declared type through the generic serializer', async () => {
    const { log, lines } = make();
    log.event('any', { type: 'object', properties: { v: {}, n: { type: 'integer' } } }).info({
      v: { deep: [1, 2n] },
      n: 2.7,
      extra: 'not in the schema',
    });
    expect(await lines()).toEqual([{ level: 30, event: 'any', v: { deep: [1, '2'] }, n: 2 }]);
  });

  it('follow the logger’s level, set at any time', async () => {
    const { log, lines } = make({ level: 'warn' });
    const ev = log.event('e', ORDER);
    ev.info({ orderId: 'skipped' });
    log.level = 'info';
    ev.info({ orderId: 'kept' });
    expect(await lines()).toEqual([{ level: 30, event: 'e', orderId: 'kept' }]);
  });

  it('escape what JSON.stringify leaves raw and keep every line valid', async () => {
    const { log, raw } = make();
    log.event('e', ORDER).info({ orderId: 'a\u2028b\u2029"\n\ud800' });
    const [line] = await raw();
    expect(line).toContain('a\\u2028b\\u2029');
    expect(JSON.parse(line!).orderId).toBe('a\u2028b\u2029"\n\ud800');
  });

  it('fall back to the generic serializer, flagged, when the fields do not fit the schema', async () => {
    const { log, lines } = make();
    const ev = log.event('e', ORDER);
    expect(() => ev.info({ amount: 1 } as object, 'missing id')).not.toThrow();
    expect(() => ev.info({ orderId: 'x', items: 'many' } as object)).not.toThrow();
    const [a, b] = await lines();
    expect(a).toMatchObject({ event: 'e', amount: 1, msg: 'missing id' });
    expect(a.schemaError).toBe('"orderId" is required');
    expect(b).toMatchObject({ event: 'e', orderId: 'x', items: 'many' });
    expect(b.schemaError).toBe('"items" must be a number, got string');
  });

  it('go through redaction when the logger has hooks', async () => {
    const { log, lines } = make({ redact: ['orderId'] });
    log.event('e', ORDER).warn({ orderId: 'secret', amount: 2 });
    expect(await lines()).toEqual([{ level: 40, event: 'e', orderId: '[Redacted]', amount: 2 }]);
  });

  it('are kept by the flight recorder below the level', async () => {
    const { log, lines } = make({ level: 'info', flightRecorder: true });
    log.event('e', ORDER).debug({ orderId: 'ctx' });
    log.error('fail');
    expect(await lines()).toEqual([
      { level: 20, event: 'e', orderId: 'ctx', flightRecorder: true },
      { level: 50, msg: 'fail' },
    ]);
  });

  it('reject unknown names and bad schemas with RINGLOG_INVALID_OPTION', () => {
    const { log } = make();
    expect(() => log.event('nope')).toThrow(/no schema named "nope"/);
    expect(() => log.event('bad', { type: 'array' })).toThrow(
      expect.objectContaining({ code: ErrorCodes.INVALID_OPTION }),
    );
    expect(() =>
      createLogger({
        schemas: {
          broken: {
            type: 'object',
            properties: { a: { type: 'object', properties: { b: { type: 'nonsense' } } } },
          },
        },
      }),
    ).toThrow(/event "broken" does not compile at "a"/);
    expect(() => createLogger({ schemas: { r: { type: 'object', required: ['x'] } } })).toThrow(
      /required/,
    );
  });
});
