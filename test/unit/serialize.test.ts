import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LIMITS,
  quoteString,
  type SerializeLimits,
  serializeError,
  serializeFields,
  serializeValue,
} from '../../src/logger/serialize.js';

const L = DEFAULT_LIMITS;
const UNLIMITED: SerializeLimits = { maxDepth: 100_000, maxBreadth: 1e9, maxStringLength: 0 };

function withLimits(overrides: Partial<SerializeLimits>): SerializeLimits {
  return { ...DEFAULT_LIMITS, ...overrides };
}

/** True when `text` holds no lone surrogate, i.e. UTF-8 encoding loses nothing. */
function isWellFormed(text: string): boolean {
  return Buffer.from(text, 'utf8').toString('utf8') === text;
}

/** An object nested `levels` deep through `child`. */
function nest(levels: number): Record<string, unknown> {
  let obj: Record<string, unknown> = { leaf: true };
  for (let i = 1; i < levels; i++) obj = { child: obj };
  return obj;
}

function throwingProxy(trap: keyof ProxyHandler<object>): object {
  return new Proxy(
    { a: 1, b: 'two' },
    {
      [trap]() {
        throw new Error(`${trap} trap`);
      },
    },
  );
}

describe('quoteString', () => {
  it('wraps text with nothing to escape in quotes and nothing else', () => {
    expect(quoteString('hello world /api/v1 ü 中文')).toBe('"hello world /api/v1 ü 中文"');
    expect(quoteString('')).toBe('""');
  });

  it('escapes quotes and backslashes', () => {
    expect(quoteString('say "hi" \\ bye')).toBe('"say \\"hi\\" \\\\ bye"');
  });

  const shortEscapes: Record<number, string> = {
    8: '\\b',
    9: '\\t',
    10: '\\n',
    12: '\\f',
    13: '\\r',
  };
  it.each(Array.from({ length: 32 }, (_, code) => code))(
    'escapes control character %i the way JSON.stringify does',
    (code) => {
      const char = String.fromCharCode(code);
      const expected = shortEscapes[code] ?? `\\u${code.toString(16).padStart(4, '0')}`;
      const out = quoteString(`a${char}b`);
      expect(out).toBe(`"a${expected}b"`);
      expect(out).toBe(JSON.stringify(`a${char}b`));
      expect(JSON.parse(out)).toBe(`a${char}b`);
    },
  );

  it('escapes U+2028 and U+2029, which JSON.stringify leaves raw, so a line is also valid JS', () => {
    const out = quoteString('a\u2028b\u2029c');
    expect(out).toBe('"a\\u2028b\\u2029c"');
    expect(JSON.parse(out)).toBe('a\u2028b\u2029c');
  });

  it.each([
    ['a lone high surrogate', 'x\ud83dy', '"x\\ud83dy"'],
    ['a lone low surrogate', 'x\ude00y', '"x\\ude00y"'],
    ['a high surrogate at the very end', 'x\ud800', '"x\\ud800"'],
    ['a low surrogate before a high one', '\ude00\ud83d', '"\\ude00\\ud83d"'],
    ['two high surrogates in a row', '\ud800\ud800', '"\\ud800\\ud800"'],
  ])('escapes %s so the text is well-formed UTF-16', (_, input, expected) => {
    const out = quoteString(input);
    expect(out).toBe(expected);
    expect(isWellFormed(out)).toBe(true);
    expect(JSON.parse(out)).toBe(input);
  });

  it('keeps valid surrogate pairs (emoji) raw', () => {
    expect(quoteString('ok 😀 👍🏽 "')).toBe('"ok 😀 👍🏽 \\""');
    expect(quoteString('😀')).toBe('"😀"');
  });

  it('cuts strings longer than maxStringLength and says how much was cut', () => {
    expect(quoteString('abcdefghij', withLimits({ maxStringLength: 4 }))).toBe('"abcd…[+6 chars]"');
    expect(quoteString('abcd', withLimits({ maxStringLength: 4 }))).toBe('"abcd"');
  });

  it('cuts before a surrogate pair rather than through it', () => {
    const out = quoteString('abc😀def', withLimits({ maxStringLength: 4 }));
    expect(out).toBe('"abc…[+5 chars]"');
    expect(isWellFormed(out)).toBe(true);
  });

  it('cuts before escaping, so the cap counts characters of the input', () => {
    expect(quoteString('\n\n\n\n\n', withLimits({ maxStringLength: 2 }))).toBe(
      '"\\n\\n…[+3 chars]"',
    );
  });

  it('passes a 1 MB string through whole when there is no cap', () => {
    const big = 'x'.repeat(1 << 20);
    const out = quoteString(big, L);
    expect(out.length).toBe((1 << 20) + 2);
    expect(JSON.parse(out)).toBe(big);
  });

  it('cuts a 1 MB string to maxStringLength', () => {
    const big = 'y'.repeat(1 << 20);
    expect(quoteString(big, withLimits({ maxStringLength: 8 }))).toBe(
      `"yyyyyyyy…[+${(1 << 20) - 8} chars]"`,
    );
  });

  it('escapes a 1 MB string made only of characters that need escaping', () => {
    const big = '"\n'.repeat(1 << 19);
    const out = quoteString(big);
    expect(out.length).toBe((1 << 21) + 2);
    expect(JSON.parse(out)).toBe(big);
  });
});

describe('serializeValue', () => {
  const named = function namedFn() {};
  const cases: Array<[string, unknown, string]> = [
    ['a string', 'hi "you"', '"hi \\"you\\""'],
    ['an integer', 42, '42'],
    ['a float', -12.5, '-12.5'],
    ['a tiny float in exponent form', 1e-7, '1e-7'],
    ['negative zero as 0', -0, '0'],
    ['NaN as null', Number.NaN, 'null'],
    ['Infinity as null', Number.POSITIVE_INFINITY, 'null'],
    ['-Infinity as null', Number.NEGATIVE_INFINITY, 'null'],
    ['true', true, 'true'],
    ['null', null, 'null'],
    ['undefined at the top as null', undefined, 'null'],
    ['a BigInt as a string of its digits', 12345678901234567890n, '"12345678901234567890"'],
    ['a negative BigInt', -5n, '"-5"'],
    ['a Symbol at the top as its description', Symbol('tag'), '"Symbol(tag)"'],
    ['a Symbol without description', Symbol(), '"Symbol()"'],
    ['a named function at the top', named, '"[Function: namedFn]"'],
    ['an anonymous function at the top', (() => () => {})(), '"[Function: anonymous]"'],
    [
      'undefined, functions and symbols in an object as omitted',
      { a: undefined, b: named, c: Symbol('x'), d: 1 },
      '{"d":1}',
    ],
    [
      'undefined, functions and symbols in an array as null, null and the description',
      [undefined, named, Symbol('s'), 1],
      '[null,null,"Symbol(s)",1]',
    ],
    // biome-ignore lint/suspicious/noSparseArray: a hole is the case under test
    ['array holes as null', [1, , 3], '[1,null,3]'],
    [
      'NaN inside an object as null',
      { n: Number.NaN, i: Number.POSITIVE_INFINITY },
      '{"n":null,"i":null}',
    ],
    [
      'a Date as its ISO string',
      new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)),
      '"2024-01-02T03:04:05.006Z"',
    ],
    ['an invalid Date as null', new Date(Number.NaN), 'null'],
    ['an invalid Date inside an object as null', { at: new Date('nope') }, '{"at":null}'],
    [
      'a Map as an object of its entries, keys through String()',
      new Map<unknown, unknown>([
        ['a', 1],
        [2, { x: true }],
        [null, 'n'],
      ]),
      '{"a":1,"2":{"x":true},"null":"n"}',
    ],
    ['a Map entry whose value is undefined as omitted', new Map([['u', undefined]]), '{}'],
    ['a Set as an array', new Set([1, 'a', undefined]), '[1,"a",null]'],
    [
      'a Buffer as pino-style type and data',
      Buffer.from('hi'),
      '{"type":"Buffer","data":[104,105]}',
    ],
    ['a Uint8Array as an array of numbers', new Uint8Array([1, 2, 255]), '[1,2,255]'],
    ['a Float64Array with NaN', new Float64Array([1.5, Number.NaN]), '[1.5,null]'],
    ['a BigInt64Array as strings', new BigInt64Array([1n, -2n]), '["1","-2"]'],
    ['a DataView as its size', new DataView(new ArrayBuffer(4)), '"[DataView 4 bytes]"'],
    ['an ArrayBuffer as its size', new ArrayBuffer(16), '"[ArrayBuffer 16 bytes]"'],
    ['a SharedArrayBuffer as its size', new SharedArrayBuffer(8), '"[SharedArrayBuffer 8 bytes]"'],
    ['a WeakMap as a tag', new WeakMap(), '"[WeakMap]"'],
    ['a WeakSet as a tag', new WeakSet(), '"[WeakSet]"'],
    ['a Promise as a tag', Promise.resolve(1), '"[Promise]"'],
    ['a toJSON result', { toJSON: () => ({ replaced: true }) }, '{"replaced":true}'],
    ['a toJSON that returns a primitive', { toJSON: () => 'text' }, '"text"'],
    [
      'a property whose toJSON returns undefined as omitted',
      { a: { toJSON: () => undefined } },
      '{}',
    ],
    [
      'a toJSON that throws as a marker',
      {
        toJSON() {
          throw new Error('no JSON for you');
        },
      },
      '"[toJSON threw: no JSON for you]"',
    ],
    [
      'a toJSON returning its own object, written without calling toJSON again',
      {
        x: 1,
        toJSON() {
          return this;
        },
      },
      '{"x":1}',
    ],
    ['boxed primitives as their values', [Object('s'), Object(2), Object(false)], '["s",2,false]'],
    ['an Object.create(null) object', Object.assign(Object.create(null), { a: 1 }), '{"a":1}'],
    [
      'numeric keys in ascending order first, as JSON.stringify',
      { b: 1, 2: 'two', 1: 'one' },
      '{"1":"one","2":"two","b":1}',
    ],
    [
      'keys that need escaping',
      { 'a"b': 1, 'line\nbreak': 2, 'back\\slash': 3, '\u2028': 4 },
      '{"a\\"b":1,"line\\nbreak":2,"back\\\\slash":3,"\\u2028":4}',
    ],
    [
      'only own enumerable properties',
      Object.create({ inherited: 1 }, { own: { value: 2, enumerable: true } }),
      '{"own":2}',
    ],
  ];
  it.each(cases)('writes %s', (_, value, expected) => {
    expect(serializeValue(value, L)).toBe(expected);
    expect(() => JSON.parse(serializeValue(value, L))).not.toThrow();
  });

  it('writes a reference back to an ancestor as "[Circular]"', () => {
    const root: Record<string, unknown> = { name: 'root' };
    root.self = root;
    root.list = [root, { up: root }];
    expect(serializeValue(root, L)).toBe(
      '{"name":"root","self":"[Circular]","list":["[Circular]",{"up":"[Circular]"}]}',
    );
  });

  it('writes an array that contains itself with "[Circular]"', () => {
    const list: unknown[] = [1];
    list.push(list);
    expect(serializeValue(list, L)).toBe('[1,"[Circular]"]');
  });

  it('writes the same object twice in siblings in full: a repeat is not a cycle', () => {
    const shared = { id: 7 };
    expect(serializeValue({ a: shared, b: shared, c: [shared, shared] }, L)).toBe(
      '{"a":{"id":7},"b":{"id":7},"c":[{"id":7},{"id":7}]}',
    );
  });

  it('writes a cycle through a Map, a Set and toJSON as "[Circular]"', () => {
    const map = new Map<string, unknown>();
    map.set('me', map);
    const set = new Set<unknown>();
    set.add(set);
    expect(serializeValue({ map, set }, L)).toBe(
      '{"map":{"me":"[Circular]"},"set":["[Circular]"]}',
    );
  });

  it('replaces objects and arrays beyond maxDepth by "[Object]" and "[Array]"', () => {
    const value = { a: { b: { c: 1 }, list: [[1]] } };
    expect(serializeValue(value, withLimits({ maxDepth: 2 }))).toBe(
      '{"a":{"b":"[Object]","list":"[Array]"}}',
    );
    expect(serializeValue(value, withLimits({ maxDepth: 3 }))).toBe(
      '{"a":{"b":{"c":1},"list":["[Array]"]}}',
    );
  });

  it('cuts 1000-level nesting at the default depth of 10', () => {
    const expected = `${'{"child":'.repeat(10)}"[Object]"${'}'.repeat(10)}`;
    expect(serializeValue(nest(1000), L)).toBe(expected);
  });

  it('writes 1000-level nesting whole when maxDepth allows it', () => {
    const deep = nest(1000);
    expect(serializeValue(deep, UNLIMITED)).toBe(JSON.stringify(deep));
  });

  it('still returns valid JSON when nesting is deeper than the call stack', () => {
    const out = serializeValue(nest(200_000), UNLIMITED);
    expect(() => JSON.parse(out)).not.toThrow();
    expect(out).toContain('[Unserializable: Maximum call stack size exceeded]');
  });

  it('cuts an array of 100,000 items to maxBreadth and says how many were left', () => {
    const big = Array.from({ length: 100_000 }, (_, i) => i);
    const parsed = JSON.parse(serializeValue(big, L)) as unknown[];
    expect(parsed).toHaveLength(1001);
    expect(parsed[999]).toBe(999);
    expect(parsed[1000]).toBe('…99000 more items');
  });

  it('writes an array of 100,000 items whole when maxBreadth allows it', () => {
    const big = Array.from({ length: 100_000 }, (_, i) => i);
    expect(serializeValue(big, UNLIMITED)).toBe(JSON.stringify(big));
  });

  it('cuts objects, Maps, Sets and Buffers to maxBreadth with a marker', () => {
    const limits = withLimits({ maxBreadth: 2 });
    expect(serializeValue({ a: 1, b: 2, c: 3, d: 4 }, limits)).toBe(
      '{"a":1,"b":2,"…":"2 more keys"}',
    );
    expect(
      serializeValue(
        new Map([
          ['a', 1],
          ['b', 2],
          ['c', 3],
        ]),
        limits,
      ),
    ).toBe('{"a":1,"b":2,"…":"1 more keys"}');
    expect(serializeValue(new Set([1, 2, 3]), limits)).toBe('[1,2,"…1 more items"]');
    expect(serializeValue(Buffer.from([1, 2, 3, 4, 5]), limits)).toBe(
      '{"type":"Buffer","data":[1,2,"…3 more items"]}',
    );
    expect(serializeValue(new Uint16Array(3), limits)).toBe('[0,0,"…1 more items"]');
  });

  it('marks a nested property whose getter throws and keeps its siblings', () => {
    const value = {
      inner: {
        ok: 1,
        get broken(): never {
          throw new Error('getter blew up');
        },
      },
    };
    expect(serializeValue(value, L)).toBe(
      '{"inner":{"ok":1,"broken":"[Getter threw: getter blew up]"}}',
    );
  });

  it('marks a getter that throws a non-Error with its String()', () => {
    const value = {
      get odd(): never {
        throw 'plain string';
      },
    };
    expect(serializeValue(value, L)).toBe('{"odd":"[Getter threw: plain string]"}');
  });

  it.each(['ownKeys', 'get', 'getPrototypeOf', 'getOwnPropertyDescriptor'] as const)(
    'replaces a nested Proxy whose %s trap throws by a marker and keeps its siblings',
    (trap) => {
      const out = serializeValue({ before: 1, proxy: throwingProxy(trap), after: 2 }, L);
      expect(JSON.parse(out)).toEqual({
        before: 1,
        proxy: `[Unserializable: ${trap} trap]`,
        after: 2,
      });
    },
  );

  it('writes a nested Error as an error object', () => {
    const err = new RangeError('out of range');
    const parsed = JSON.parse(serializeValue({ err }, L));
    expect(parsed.err).toEqual({ type: 'RangeError', message: 'out of range', stack: err.stack });
  });
});

describe('serializeFields', () => {
  it('writes own properties with a leading comma and no braces', () => {
    expect(serializeFields({ user: 'ann', n: 3, ok: false, none: null }, L)).toBe(
      ',"user":"ann","n":3,"ok":false,"none":null',
    );
  });

  it('returns an empty string for an object without fields', () => {
    expect(serializeFields({}, L)).toBe('');
    expect(serializeFields({ gone: undefined }, L)).toBe('');
  });

  it('omits undefined, functions and symbols and writes NaN/Infinity as null', () => {
    expect(
      serializeFields(
        {
          a: undefined,
          f() {},
          s: Symbol('x'),
          nan: Number.NaN,
          inf: Number.NEGATIVE_INFINITY,
          b: 1,
        },
        L,
      ),
    ).toBe(',"nan":null,"inf":null,"b":1');
  });

  it('writes nested values, BigInts and Dates through serializeValue', () => {
    expect(serializeFields({ big: 10n, at: new Date(0), list: [1, { x: 'y' }] }, L)).toBe(
      ',"big":"10","at":"1970-01-01T00:00:00.000Z","list":[1,{"x":"y"}]',
    );
  });

  it('skips inherited properties', () => {
    const child = Object.create({ inherited: true }) as Record<string, unknown>;
    child.own = 1;
    expect(serializeFields(child, L)).toBe(',"own":1');
  });

  it('writes an Object.create(null) object', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.k = 'v';
    expect(serializeFields(bare, L)).toBe(',"k":"v"');
  });

  it('writes a reference back to the fields object as "[Circular]"', () => {
    const obj: Record<string, unknown> = { a: 1 };
    obj.me = obj;
    obj.nested = { up: obj };
    expect(serializeFields(obj, L)).toBe(',"a":1,"me":"[Circular]","nested":{"up":"[Circular]"}');
  });

  it('counts the fields object as the first level of depth, as serializeValue does', () => {
    expect(serializeFields({ a: { b: 1 } }, withLimits({ maxDepth: 1 }))).toBe(',"a":"[Object]"');
    expect(serializeValue({ a: { b: 1 } }, withLimits({ maxDepth: 1 }))).toBe('{"a":"[Object]"}');
  });

  it('cuts to maxBreadth and adds a "…" key', () => {
    expect(serializeFields({ a: 1, b: 2, c: 3 }, withLimits({ maxBreadth: 1 }))).toBe(
      ',"a":1,"…":"2 more keys"',
    );
  });

  it('cuts strings to maxStringLength but not keys', () => {
    expect(serializeFields({ longKeyName: 'abcdef' }, withLimits({ maxStringLength: 3 }))).toBe(
      ',"longKeyName":"abc…[+3 chars]"',
    );
  });

  it('writes a top-level getter that throws as a marker and keeps the other keys', () => {
    const obj = {
      before: 1,
      get broken(): never {
        throw new TypeError('cannot read');
      },
      after: 'x',
    };
    expect(serializeFields(obj, L)).toBe(
      ',"before":1,"broken":"[Getter threw: cannot read]","after":"x"',
    );
  });

  it('writes every key of a Proxy whose get trap throws as a marker', () => {
    expect(serializeFields(throwingProxy('get'), L)).toBe(
      ',"a":"[Getter threw: get trap]","b":"[Getter threw: get trap]"',
    );
  });

  it('falls back to _serializeError when even listing the keys throws', () => {
    expect(serializeFields(throwingProxy('ownKeys'), L)).toBe(',"_serializeError":"ownKeys trap"');
  });

  it('still writes the fields of a Proxy whose getPrototypeOf trap throws', () => {
    expect(serializeFields(throwingProxy('getPrototypeOf'), L)).toBe(',"a":1,"b":"two"');
  });

  it('writes the fields of an Error given as a plain object of fields', () => {
    const err = Object.assign(new Error('x'), { code: 'E1' });
    expect(serializeFields(err, L)).toBe(',"code":"E1"');
  });
});

describe('serializeError', () => {
  function parse(err: Error, limits = L): Record<string, any> {
    const out = serializeError(err, limits);
    expect(isWellFormed(out)).toBe(true);
    return JSON.parse(out) as Record<string, any>;
  }

  it('writes type, message and stack first, in that order', () => {
    const err = new TypeError('bad input');
    const out = serializeError(err, L);
    expect(out).toBe(
      `{"type":"TypeError","message":"bad input","stack":${JSON.stringify(err.stack)}}`,
    );
  });

  it('writes code and own enumerable properties after the stack', () => {
    const err = Object.assign(new Error('no file'), { code: 'ENOENT', path: '/x', errno: -2 });
    const parsed = parse(err);
    expect(Object.keys(parsed)).toEqual(['type', 'message', 'stack', 'code', 'path', 'errno']);
    expect(parsed).toMatchObject({ code: 'ENOENT', path: '/x', errno: -2 });
  });

  it('does not repeat a key when the error has its own "type" or "message" field', () => {
    const err = Object.assign(new Error('too large'), { type: 'entity.too.large' });
    const out = serializeError(err, L);
    expect(out.match(/"type":/g)).toHaveLength(1);
    expect(JSON.parse(out).type).toBe('Error');
  });

  it('uses the name set by a subclass as the type', () => {
    class HttpError extends Error {
      override name = 'HttpError';
      status = 503;
    }
    const parsed = parse(new HttpError('unavailable'));
    expect(parsed.type).toBe('HttpError');
    expect(parsed.status).toBe(503);
  });

  it('writes a cause chain recursively', () => {
    const root = new Error('disk full');
    const mid = new Error('write failed', { cause: root });
    const top = new Error('request failed', { cause: mid });
    const parsed = parse(top);
    expect(parsed.cause.message).toBe('write failed');
    expect(parsed.cause.cause).toEqual({ type: 'Error', message: 'disk full', stack: root.stack });
  });

  it('writes a cause that is not an error as a plain value', () => {
    expect(parse(new Error('x', { cause: { retry: 3 } })).cause).toEqual({ retry: 3 });
    expect(parse(new Error('x', { cause: 'timeout' })).cause).toBe('timeout');
  });

  it('writes a cause set by assignment as well as one set through options', () => {
    const err = new Error('outer') as Error & { cause?: unknown };
    err.cause = new Error('assigned');
    const out = serializeError(err, L);
    expect(out.match(/"cause":/g)).toHaveLength(1);
    expect(JSON.parse(out).cause.message).toBe('assigned');
  });

  it('writes a circular cause chain with "[Circular]"', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(parse(a).cause.cause).toBe('[Circular]');
    const self = new Error('self') as Error & { cause?: unknown };
    self.cause = self;
    expect(parse(self).cause).toBe('[Circular]');
  });

  it('stops a long cause chain at maxDepth', () => {
    let err = new Error('0');
    for (let i = 1; i < 50; i++) err = new Error(String(i), { cause: err });
    const parsed = parse(err, withLimits({ maxDepth: 3 }));
    expect(parsed.cause.cause.message).toBe('47');
    expect(parsed.cause.cause.cause).toBe('[Object]');
  });

  it('writes AggregateError.errors as aggregateErrors', () => {
    const agg = new AggregateError(
      [new Error('first'), new TypeError('second'), 'not an error'],
      'all failed',
    );
    const parsed = parse(agg);
    expect(parsed.type).toBe('AggregateError');
    expect(parsed.message).toBe('all failed');
    expect(parsed.aggregateErrors.map((e: any) => e.type ?? e)).toEqual([
      'Error',
      'TypeError',
      'not an error',
    ]);
    expect(parsed.errors).toBeUndefined();
  });

  it('writes the errors array of any error as aggregateErrors', () => {
    const err = Object.assign(new Error('batch'), { errors: [new Error('one')] });
    expect(serializeError(err, L).match(/"errors"/g)).toBeNull();
    expect(parse(err).aggregateErrors[0].message).toBe('one');
  });

  it('writes an object that is not an Error as data, even with a string stack and message', () => {
    // A serializer's output (pino.stdSerializers.err) is such an object: its type stays.
    const like = { type: 'RemoteError', message: 'from worker', stack: 'RemoteError: x\n    at w' };
    expect(serializeValue(like, L)).toBe(
      '{"type":"RemoteError","message":"from worker","stack":"RemoteError: x\\n    at w"}',
    );
  });

  it('writes what it can read when the message getter throws', () => {
    const err = new Error('x');
    Object.defineProperty(err, 'message', {
      get() {
        throw new Error('message getter');
      },
    });
    const parsed = parse(err);
    expect(parsed.type).toBe('Error');
    expect(parsed.message).toBe('[Getter threw: message getter]');
  });

  it('marks an own property whose getter throws', () => {
    const err = new Error('x');
    Object.defineProperty(err, 'detail', {
      enumerable: true,
      get() {
        throw new Error('detail getter');
      },
    });
    expect(parse(err).detail).toBe('[Getter threw: detail getter]');
  });
});

describe('serialized lines stay valid NDJSON for any input', () => {
  const RUNS = { numRuns: 500 };
  const fieldKey = fc.string().filter((k) => k !== '__proto__' && k !== 'a' && k !== 'msg');
  const anyString = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.string({ unit: 'grapheme' }),
  );

  function lineOf(fields: object, msg: string): string {
    return `{"a":1${serializeFields(fields, L)},"msg":${quoteString(msg)}}`;
  }

  it('writes any JSON value exactly as JSON.stringify, except U+2028/U+2029 escaped', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const expected = JSON.stringify(value)
          .replace(/\u2028/g, '\\u2028')
          .replace(/\u2029/g, '\\u2029');
        expect(serializeValue(value, UNLIMITED)).toBe(expected);
      }),
      RUNS,
    );
  });

  it('returns parseable, well-formed text without raw line breaks for anything', () => {
    fc.assert(
      fc.property(
        fc.anything({
          withBigInt: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withTypedArray: true,
          withNullPrototype: true,
          withSparseArray: true,
          withBoxedValues: true,
        }),
        (value) => {
          const out = serializeValue(value, L);
          expect(() => JSON.parse(out)).not.toThrow();
          expect(out).not.toMatch(/[\n\r\u2028\u2029]/);
          expect(isWellFormed(out)).toBe(true);
        },
      ),
      RUNS,
    );
  });

  it('round-trips any message, lone surrogates included, through quoteString', () => {
    fc.assert(
      fc.property(anyString, (msg) => {
        const out = quoteString(msg);
        expect(JSON.parse(out)).toBe(msg);
        expect(isWellFormed(out)).toBe(true);
        expect(out).not.toContain('\n');
      }),
      RUNS,
    );
  });

  it('builds a parseable line from JSON fields, with the fields as JSON.stringify sees them', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fieldKey, fc.jsonValue({ maxDepth: 5 })),
        anyString,
        (fields, msg) => {
          const line = lineOf(fields, msg);
          expect(line).not.toContain('\n');
          const { a, msg: parsedMsg, ...parsedFields } = JSON.parse(line);
          expect(a).toBe(1);
          expect(parsedMsg).toBe(msg);
          expect(parsedFields).toEqual(JSON.parse(JSON.stringify(fields)));
        },
      ),
      RUNS,
    );
  });

  it('builds a parseable line from fields of mixed awkward values', () => {
    const awkward = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.double(),
      fc.bigInt(),
      fc.constantFrom(
        undefined,
        null,
        Symbol('s'),
        () => 1,
        new Date(Number.NaN),
        new Map([[1, 2]]),
      ),
      fc.date(),
      fc.array(fc.string({ unit: 'binary' })),
      fc.object(),
    );
    fc.assert(
      fc.property(
        fc.dictionary(fieldKey, awkward),
        fc.string({ unit: 'binary' }),
        (fields, msg) => {
          const line = lineOf(fields, msg);
          expect(line).not.toContain('\n');
          expect(isWellFormed(line)).toBe(true);
          const parsed = JSON.parse(line);
          expect(parsed.msg).toBe(msg);
          for (const [key, value] of Object.entries(fields)) {
            if (typeof value === 'string') expect(parsed[key]).toBe(value);
            if (typeof value === 'bigint') expect(parsed[key]).toBe(value.toString());
            if (value === undefined || typeof value === 'symbol' || typeof value === 'function') {
              expect(Object.hasOwn(parsed, key)).toBe(false);
            }
          }
        },
      ),
      RUNS,
    );
  });
});
