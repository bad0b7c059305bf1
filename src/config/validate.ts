/**
 * Options are checked from tables: one small declarative table per options object (the
 * top level, each destination kind, each nested object), written as
 *
 *   const RETRY = table('retry', {
 *     baseDelayMs: int({ min: 1, default: 200 }),
 *     maxDelayMs: int({ min: 1, default: 30_000 }),
 *   });
 *
 * and read with `checkTable(RETRY, input, at)`, which returns every key resolved (absent
 * means the default) or throws RINGLOG_INVALID_OPTION saying where, what was expected and
 * what came in. A key the table does not list is refused, naming the nearest valid key
 * ("did you mean ...?") or, for options of pino that ringlog names differently, ringlog's.
 * Everything here runs once per createLogger()/child(), never per call.
 */
import { invalidOption } from '../protocol/errors.js';
import { type Hints, rejectUnknownKeys } from './unknown-keys.js';

/** Where an option sits: the API that took it, and its path (`destination[1].retry`). */
export interface At {
  readonly where: string;
  readonly name: string;
}

/** `at` one level down: `destination` + `retry` → `destination.retry`. */
export function under(at: At, key: string): At {
  return { where: at.where, name: at.name === '' ? key : `${at.name}.${key}` };
}

/** One option: what it must be, how a present value is checked, and its value when absent. */
export interface Rule<T> {
  /** Said in the error: `"x" must be <expected>, got ...`. */
  readonly expected: string;
  /** Checks a value that is not undefined; returns it resolved or throws invalidOption. */
  readonly check: (v: unknown, at: At) => T;
  /** The value when the key is absent (or undefined): the default, or undefined. */
  readonly absent: (at: At) => T;
  /** Set on nested tables, so either() can tell a refused key from a wrong shape. */
  readonly table?: Fields;
}

/** What every builder takes: a default for an absent key, or `required`. */
interface Presence<T> {
  default?: T;
  required?: true;
}

/** The type a rule resolves to: T when it has a default or is required, else T | undefined. */
type Out<T, O> = O extends { default: unknown }
  ? T
  : O extends { required: true }
    ? T
    : T | undefined;

/** A rule's `absent`: its default (a copy, when an object: resolved options share nothing),
 * undefined, or, when required, the error. */
function absentOf<T, O extends Presence<T>>(expected: string, o: O): (at: At) => Out<T, O> {
  return (at) => {
    if (o.required === true) throw invalidOption(at.where, at.name, expected, undefined);
    const d: unknown = o.default;
    return (Array.isArray(d) ? [...d] : isPlainObject(d) ? { ...d } : d) as Out<T, O>;
  };
}

function rule<T, O extends Presence<T>>(
  expected: string,
  o: O,
  test: (v: unknown) => boolean,
): Rule<Out<T, O>> {
  return {
    expected,
    check(v, at) {
      if (!test(v)) throw invalidOption(at.where, at.name, expected, v);
      return v as Out<T, O>;
    },
    absent: absentOf(expected, o),
  };
}

/** An integer in min..max (min defaults to 1). */
export function int<const O extends Presence<number> & { min?: number; max?: number }>(
  o: O = {} as O,
): Rule<Out<number, O>> {
  const min = o.min ?? 1;
  const max = o.max ?? Number.POSITIVE_INFINITY;
  const expected =
    max === Number.POSITIVE_INFINITY ? `an integer >= ${min}` : `an integer in ${min}..${max}`;
  return rule(
    expected,
    o,
    (v) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max,
  );
}

/** A number in min..max (fractions allowed). */
export function num<const O extends Presence<number> & { min?: number; max?: number }>(
  o: O = {} as O,
): Rule<Out<number, O>> {
  const min = o.min ?? Number.NEGATIVE_INFINITY;
  const max = o.max ?? Number.POSITIVE_INFINITY;
  return rule(
    `a number in ${min}..${max}`,
    o,
    (v) => typeof v === 'number' && !Number.isNaN(v) && v >= min && v <= max,
  );
}

export function bool<const O extends Presence<boolean>>(o: O = {} as O): Rule<Out<boolean, O>> {
  return rule('true or false', o, (v) => typeof v === 'boolean');
}

/** A string: non-empty unless `empty: true`; `pattern` with its own `expected` text. */
export function str<
  const O extends Presence<string> & { empty?: boolean; pattern?: RegExp; expected?: string },
>(o: O = {} as O): Rule<Out<string, O>> {
  const expected = o.expected ?? (o.empty === true ? 'a string' : 'a non-empty string');
  return rule(
    expected,
    o,
    (v) =>
      typeof v === 'string' &&
      (o.empty === true || v.length > 0) &&
      (o.pattern === undefined || o.pattern.test(v)),
  );
}

/** One of a fixed set of values (strings, numbers, booleans). */
export function oneOf<const V extends string | number | boolean, const O extends Presence<V>>(
  values: readonly V[],
  o: O = {} as O,
): Rule<Out<V, O>> {
  const expected =
    values.length === 2 ? `${show(values[0])} or ${show(values[1])}` : `one of ${values.join('|')}`;
  return rule(expected, o, (v) => (values as readonly unknown[]).includes(v));
}

const show = (v: unknown) => (typeof v === 'string' ? `"${v}"` : String(v));

/** A function. */
export function fn<F = (...args: never[]) => unknown>(): Rule<F | undefined> {
  return rule('a function', {}, (v) => typeof v === 'function');
}

/** Anything; checked by whoever receives it (a module's options, a transport's). */
export function any<T = unknown>(): Rule<T | undefined> {
  return { expected: 'anything', check: (v) => v as T, absent: () => undefined };
}

/** An array whose every item passes `item`. */
export function list<T, const O extends Presence<T[]> & { min?: number }>(
  item: Rule<T | undefined>,
  o: O = {} as O,
): Rule<Out<T[], O>> {
  const min = o.min ?? 0;
  const expected = `an array${min > 0 ? ` of at least ${min}` : ''} of ${item.expected}`;
  return {
    expected,
    check(v, at) {
      if (!Array.isArray(v) || v.length < min) throw invalidOption(at.where, at.name, expected, v);
      return v.map((x, i) => item.check(x, { where: at.where, name: `${at.name}[${i}]` })) as Out<
        T[],
        O
      >;
    },
    absent: absentOf<T[], O>(expected, o),
  };
}

/** An object of any keys whose values pass `value` (headers, labels). */
export function record<T, const O extends Presence<Record<string, T>>>(
  value: Rule<T | undefined>,
  o: O = {} as O,
): Rule<Out<Record<string, T>, O>> {
  const expected = `an object of key → ${value.expected}`;
  return {
    expected,
    check(v, at) {
      if (!isPlainObject(v)) throw invalidOption(at.where, at.name, expected, v);
      const out: Record<string, T> = {};
      for (const [k, x] of Object.entries(v)) out[k] = value.check(x, under(at, k)) as T;
      return out as Out<Record<string, T>, O>;
    },
    absent: absentOf<Record<string, T>, O>(expected, o),
  };
}

/** The first of `rules` that takes the value; the error lists what each expects. */
export function either<R extends Rule<unknown>[]>(
  ...rules: R
): Rule<R[number] extends Rule<infer T> ? T : never> {
  const expected = rules.map((r) => r.expected).join(', or ');
  type T = R[number] extends Rule<infer V> ? V : never;
  return {
    expected,
    check(v, at) {
      for (const r of rules) {
        try {
          return r.check(v, at) as T;
        } catch (err) {
          // A nested table that took the value's shape but refused one of its keys says so.
          if (isPlainObject(v) && r.table !== undefined) throw err;
        }
      }
      throw invalidOption(at.where, at.name, expected, v);
    },
    absent: (at) => rules[0]!.absent(at) as T,
  };
}

/** A rule of its own: `parse` returns the resolved value or `undefined` to refuse it. */
export function custom<T, const O extends Presence<T> = Presence<T>>(
  expected: string,
  parse: (v: unknown, at: At) => T | undefined,
  o: O = {} as O,
): Rule<Out<T, O>> {
  return {
    expected,
    check(v, at) {
      const r = parse(v, at);
      if (r === undefined) throw invalidOption(at.where, at.name, expected, v);
      return r as Out<T, O>;
    },
    absent: absentOf<T, O>(expected, o),
  };
}

/**
 * An object whose keys are checked here and whose values are checked by its consumer
 * (hooks.ts compiles `redact` and `formatters`): unknown keys are refused, anything that is
 * not a plain object is passed through for the consumer's own message.
 */
export function keysOf(what: string, known: readonly string[]): Rule<unknown> {
  return {
    expected: `an object of { ${known.join(', ')} }`,
    check(v, at) {
      if (isPlainObject(v)) rejectUnknownKeys(at, v, known, what);
      return v;
    },
    absent: () => undefined,
  };
}

// ---------------------------------------------------------------------------------------
// Tables

export type Fields = Record<string, Rule<unknown>>;
export type Resolved<F extends Fields> = { [K in keyof F]: F[K] extends Rule<infer T> ? T : never };

export { distance, nearest, rejectUnknownKeys } from './unknown-keys.js';
export type { Hints };

export interface TableRule<F extends Fields, T> extends Rule<T> {
  readonly fields: F;
  readonly keys: readonly string[];
  readonly what: string;
  readonly hints: Hints;
}

/**
 * A nested options object checked by `fields`. `what` names it in the unknown-key error
 * ("an option of type \"http\""). Absent: every field's own default (`default: 'fields'`,
 * the default), or undefined (`optional: true`).
 */
export function table<F extends Fields, const Opt extends boolean = false>(
  what: string,
  fields: F,
  o: { optional?: Opt; hints?: Hints } = {},
): TableRule<F, Opt extends true ? Resolved<F> | undefined : Resolved<F>> {
  const hints = o.hints ?? {};
  const expected = `an object of { ${Object.keys(fields).join(', ')} }`;
  type T = Opt extends true ? Resolved<F> | undefined : Resolved<F>;
  return {
    expected,
    fields,
    keys: Object.keys(fields),
    table: fields,
    what,
    hints,
    check(v, at) {
      if (!isPlainObject(v)) throw invalidOption(at.where, at.name, expected, v);
      return checkFields(fields, v, at, what, hints) as T;
    },
    absent(at) {
      if (o.optional === true) return undefined as T;
      return checkFields(fields, {}, at, what, hints) as T;
    },
  };
}

/** Checks `input` against a table made by table(); `at.name` is its path ('' at the top). */
export function checkTable<F extends Fields>(
  t: TableRule<F, unknown>,
  input: unknown,
  at: At,
): Resolved<F> {
  if (input === undefined) return checkFields(t.fields, {}, at, t.what, t.hints);
  if (!isPlainObject(input)) throw invalidOption(at.where, at.name || 'options', t.expected, input);
  return checkFields(t.fields, input, at, t.what, t.hints);
}

/**
 * Refuses the keys `t` does not list, without resolving the values: for callers that check
 * the values themselves and run often (child(), whose hooks and level are checked where
 * they are compiled). Costs Object.keys and a few compares.
 */
export function checkKeys(t: TableRule<Fields, unknown>, input: unknown, at: At): void {
  if (input === undefined) return;
  if (!isPlainObject(input)) throw invalidOption(at.where, at.name, t.expected, input);
  rejectUnknownKeys(at, input, t.keys, t.what, t.hints);
}

function checkFields<F extends Fields>(
  fields: F,
  o: Record<string, unknown>,
  at: At,
  what: string,
  hints: Hints,
): Resolved<F> {
  rejectUnknownKeys(at, o, Object.keys(fields), what, hints);
  const out: Record<string, unknown> = {};
  for (const [k, r] of Object.entries(fields)) {
    const v = o[k];
    const here = under(at, k);
    out[k] = v === undefined ? r.absent(here) : r.check(v, here);
  }
  return out as Resolved<F>;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
