/**
 * A log call never throws and never writes an invalid line, whatever an Error's fields are:
 * fast-check builds Errors with hostile fields (arrays, Symbols, objects with a toString,
 * throwing getters, Proxies whose traps throw, revoked Proxies, cross-realm Errors) and passes
 * each through every call shape, on a plain logger, a hooked one and the production preset.
 */
import { createContext, runInContext } from 'node:vm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, type Logger } from '../../src/logger/logger.js';
import { lazy } from '../../src/logger/serialize.js';

const boom = (what: string) => () => {
  throw new Error(`${what} threw`);
};

/** Values an Error field may hold, each made fresh. */
const HOSTILE_VALUES: Record<string, () => unknown> = {
  array: () => ['a', 'b'],
  symbol: () => Symbol('sym'),
  toString: () => ({ toString: () => 'from toString' }),
  throwingToString: () => ({ toString: boom('toString') }),
  toPrimitiveObject: () => ({ [Symbol.toPrimitive]: () => ({}) }),
  nullProto: () => Object.create(null),
  null: () => null,
  undefined: () => undefined,
  number: () => 42,
  nan: () => Number.NaN,
  bigint: () => 10n ** 30n,
  fn: () => function named() {},
  date: () => new Date(Number.NaN),
  circular: () => {
    const o: Record<string, unknown> = { k: 1 };
    o.self = o;
    return o;
  },
  deep: () => {
    let o: Record<string, unknown> = { leaf: 'x' };
    for (let i = 0; i < 50; i++) o = { o };
    return o;
  },
  throwingProxy: () =>
    new Proxy({}, { get: boom('get'), ownKeys: boom('ownKeys'), getPrototypeOf: boom('proto') }),
  revoked: () => {
    const r = Proxy.revocable({}, {});
    r.revoke();
    return r.proxy;
  },
  error: () => new Error('inner'),
  lineBreaks: () => 'a\nb\u2028c\ud800',
};

/** Another realm, made once (a context costs milliseconds). */
const realm = createContext();

const BASES: Record<string, () => Error> = {
  Error: () => new Error('base'),
  TypeError: () => new TypeError('base'),
  subclass: () => new (class ValidationError extends Error {})('base'),
  aggregate: () => new AggregateError([new Error('one'), 'two'], 'base'),
  noSlots: () => Object.create(Error.prototype) as Error,
  crossRealm: () => runInContext('new RangeError("base")', realm) as Error,
  nullProto: () => Object.setPrototypeOf(new Error('base'), null) as Error,
};

type How = 'assign' | 'define' | 'throwingGetter' | 'hidden';

const TRAPS = ['get', 'getPrototypeOf', 'ownKeys', 'has', 'getOwnPropertyDescriptor'] as const;

const fieldArb = fc.record({
  key: fc.oneof(
    fc.constantFrom('message', 'name', 'code', 'stack', 'cause', 'errors', 'constructor'),
    fc.constantFrom('password', 'detail', 'toJSON'),
    fc.string({ maxLength: 8 }),
  ),
  how: fc.constantFrom<How>('assign', 'define', 'throwingGetter', 'hidden'),
  // The name of a hostile value (made in buildError: fast-check itself would trip on a
  // revoked Proxy), or a string.
  value: fc.oneof(
    fc.constantFrom(...Object.keys(HOSTILE_VALUES)).map((made) => ({ made })),
    fc.string({ unit: 'binary', maxLength: 20 }).map((text) => ({ text })),
  ),
});

const errorArb = fc.record({
  base: fc.constantFrom(...Object.keys(BASES)),
  fields: fc.array(fieldArb, { maxLength: 5 }),
  wrap: fc.constantFrom('none', 'proxy', 'throwingTraps', 'revoked', ...TRAPS),
});

type ErrorSpec = typeof errorArb extends fc.Arbitrary<infer T> ? T : never;

function buildError(spec: ErrorSpec): object {
  const err = BASES[spec.base]!() as unknown as Record<string, unknown>;
  for (const f of spec.fields) {
    const value = 'made' in f.value ? HOSTILE_VALUES[f.value.made]!() : f.value.text;
    try {
      if (f.how === 'assign') err[f.key] = value;
      else if (f.how === 'throwingGetter')
        Object.defineProperty(err, f.key, {
          get: boom(f.key),
          enumerable: true,
          configurable: true,
        });
      else
        Object.defineProperty(err, f.key, {
          value,
          enumerable: f.how === 'define',
          configurable: true,
          writable: true,
        });
    } catch {
      // A key the base refuses: the Error stays as it is.
    }
  }
  switch (spec.wrap) {
    case 'none':
      return err;
    case 'proxy':
      return new Proxy(err, {});
    case 'throwingTraps':
      return new Proxy(err, Object.fromEntries(TRAPS.map((t) => [t, boom(t)])));
    case 'revoked': {
      const r = Proxy.revocable(err, {});
      r.revoke();
      return r.proxy;
    }
    default:
      return new Proxy(err, { [spec.wrap]: boom(spec.wrap) });
  }
}

/** Each call shape writes exactly one record. */
const SHAPES: Record<string, (log: Logger, e: any) => void> = {
  error: (log, e) => log.error(e),
  errorMsg: (log, e) => log.error(e, 'm'),
  errorFormat: (log, e) => log.error(e, 'm %s %d %j %o %O', e, e, e, e, e),
  field: (log, e) => log.error({ err: e }),
  fieldMsg: (log, e) => log.warn({ err: e, other: e }, 'm'),
  nested: (log, e) =>
    log.info({ a: { b: [e, { c: e }] }, m: new Map([['k', e]]), s: new Set([e]) }),
  cause: (log, e) => log.error(new Error('outer', { cause: e })),
  aggregate: (log, e) => log.error(new AggregateError([e, new Error('x', { cause: e })], 'agg')),
  lazyThrows: (log, e) =>
    log.info({
      v: lazy(() => {
        throw e;
      }),
    }),
  message: (log, e) => log.info('%s and %o', e, e),
  child: (log, e) => log.child({ err: e }).error('c'),
  grandchild: (log, e) =>
    log
      .child({ err: e })
      .child({ x: [e] })
      .error(e),
  childOfError: (log, e) => log.child(e).info('bindings are the error'),
  fatal: (log, e) => log.fatal(e),
};

function loggers(): Array<[string, Logger]> {
  return [
    ['plain', createLogger({ capture: true, level: 'trace' })],
    [
      'hooked',
      createLogger({
        capture: true,
        level: 'trace',
        // Paths through `other` (fieldMsg): @pinojs/redact copies what a path crosses, and a
        // getter that throws then leaves the call's fields out with a "hookError".
        redact: ['other.detail', 'a.b'],
        msgPrefix: 'p ',
        sampling: { rate: 1 },
        mixin: () => ({ mixed: true }),
      }),
    ],
    ['production', createLogger({ preset: 'production', capture: true, level: 'trace' })],
  ];
}

describe('hostile Errors in every call shape', () => {
  // One frame per stack: capturing and escaping 10 frames per Error would be most of the
  // run's time, and the fields under test are the hostile ones, not the stack's length.
  const stackTraceLimit = Error.stackTraceLimit;
  beforeAll(() => {
    Error.stackTraceLimit = 1;
  });
  afterAll(() => {
    Error.stackTraceLimit = stackTraceLimit;
  });

  it('never throws and writes one parseable record per call, 100,000+ generated calls', () => {
    const all = loggers();
    let calls = 0;
    fc.assert(
      fc.property(errorArb, (spec) => {
        const failures: string[] = [];
        // One Error per case, through every shape and logger: logging never changes it.
        const e = buildError(spec);
        for (const [name, log] of all) {
          for (const [shape, call] of Object.entries(SHAPES)) {
            const capture = log.capture!;
            capture.clear();
            calls++;
            try {
              call(log, e);
            } catch (err) {
              failures.push(`${name}/${shape} threw ${String(err)}: ${JSON.stringify(spec)}`);
              continue;
            }
            if (capture.lines.length !== 1) {
              failures.push(`${name}/${shape} wrote ${capture.lines.length} lines`);
              continue;
            }
            const line = capture.lines[0]!;
            let rec: Record<string, unknown>;
            try {
              rec = JSON.parse(line) as Record<string, unknown>;
            } catch {
              failures.push(`${name}/${shape} wrote invalid JSON: ${line.slice(0, 200)}`);
              continue;
            }
            if (/[\n\r\u2028\u2029]/.test(line)) failures.push(`${name}/${shape}: raw line break`);
            if (shape === 'error' || shape === 'errorMsg') {
              // It says what it can: an err object with a string type and message, or (for a
              // Proxy that will not even say it is an Error) a marker naming what failed. A
              // Proxy around an Error of another realm or without a prototype cannot be told
              // from an object: its fields are written.
              const err = rec.err as Record<string, unknown> | undefined;
              const ok =
                (err !== undefined &&
                  typeof err.type === 'string' &&
                  typeof err.message === 'string') ||
                typeof rec._serializeError === 'string' ||
                (spec.wrap !== 'none' &&
                  (spec.wrap !== 'proxy' ||
                    spec.base === 'crossRealm' ||
                    spec.base === 'nullProto'));
              if (!ok) failures.push(`${name}/${shape} lost the error: ${line.slice(0, 300)}`);
            }
          }
        }
        // Thrown, so that fast-check's report (seed, shrunk counterexample) says what failed.
        if (failures.length > 0) throw new Error(failures.slice(0, 3).join('\n'));
      }),
      { numRuns: Number(process.env.HOSTILE_RUNS ?? 2500) },
    );
    if (process.env.HOSTILE_RUNS === undefined) expect(calls).toBeGreaterThanOrEqual(100_000);
  }, 120_000);

  it('writes the known cases with what could be read', () => {
    const log = createLogger({ capture: true });
    const e1 = Object.assign(new Error('x'), { message: ['a', 'b'] });
    log.error(e1);
    const msgGetter = new Error('x');
    Object.defineProperty(msgGetter, 'message', { get: boom('message') });
    log.error(msgGetter);
    log.error(Object.assign(new Error('x'), { message: Symbol('s'), code: Symbol('c'), name: 7 }));
    log.error(new Proxy(new Error('proxied'), {}));
    const recs = log.capture!.records() as Array<Record<string, any>>;
    expect(recs[0]!.err.message).toBe('a,b');
    expect(recs[0]!.msg).toBe('a,b');
    expect(recs[1]!.err.message).toBe('[Getter threw: message threw]');
    expect(recs[1]!.err.stack).toEqual(expect.any(String));
    expect(recs[2]!.err).toMatchObject({
      type: 'Error',
      message: 'Symbol(s)',
      code: 'Symbol(c)',
      name: 7,
    });
    expect(recs[3]!.err).toMatchObject({ type: 'Error', message: 'proxied' });
    expect(recs[3]!.msg).toBe('proxied');
  });
});
