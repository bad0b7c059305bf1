import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger, type Logger } from '../../src/index.js';
import {
  type ReferenceLogger,
  referenceChild,
  referenceChindings,
  referenceLine,
} from '../reference/line-v0.js';

// Every line the logger writes is compared with the line the frozen copy of the serializer
// before the hot path's caches (test/reference/) builds for the same call. Calls come in runs
// on a few loggers of different limits, so the caches (the last key at each position, a
// logger's last message, a log method's level-and-time piece) are hit, missed and shared
// between loggers.

const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
type LevelName = keyof typeof LEVELS;

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0';

/** Any UTF-16 code unit (lone surrogates included), or something that needs escaping. */
const unit = fc.oneof(
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  fc.constantFrom(
    '"',
    '\\',
    '\n',
    '\u0000',
    '\u001f',
    '\u2028',
    '\u2029',
    '😀',
    '\ud800',
    '\udfff',
  ),
  fc.constantFrom('a', 'b', ' ', '/', 'é', '中'),
);
const anyString = fc.string({ unit, maxLength: 40 });
/** Strings that repeat from call to call, of every length class the serializer treats apart. */
const pooled = fc.constantFrom(
  'checkout',
  'POST',
  '/api/v1/orders',
  '203.0.113.42',
  UA,
  '',
  'fifteen chars..',
  'sixteen chars...',
  'a "quoted" \\ value',
  'line\nbreak',
  'lone \ud83d high',
  'lone \ude00 low',
  'pair 😀 ok',
  'sep\u2028arator',
  'x'.repeat(127),
  'y'.repeat(128),
  'z'.repeat(129),
  '"'.repeat(40),
  '\u0001'.repeat(30),
  'é'.repeat(200),
);
/** A string equal to one of the pool but a different string in memory (built at run time). */
const copied = pooled.map((s) => s.split('').join(''));
const strings = fc.oneof(
  pooled,
  copied,
  anyString,
  fc.string({ unit, minLength: 60, maxLength: 300 }),
);

const numbers = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(
    -0,
    0,
    Number.NaN,
    Infinity,
    -Infinity,
    1e21,
    2 ** 53 + 2,
    5e-324,
    0.1 + 0.2,
    12.7,
  ),
);

function makeError(message: unknown, extra: Record<string, unknown>, cause: unknown): Error {
  const err = new Error(typeof message === 'string' ? message : 'boom');
  if (typeof message !== 'string') (err as unknown as { message: unknown }).message = message;
  Object.assign(err, extra);
  if (cause !== undefined) (err as Error & { cause: unknown }).cause = cause;
  return err;
}

const keys = fc.oneof(
  fc.constantFrom(
    'userId',
    'action',
    'ok',
    'latencyMs',
    'path',
    'method',
    'status',
    'ip',
    'ua',
    'reqId',
    'a"b',
    'k\n',
    'é',
    '\u2028',
    'lone\ud800',
    'msg',
    'level',
    'k'.repeat(300),
  ),
  anyString,
);

const { value: values } = fc.letrec<{ value: unknown; flat: unknown }>((tie) => ({
  flat: fc.oneof(
    strings,
    numbers,
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.bigInt(),
    fc.constant(Symbol('s')),
    fc.constant(() => 1),
    fc.constantFrom(new Date(0), new Date(Number.NaN)),
  ),
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('flat'),
    tie('flat'),
    tie('flat'),
    fc.dictionary(keys, tie('value'), { maxKeys: 4 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.jsonValue({ maxDepth: 2 }),
    fc
      .tuple(
        fc.oneof(strings, numbers),
        fc.dictionary(keys, tie('flat'), { maxKeys: 3 }),
        tie('flat'),
      )
      .map(([m, extra, cause]) => makeError(m, extra, cause)),
    fc.array(tie('flat'), { maxLength: 3 }).map((xs) => new Map(xs.map((x, i) => [`m${i}`, x]))),
    fc.array(tie('flat'), { maxLength: 3 }).map((xs) => new Set(xs)),
  ),
}));

/** A record's fields: mostly the same keys in the same order (a call site), sometimes not. */
const fieldsArb = fc.oneof(
  fc
    .tuple(strings, numbers, fc.boolean(), strings, strings, fc.integer(), values)
    .map(([action, latencyMs, ok, path, ua, reqId, extra]) => ({
      userId: 48213,
      action,
      ok,
      latencyMs,
      path,
      method: 'POST',
      status: 201,
      ip: '203.0.113.42',
      ua,
      reqId,
      extra,
    })),
  fc.dictionary(keys, values, { maxKeys: 8 }),
);

const printfArgs = fc.array(fc.oneof(strings, numbers, values), { maxLength: 3 });
const message = fc.oneof(
  pooled,
  strings,
  fc.constantFrom(
    'hello world',
    'request completed',
    'user %s took %dms: %j',
    '100%% sure %o',
    '%i %f %O %x',
  ),
);

/** A call's arguments, in every shape the log methods take. */
const callArgs: fc.Arbitrary<unknown[]> = fc.oneof(
  message.map((m) => [m]),
  fc.tuple(message, printfArgs).map(([m, rest]) => [m, ...rest]),
  fields(),
  fc.tuple(fieldsArb, message).map(([f, m]) => [f, m]),
  fc.tuple(fieldsArb, message, printfArgs).map(([f, m, rest]) => [f, m, ...rest]),
  fc
    .tuple(fc.oneof(strings, numbers), fc.dictionary(keys, values, { maxKeys: 3 }), values)
    .map(([m, extra, cause]) => [makeError(m, extra, cause)]),
  fc
    .tuple(strings, fc.dictionary(keys, values, { maxKeys: 3 }), message)
    .map(([m, extra, msg]) => [makeError(m, extra, undefined), msg]),
  fc.oneof(numbers, fc.boolean(), fc.constant(null), fc.bigInt()).map((v) => [v]),
  fc.constant([]),
);

function fields(): fc.Arbitrary<unknown[]> {
  return fieldsArb.map((f) => [f]);
}

/** One call: which logger (0..3: two roots, a child of each), which level, what arguments. */
const call = fc.tuple(
  fc.integer({ min: 0, max: 3 }),
  fc.constantFrom(...(Object.keys(LEVELS) as LevelName[])),
  callArgs,
);

interface Pair {
  logger: Logger;
  ref: ReferenceLogger;
}

// The short root's time: a custom timestamp that changes every few calls, as epoch time
// changes once a millisecond (the log method keeps the level and time as one piece).
const TIMES = [',"time":1', ',"time":1', ',"time":"two"', ',"time":3'];

function rootPair(base: Record<string, unknown>, maxStringLength: number): Pair {
  let tick = 0;
  const logger = createLogger({
    capture: true,
    level: 'trace',
    timestamp: maxStringLength === 0 ? false : () => TIMES[tick++ % TIMES.length]!,
    base,
    maxStringLength,
  });
  const limits = { maxDepth: 10, maxBreadth: 1000, maxStringLength };
  return {
    logger,
    ref: {
      chindings: referenceChindings(base, limits),
      limits,
      time: '',
      msgKey: ',"msg":',
      errKey: ',"err":',
    },
  };
}

function childPair(parent: Pair, bindings: Record<string, unknown>): Pair {
  return { logger: parent.logger.child(bindings), ref: referenceChild(parent.ref, bindings) };
}

const bindingsArb = fc.dictionary(keys, values, { maxKeys: 3 });

describe('every line is byte-identical to the line before the hot-path caches', () => {
  it('generated calls on two roots (unlimited and 20-char strings) and their children', () => {
    fc.assert(
      fc.property(
        bindingsArb,
        bindingsArb,
        fc.array(call, { minLength: 1, maxLength: 40 }),
        (base, bindings, calls) => {
          const plain = rootPair({ pid: 1, hostname: 'h', ...base }, 0);
          const short = rootPair({ pid: 2, ...base }, 20);
          const pairs = [plain, short, childPair(plain, bindings), childPair(short, bindings)];
          const expected: string[] = [[], [], [], []].map(() => '') as string[];
          const ticks = [0, 0];
          for (const [which, level, args] of calls) {
            const pair = pairs[which]!;
            (pair.logger[level] as (...a: unknown[]) => void)(...args);
            const root = which & 1;
            const time = root === 0 ? '' : TIMES[ticks[1]!++ % TIMES.length]!;
            expected[root] += referenceLine({ ...pair.ref, time }, LEVELS[level], args);
          }
          for (const root of [plain, short]) {
            const got = root.logger.capture!.lines.map((l) => `${l}\n`).join('');
            expect(got).toBe(expected[root === plain ? 0 : 1]);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the same S2-shaped call repeated, its values changing one at a time', () => {
    // The caches' own pattern: same keys, same strings, then one value differs.
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fieldsArb, message), { minLength: 2, maxLength: 30 }),
        (rows) => {
          const p = rootPair({ pid: 1 }, 0);
          let expected = '';
          let prev: Record<string, unknown> | undefined;
          for (const [f, m] of rows) {
            const rec = prev === undefined ? f : { ...prev, ...f };
            p.logger.info(rec, m);
            p.logger.info(rec, m);
            expected += referenceLine(p.ref, 30, [rec, m]).repeat(2);
            prev = rec as Record<string, unknown>;
          }
          expect(p.logger.capture!.lines.map((l) => `${l}\n`).join('')).toBe(expected);
        },
      ),
      { numRuns: 200 },
    );
  });
});
