/**
 * Errors are written as pino writes them: the same values logged through pino (to a stream)
 * and through ringlog give the same `err` object, key by key and in the same order.
 */
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger/logger.js';

type Rec = Record<string, unknown>;

/** The record pino writes for one call, parsed. */
function viaPino(call: (log: pino.Logger) => void, options: pino.LoggerOptions = {}): Rec {
  const lines: string[] = [];
  const log = pino(
    { base: null, timestamp: false, ...options },
    { write: (s: string) => lines.push(s) },
  );
  call(log);
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as Rec;
}

function viaRinglog(call: (log: any) => void, options: Rec = {}): Rec {
  const log = createLogger({ capture: true, base: null, timestamp: false, ...options });
  call(log);
  const records = log.capture!.records();
  expect(records).toHaveLength(1);
  return records[0]!;
}

/** Same keys in the same order, same values. */
function expectSameErr(ours: Rec, theirs: Rec): void {
  const a = ours.err as Rec;
  const b = theirs.err as Rec;
  expect(Object.keys(a)).toEqual(Object.keys(b));
  for (const key of Object.keys(b)) expect([key, a[key]]).toEqual([key, b[key]]);
}

class ValidationError extends Error {}
class HttpError extends Error {
  override name = 'HttpError';
  status = 503;
}

const CASES: Record<string, () => Error> = {
  Error: () => new Error('plain'),
  TypeError: () => new TypeError('bad type'),
  'a subclass without a name of its own': () => new ValidationError('invalid'),
  'a name assigned after construction': () => {
    const e = new Error('renamed');
    e.name = 'CustomName';
    return e;
  },
  'a subclass with a name field': () => new HttpError('unavailable'),
  'code and own fields': () =>
    Object.assign(new Error('no file'), { code: 'ENOENT', path: '/x', errno: -2 }),
  'code after other fields': () =>
    Object.assign(new Error('late code'), { path: '/x', code: 'E_LATE' }),
  'an own "type" field': () => Object.assign(new Error('typed'), { type: 'entity.too.large' }),
  AggregateError: () => new AggregateError([new Error('one'), new TypeError('two')], 'all failed'),
  'a system error': () => {
    try {
      readFileSync('/nonexistent/ringlog');
    } catch (err) {
      return err as Error;
    }
    throw new Error('unreachable');
  },
};

it('the system error case is one', () => {
  expect((CASES['a system error']!() as Error & { code?: string }).code).toBe('ENOENT');
});

describe('err as pino writes it', () => {
  for (const [name, make] of Object.entries(CASES)) {
    it(`log.error(e) with ${name}`, () => {
      const e = make();
      const theirs = viaPino((log) => log.error(e));
      const ours = viaRinglog((log) => log.error(e));
      expectSameErr(ours, theirs);
      expect(ours.msg).toBe(theirs.msg);
    });

    it(`log.info({ err: e }, 'm') with ${name}`, () => {
      const e = make();
      expectSameErr(
        viaRinglog((log) => log.info({ err: e }, 'm')),
        viaPino((log) => log.info({ err: e }, 'm')),
      );
    });
  }

  it('writes the type from the constructor, as pino does, not from name', () => {
    const e = new Error('renamed');
    e.name = 'CustomName';
    const ours = viaRinglog((log) => log.error(e)).err as Rec;
    expect(ours.type).toBe('Error');
    expect(ours.name).toBe('CustomName');
    expect((viaRinglog((log) => log.error(new ValidationError('v'))).err as Rec).type).toBe(
      'ValidationError',
    );
  });

  it("writes a serializer's output as it is: pino.stdSerializers.err, as Fastify and pino-http pass it", () => {
    const serializers = { err: pino.stdSerializers.err };
    for (const make of Object.values(CASES)) {
      const e = make();
      const theirs = viaPino((log) => log.error({ err: e }, 'failed'), { serializers });
      const ours = viaRinglog((log) => log.error({ err: e }, 'failed'), { serializers });
      expectSameErr(ours, theirs);
      expect((ours.err as Rec).type).toBe(e.constructor.name);
    }
  });

  it('writes a plain object with a type, message and stack as data: its type stays', () => {
    const err = { type: 'T', message: 'm', stack: 's' };
    expect(viaRinglog((log) => log.info({ err })).err).toEqual(err);
    const serialized = pino.stdSerializers.err(new RangeError('r'));
    expect((viaRinglog((log) => log.info({ err: serialized })).err as Rec).type).toBe('RangeError');
  });
});
