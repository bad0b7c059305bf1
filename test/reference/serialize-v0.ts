/**
 * Values turned into JSON text for one NDJSON line. Nothing here throws: a getter, toJSON or
 * Proxy trap that throws becomes a marker string in the output, so a bad field never costs the
 * record. The output is always valid JSON and never contains a raw line break.
 */
import { types } from 'node:util';
import {
  classifyKey,
  KEY_PLAIN,
  KEY_SECRET,
  type KeyKind,
  type KeyRedaction,
  redactUrl,
} from '../../src/logger/redact-keys.js';
import { errorMessage } from '../../src/protocol/errors.js';

export interface SerializeLimits {
  /** Nesting depth beyond which objects/arrays are replaced by "[Object]" / "[Array]". */
  maxDepth: number;
  /** Max entries per object/array/Map/Set; the rest are cut and a marker is added. */
  maxBreadth: number;
  /** Strings longer than this are cut and suffixed with "…[+N chars]"; 0 = no cap. */
  maxStringLength: number;
  /** Keys censored by name at any depth, and URL keys scrubbed (the redactKeys option). */
  redactKeys?: KeyRedaction | undefined;
}

/**
 * Looser than pino's depthLimit 5 / edgeLimit 100 so ordinary nested payloads stay whole; the
 * limits only exist to stop a runaway object (a request, a DB client) from filling the ring.
 */
export const DEFAULT_LIMITS: Readonly<SerializeLimits> = Object.freeze({
  maxDepth: 10,
  maxBreadth: 1000,
  maxStringLength: 0,
});

// Control chars, '"', '\', U+2028/U+2029 (raw they end a JS line) and any surrogate. Without the
// `u` flag the class matches code units, so a valid pair also lands on the slow path, which keeps it.
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\u2028\u2029\ud800-\udfff]/;

const SHORT_ESCAPES: Readonly<Record<number, string>> = {
  8: '\\b',
  9: '\\t',
  10: '\\n',
  12: '\\f',
  13: '\\r',
};
const CONTROL_ESCAPES: readonly string[] = Array.from(
  { length: 0x20 },
  (_, code) => SHORT_ESCAPES[code] ?? `\\u${code.toString(16).padStart(4, '0')}`,
);

const CIRCULAR = '"[Circular]"';
const hasOwn = Object.prototype.hasOwnProperty;

/** Where a value sits decides what undefined, functions and symbols become (as JSON.stringify). */
const AT_TOP = 0;
const IN_ARRAY = 1;
const IN_OBJECT = 2;
type Place = typeof AT_TOP | typeof IN_ARRAY | typeof IN_OBJECT;

/** One walk over a value: `path` holds the containers being written, outermost first. */
interface Walk {
  readonly limits: SerializeLimits;
  readonly path: object[];
  /** Set while a subtree is rewritten by the guarded path after the lean one threw: its
   * descendants go straight to the guarded path, so a failure deep down (a stack overflow)
   * costs one more walk of the subtree, not one per level. */
  guarded?: boolean;
}

/** What a getter or toJSON threw, kept apart from any value it could have returned. */
class Thrown {
  readonly #error: unknown;
  constructor(error: unknown) {
    this.#error = error;
  }
  get error(): unknown {
    return this.#error;
  }
  /** A private-name check: unlike instanceof it runs no Proxy trap of the value it tests. */
  static is(value: unknown): value is Thrown {
    return typeof value === 'object' && value !== null && #error in value;
  }
}

/**
 * A JS string as a JSON string literal (with the quotes), safe to embed in JS source too.
 *
 * @example
 * quoteString('a "b"\n'); // '"a \\"b\\"\\n"'
 */
export function quoteString(s: string, limits?: SerializeLimits): string {
  if (limits !== undefined && limits.maxStringLength > 0 && s.length > limits.maxStringLength) {
    s = truncate(s, limits.maxStringLength);
  }
  const n = s.length;
  // Short strings (most field values, every key): a char loop beats the regex, 60 vs 110 ns
  // on a 10-field record here; past ~64 chars the regex's vectorised scan wins.
  if (n < 64) {
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (
        c < 0x20 ||
        c === 0x22 ||
        c === 0x5c ||
        (c >= 0x2028 && (c <= 0x2029 || (c >= 0xd800 && c <= 0xdfff)))
      ) {
        return escapeString(s);
      }
    }
    return `"${s}"`;
  }
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  return escapeString(s);
}

// A record's keys repeat from call to call: what the serializer needs of a key (',"key":',
// '{"key":' and, under redactKeys, whether it is a secret) is made once and looked up after
// (a Map hit is ~10 ns, quoting ~40). Bounded in entries and in characters, so records with
// ever-new or huge keys cannot grow it: keys longer than KEY_CACHE_MAX_KEY_CHARS are never
// kept, and the cache stops taking keys at KEY_CACHE_MAX entries or KEY_CACHE_MAX_CHARS
// characters of key text (about 2 MB; 4,096 keys of 20 characters use a fifth of it).
const KEY_CACHE_MAX = 4096;
const KEY_CACHE_MAX_KEY_CHARS = 256;
const KEY_CACHE_MAX_CHARS = 1 << 20;

/** What the serializer knows of one key. One shape for every entry, so lookups stay monomorphic. */
class KeyInfo {
  /** ',"key":' */
  readonly field: string;
  /** '{"key":' for the first key of a nested object. */
  readonly open: string;
  /** The redactKeys rules `kind` was decided for: one set in nearly every process. */
  rules: KeyRedaction | undefined = undefined;
  kind: KeyKind = KEY_PLAIN;
  constructor(readonly key: string) {
    const quoted = quoteString(key);
    this.field = `,${quoted}:`;
    this.open = `{${quoted}:`;
  }
}

const keyInfos = new Map<string, KeyInfo>();
let keyCacheChars = 0;

function keyInfo(key: string): KeyInfo {
  const info = keyInfos.get(key);
  return info === undefined ? addKeyInfo(key) : info;
}

function addKeyInfo(key: string): KeyInfo {
  const info = new KeyInfo(key);
  if (key.length <= KEY_CACHE_MAX_KEY_CHARS && keyInfos.size < KEY_CACHE_MAX) {
    const chars = key.length + info.field.length + info.open.length;
    if (keyCacheChars + chars <= KEY_CACHE_MAX_CHARS) {
      keyInfos.set(key, info);
      keyCacheChars += chars;
    }
  }
  return info;
}

/** The kind of a key under `rules`, decided once per key and rules. */
function kindOf(info: KeyInfo, rules: KeyRedaction): KeyKind {
  if (info.rules !== rules) {
    info.kind = classifyKey(info.key, rules);
    info.rules = rules;
  }
  return info.kind;
}

/** For tests: what the key cache holds (entries, characters of key text). */
export function keyCacheStats(): { entries: number; chars: number; maxChars: number } {
  return { entries: keyInfos.size, chars: keyCacheChars, maxChars: KEY_CACHE_MAX_CHARS };
}

function truncate(s: string, maxLength: number): string {
  let end = maxLength;
  const last = s.charCodeAt(end - 1);
  // Keep a surrogate pair whole: cutting between its halves would leave a lone high surrogate.
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${s.slice(0, end)}…[+${s.length - end} chars]`;
}

function escapeString(s: string): string {
  let out = '"';
  let copiedUpTo = 0;
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    let escaped: string;
    if (code < 0x20) escaped = CONTROL_ESCAPES[code]!;
    else if (code === 0x22) escaped = '\\"';
    else if (code === 0x5c) escaped = '\\\\';
    else if (code === 0x2028 || code === 0x2029) escaped = `\\u${code.toString(16)}`;
    else if (code >= 0xd800 && code <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++; // a valid pair is written raw, as UTF-8 encodes it
        continue;
      }
      escaped = `\\u${code.toString(16)}`;
    } else continue;
    out += s.slice(copiedUpTo, i) + escaped;
    copiedUpTo = i + 1;
  }
  return `${out}${s.slice(copiedUpTo)}"`;
}

/**
 * Any value as JSON text. Never throws; JSON.parse always accepts the result.
 *
 * @example
 * const a: Record<string, unknown> = { n: 1n };
 * a.self = a;
 * serializeValue(a, DEFAULT_LIMITS); // '{"n":"1","self":"[Circular]"}'
 */
export function serializeValue(value: unknown, limits: SerializeLimits): string {
  try {
    return writeValue(value, { limits, path: [] }, AT_TOP) ?? 'null';
  } catch (err) {
    return unserializable(err);
  }
}

/**
 * The own enumerable string-keyed properties of `obj` as ',"k1":v1,"k2":v2' (leading comma,
 * no braces), ready to be spliced into a line after other keys. '' when there are none.
 * Properties whose value is undefined, a function or a symbol are omitted (as JSON.stringify does).
 * Never throws (a throwing getter yields a marker value for that key).
 *
 * @example
 * serializeFields({ userId: 7, ok: true, skip: undefined }, DEFAULT_LIMITS); // ',"userId":7,"ok":true'
 */
export function serializeFields(obj: object, limits: SerializeLimits): string {
  try {
    return writeFieldsFast(obj, limits);
  } catch {
    // A top-level getter or Proxy trap threw: redo the object one guarded key at a time
    // (getters before the one that threw run a second time; the first text is discarded).
    return writeFieldsGuarded(obj, limits);
  }
}

/** The hot path: no closures, spread or try/catch; nested values leave it for writeValue. */
function writeFieldsFast(obj: object, limits: SerializeLimits): string {
  const maxBreadth = limits.maxBreadth;
  const rules = limits.redactKeys;
  let out = '';
  let entries = 0;
  let walk: Walk | undefined;
  for (const key in obj) {
    if (!hasOwn.call(obj, key)) continue;
    if (++entries > maxBreadth) continue; // counted for the "N more keys" marker
    const info = keyInfo(key);
    // Without redactKeys this is one compare per key; with it, two more (the kind is cached).
    if (rules !== undefined && kindOf(info, rules) !== KEY_PLAIN) {
      const text = writeRedacted(
        info.kind,
        (obj as Record<string, unknown>)[key],
        rules,
        (walk ??= { limits, path: [obj] }),
      );
      if (text !== undefined) out += info.field + text;
      continue;
    }
    const value = (obj as Record<string, unknown>)[key];
    let text: string | undefined;
    switch (typeof value) {
      case 'string':
        text = quoteString(value, limits);
        break;
      case 'number':
        text = Number.isFinite(value) ? `${value}` : 'null';
        break;
      case 'boolean':
        text = value ? 'true' : 'false';
        break;
      case 'function':
        if ((value as Partial<LazyValue>)[kLazy] !== true) continue;
        text = writeLazy(value as LazyValue, (walk ??= { limits, path: [obj] }), IN_OBJECT);
        break;
      case 'undefined':
      case 'symbol':
        continue;
      default:
        if (value === null) text = 'null';
        else text = writeValue(value, (walk ??= { limits, path: [obj] }), IN_OBJECT);
    }
    if (text !== undefined) out += info.field + text;
  }
  return entries > maxBreadth ? out + moreKeysEntry(',', entries - maxBreadth) : out;
}

function writeFieldsGuarded(obj: object, limits: SerializeLimits): string {
  try {
    return writeEntries(obj, Object.keys(obj), { limits, path: [obj] }, ',');
  } catch (err) {
    return `,"_serializeError":${quoteString(errorMessage(err))}`;
  }
}

/**
 * An Error as a JSON object text, with pino-std-serializers' field names:
 * {"type":..,"message":..,"stack":..,"code"?:..,...own enumerable,"cause"?:{..},"aggregateErrors"?:[..]}
 *
 * @example
 * serializeError(new Error('boom', { cause: 'disk' }), DEFAULT_LIMITS);
 * // '{"type":"Error","message":"boom","stack":"Error: boom\\n    at …","cause":"disk"}'
 */
export function serializeError(err: Error, limits: SerializeLimits): string {
  try {
    return writeError(err, { limits, path: [] });
  } catch (error) {
    return `{"type":"Error","message":${quoteString(`[Unserializable error: ${errorMessage(error)}]`)}}`;
  }
}

/** JSON text of `value`, or undefined where JSON.stringify would omit the property. */
function writeValue(value: unknown, walk: Walk, place: Place): string | undefined {
  switch (typeof value) {
    case 'string':
      return quoteString(value, walk.limits);
    case 'number':
      return Number.isFinite(value) ? `${value}` : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return `"${value}"`; // digits only: JSON numbers lose precision past 2^53 in most readers
    case 'undefined':
      return place === IN_OBJECT ? undefined : 'null';
    case 'symbol':
      return place === IN_OBJECT ? undefined : quoteString(value.toString(), walk.limits);
    case 'function':
      if ((value as Partial<LazyValue>)[kLazy] === true)
        return writeLazy(value as LazyValue, walk, place);
      if (place === IN_OBJECT) return undefined;
      return place === IN_ARRAY ? 'null' : quoteString(`[Function: ${value.name || 'anonymous'}]`);
  }
  return value === null ? 'null' : writeObject(value as object, walk, place, true);
}

/** Marks the functions made by lazy(): only these are called, every other function is omitted. */
export const kLazy: unique symbol = Symbol.for('ringlog.lazy');

export type LazyValue<T = unknown> = (() => T) & { readonly [kLazy]: true };

/**
 * A field value computed only if the record is written: the function runs when an enabled
 * method serializes the record, never for a disabled level. If it throws, the record is still
 * written, with the error (type, message, stack) in place of the value.
 *
 * @example
 * log.debug({ state: lazy(() => expensiveDump()) }, 'state');
 */
export function lazy<T>(compute: () => T): LazyValue<T> {
  const fn = (() => compute()) as LazyValue<T>;
  Object.defineProperty(fn, kLazy, { value: true });
  return fn;
}

/** Whether `v` was made by lazy(). */
export function isLazy(v: unknown): v is LazyValue {
  return typeof v === 'function' && (v as Partial<LazyValue>)[kLazy] === true;
}

/**
 * The top-level lazy values of `fields` computed now, in a shallow copy (`fields` itself when
 * it has none). For loggers with hooks: serializers and redaction must see the value, not the
 * function. A lazy value that throws becomes its error (written as an error object) or, for a
 * thrown non-Error, the marker string the serializer writes.
 */
export function resolveTopLevelLazy(fields: Record<string, unknown>): Record<string, unknown> {
  let out = fields;
  for (const key in fields) {
    if (!hasOwn.call(fields, key)) continue;
    const v = fields[key];
    if (!isLazy(v)) continue;
    if (out === fields) out = { ...fields };
    try {
      out[key] = v();
    } catch (err) {
      out[key] = isThrownError(err) ? err : `[lazy value threw: ${errorMessage(err)}]`;
    }
  }
  return out;
}

function writeLazy(fn: LazyValue, walk: Walk, place: Place): string | undefined {
  let value: unknown;
  try {
    value = fn();
  } catch (err) {
    return isThrownError(err)
      ? writeError(err, { limits: walk.limits, path: [] })
      : quoteString(`[lazy value threw: ${errorMessage(err)}]`, walk.limits);
  }
  // A lazy value that returns another function is written as any function is, not called.
  if (typeof value === 'function') return writeValue(undefined, walk, place);
  return writeValue(value, walk, place);
}

/**
 * Anything that fails inside one object replaces that object only, by a marker string. Plain
 * objects and arrays, most of what nested payloads hold, take a lean path first; if a getter
 * or Proxy trap throws there, the object is written again by the guarded path, which marks
 * only the key that threw (getters before it run twice).
 */
function writeObject(
  obj: object,
  walk: Walk,
  place: Place,
  useToJSON: boolean,
): string | undefined {
  const depth = walk.path.length;
  if (walk.guarded !== true) {
    try {
      const proto = Object.getPrototypeOf(obj);
      if (proto === Array.prototype) return writePlainArray(obj as unknown[], walk);
      if (proto === Object.prototype && isPlainData(obj, useToJSON))
        return writePlainObject(obj, walk);
    } catch {
      walk.path.length = depth;
      walk.guarded = true;
      try {
        return writeGuarded(obj, walk, place, useToJSON, depth);
      } finally {
        walk.guarded = false;
      }
    }
  }
  return writeGuarded(obj, walk, place, useToJSON, depth);
}

function writeGuarded(obj: object, walk: Walk, place: Place, useToJSON: boolean, depth: number) {
  try {
    return writeObjectUnguarded(obj, walk, place, useToJSON);
  } catch (err) {
    walk.path.length = depth;
    return unserializable(err);
  }
}

/** A plain object without a toJSON (which must be called). A plain object is data even when
 * it has `message` and `stack`: a serializer's output (pino.stdSerializers.err) is one. */
function isPlainData(obj: object, useToJSON: boolean): boolean {
  return !(useToJSON && typeof (obj as { toJSON?: unknown }).toJSON === 'function');
}

function writePlainObject(obj: object, walk: Walk): string {
  const { path, limits } = walk;
  if (path.includes(obj)) return CIRCULAR;
  if (path.length >= limits.maxDepth) return '"[Object]"';
  path.push(obj);
  const maxBreadth = limits.maxBreadth;
  const rules = limits.redactKeys;
  let out = '';
  let entries = 0;
  for (const key in obj) {
    if (!hasOwn.call(obj, key)) continue;
    if (++entries > maxBreadth) continue;
    const info = keyInfo(key);
    const value = (obj as Record<string, unknown>)[key];
    const text =
      rules !== undefined && kindOf(info, rules) !== KEY_PLAIN
        ? writeRedacted(info.kind, value, rules, walk)
        : writeValue(value, walk, IN_OBJECT);
    if (text !== undefined) out += (out === '' ? info.open : info.field) + text;
  }
  path.pop();
  if (entries > maxBreadth) out += moreKeysEntry(out === '' ? '{' : ',', entries - maxBreadth);
  return out === '' ? '{}' : `${out}}`;
}

function writePlainArray(arr: unknown[], walk: Walk): string {
  const { path, limits } = walk;
  if (path.includes(arr)) return CIRCULAR;
  if (path.length >= limits.maxDepth) return '"[Array]"';
  path.push(arr);
  const n = arr.length;
  const count = Math.min(n, limits.maxBreadth);
  let out = '[';
  for (let i = 0; i < count; i++) {
    if (i > 0) out += ',';
    out += writeValue(arr[i], walk, IN_ARRAY) ?? 'null';
  }
  if (n > count) out += `${count > 0 ? ',' : ''}${quoteString(`…${n - count} more items`)}`;
  path.pop();
  return `${out}]`;
}

function writeObjectUnguarded(obj: object, walk: Walk, place: Place, useToJSON: boolean) {
  if (walk.path.includes(obj)) return CIRCULAR; // only the current path: siblings may repeat
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? 'null' : `"${obj.toISOString()}"`;
  if (isError(obj)) return writeError(obj, walk);
  if (ArrayBuffer.isView(obj)) return writeContainer(obj, walk); // before toJSON: Buffer has one
  const opaque = describeOpaque(obj);
  if (opaque !== undefined) return `"${opaque}"`;
  const toJSON = (obj as { toJSON?: unknown }).toJSON;
  if (useToJSON && typeof toJSON === 'function') {
    const result = callGuarded(toJSON as (this: object, key: string) => unknown, obj);
    if (Thrown.is(result)) return marker('toJSON threw', result.error);
    // As JSON.stringify: the result is written as it is, its own toJSON is not called again.
    if (typeof result === 'object' && result !== null)
      return writeObject(result, walk, place, false);
    return writeValue(result, walk, place);
  }
  if (obj instanceof String || obj instanceof Number || obj instanceof Boolean) {
    return writeValue(obj.valueOf(), walk, place);
  }
  return writeContainer(obj, walk);
}

/** Objects written as a short tag because their content is not data (or not reachable). */
function describeOpaque(obj: object): string | undefined {
  if (obj instanceof ArrayBuffer) return `[ArrayBuffer ${obj.byteLength} bytes]`;
  if (obj instanceof SharedArrayBuffer) return `[SharedArrayBuffer ${obj.byteLength} bytes]`;
  if (obj instanceof WeakMap) return '[WeakMap]';
  if (obj instanceof WeakSet) return '[WeakSet]';
  if (obj instanceof WeakRef) return '[WeakRef]';
  if (obj instanceof Promise) return '[Promise]';
  return undefined;
}

function writeContainer(obj: object, walk: Walk): string {
  const { path, limits } = walk;
  const isList = Array.isArray(obj) || obj instanceof Set || ArrayBuffer.isView(obj);
  if (path.length >= limits.maxDepth) return isList ? '"[Array]"' : '"[Object]"';
  path.push(obj);
  let out: string;
  if (obj instanceof DataView) out = `"[DataView ${obj.byteLength} bytes]"`;
  else if (Buffer.isBuffer(obj))
    out = `{"type":"Buffer","data":${writeItems(obj, obj.length, walk)}}`;
  else if (ArrayBuffer.isView(obj)) {
    const view = obj as unknown as ArrayLike<number | bigint> & Iterable<number | bigint>;
    out = writeItems(view, view.length, walk);
  } else if (Array.isArray(obj)) out = writeItems(obj, obj.length, walk);
  else if (obj instanceof Set) out = writeItems(obj, obj.size, walk);
  else if (obj instanceof Map) out = writeMap(obj, walk);
  else {
    const body = writeEntries(obj, Object.keys(obj), walk, '{');
    out = body === '' ? '{}' : `${body}}`;
  }
  path.pop();
  return out;
}

function writeItems(items: Iterable<unknown>, count: number, walk: Walk): string {
  const maxBreadth = walk.limits.maxBreadth;
  let out = '[';
  let written = 0;
  for (const item of items) {
    if (written === maxBreadth) break;
    out += `${written++ > 0 ? ',' : ''}${writeValue(item, walk, IN_ARRAY) ?? 'null'}`;
  }
  if (count > written) {
    out += `${written > 0 ? ',' : ''}${quoteString(`…${count - written} more items`)}`;
  }
  return `${out}]`;
}

function writeMap(map: Map<unknown, unknown>, walk: Walk): string {
  const maxBreadth = walk.limits.maxBreadth;
  let out = '';
  let separator = '{';
  let entries = 0;
  const rules = walk.limits.redactKeys;
  for (const [key, value] of map) {
    if (entries++ === maxBreadth) break;
    const name = String(key);
    const text =
      rules !== undefined && kindOf(keyInfo(name), rules) !== KEY_PLAIN
        ? writeRedacted(keyInfo(name).kind, value, rules, walk)
        : writeValue(value, walk, IN_OBJECT);
    if (text === undefined) continue;
    out += `${separator}${quoteString(name, walk.limits)}:${text}`;
    separator = ',';
  }
  if (map.size > maxBreadth) out += moreKeysEntry(separator, map.size - maxBreadth);
  return out === '' ? '{}' : `${out}}`;
}

/**
 * `keys` of `obj` as `<open>"k1":v1,"k2":v2`, each property read on its own so a throwing
 * getter marks only its key. '' when nothing is written.
 */
function writeEntries(obj: object, keys: readonly string[], walk: Walk, open: string): string {
  const count = Math.min(keys.length, walk.limits.maxBreadth);
  const rules = walk.limits.redactKeys;
  let out = '';
  let separator = open;
  for (let i = 0; i < count; i++) {
    const key = keys[i]!;
    const kind = rules === undefined ? KEY_PLAIN : kindOf(keyInfo(key), rules);
    const value = readGuarded(obj, key);
    const text = Thrown.is(value)
      ? kind === KEY_SECRET
        ? rules!.censorText
        : marker('Getter threw', value.error)
      : kind === KEY_PLAIN
        ? writeValue(value, walk, IN_OBJECT)
        : writeRedacted(kind, value, rules!, walk);
    if (text === undefined) continue;
    out += `${separator}${quoteString(key)}:${text}`;
    separator = ',';
  }
  if (keys.length > count) out += moreKeysEntry(separator, keys.length - count);
  return out;
}

// Keys the error writer puts first or last; own enumerable copies of them would repeat a key.
const ERROR_OWN_KEYS = new Set(['type', 'message', 'stack', 'cause', 'aggregateErrors']);

type ErrorLike = Error & { code?: unknown; cause?: unknown; errors?: unknown };

/**
 * An Error in pino-std-serializers' shape and order: type, message, stack, aggregateErrors,
 * then the own enumerable fields (code among them), then code if it is not one of them, then
 * cause. Every read is guarded, so an Error whose fields are of any type, whose getters throw,
 * or a Proxy whose traps throw still gives an object that says what could be read.
 */
function writeError(err: ErrorLike, walk: Walk): string {
  const { path, limits } = walk;
  if (path.length >= limits.maxDepth) return '"[Object]"';
  path.push(err);
  const message = readGuarded(err, 'message');
  let out = `{"type":${quoteString(errorType(err), limits)},"message":${quoteString(errorText(message, limits) ?? '', limits)}`;
  const stack = errorText(readGuarded(err, 'stack'), limits);
  if (stack !== undefined) out += `,"stack":${quoteString(stack, limits)}`;
  const errors = readGuarded(err, 'errors');
  const hasErrors = isArray(errors);
  if (hasErrors) out += `,"aggregateErrors":${writeValue(errors, walk, AT_TOP)}`;
  let keys: string[];
  try {
    keys = Object.keys(err);
  } catch (error) {
    keys = [];
    out += `,"_serializeError":${marker('Own keys unreadable', error)}`;
  }
  const ownKeys = keys.filter(
    (key) => !ERROR_OWN_KEYS.has(key) && (key !== 'errors' || !hasErrors),
  );
  // code where it is among the own fields (as pino's for...in), or after them.
  const at = ownKeys.indexOf('code');
  if (at === -1) out += writeEntries(err, ownKeys, walk, ',') + writeCode(err, walk);
  else
    out +=
      writeEntries(err, ownKeys.slice(0, at), walk, ',') +
      writeCode(err, walk) +
      writeEntries(err, ownKeys.slice(at + 1), walk, ',');
  const cause = readGuarded(err, 'cause');
  const causeText = Thrown.is(cause)
    ? marker('Getter threw', cause.error)
    : writeValue(cause, walk, IN_OBJECT);
  if (causeText !== undefined) out += `,"cause":${causeText}`;
  path.pop();
  return `${out}}`;
}

function isThrownError(v: unknown): v is ErrorLike {
  return typeof v === 'object' && v !== null && isError(v);
}

function isUrl(v: unknown): v is URL {
  try {
    return v instanceof URL;
  } catch {
    return false;
  }
}

/** ',"code":…', a Symbol as its text; '' when there is none. */
function writeCode(err: ErrorLike, walk: Walk): string {
  const code = readGuarded(err, 'code');
  const text = Thrown.is(code)
    ? marker('Getter threw', code.error)
    : typeof code === 'symbol'
      ? quoteString(errorText(code, walk.limits)!, walk.limits)
      : writeValue(code, walk, IN_OBJECT);
  return text === undefined ? '' : `,"code":${text}`;
}

/** `Array.isArray`, false where it throws (a revoked Proxy). */
function isArray(v: unknown): v is unknown[] {
  try {
    return Array.isArray(v);
  } catch {
    return false;
  }
}

/** An Error of this realm or another (a vm context); never throws (a Proxy's trap may). */
export function isError(obj: object): obj is ErrorLike {
  try {
    return obj instanceof Error || types.isNativeError(obj);
  } catch {
    return false;
  }
}

/**
 * pino's `type`: the constructor's name (`class ValidationError extends Error` gives
 * "ValidationError" even when `name` was changed), else `name`, else "Error".
 */
function errorType(err: object): string {
  const ctor = readGuarded(err, 'constructor');
  if (typeof ctor === 'function') {
    const name = readGuarded(ctor, 'name');
    if (typeof name === 'string' && name !== '') return name;
  }
  const name = readGuarded(err, 'name');
  return typeof name === 'string' && name !== '' ? name : 'Error';
}

/**
 * A message or stack as text: a string as it is, undefined as undefined, anything else (an
 * array, a Symbol, an object with its own toString, what a getter threw) as the best text
 * that can be had without throwing.
 */
function errorText(v: unknown, limits: SerializeLimits): string | undefined {
  if (typeof v === 'string') return v;
  if (v === undefined) return undefined;
  if (Thrown.is(v)) return `[Getter threw: ${errorMessage(v.error)}]`;
  if (typeof v === 'symbol') {
    try {
      return v.toString();
    } catch {
      return `[Symbol: ${v.description ?? ''}]`;
    }
  }
  if (typeof v !== 'object' && typeof v !== 'function') return String(v);
  try {
    const text = String(v);
    if (text !== '[object Object]') return text;
  } catch {
    // no usable toString: the value's JSON says more
  }
  return serializeValue(v, limits);
}

/**
 * The message of an Error given as a log call's first argument, as text: what `msg` is when
 * the call gives none. Never throws; undefined when the error has no message at all.
 *
 * @example
 * messageOfError(Object.assign(new Error('x'), { message: ['a', 'b'] }), DEFAULT_LIMITS); // 'a,b'
 */
export function messageOfError(err: object, limits: SerializeLimits): string | undefined {
  return errorText(readGuarded(err, 'message'), limits);
}

/** The value of a secret or URL key: the censor, or the URL with its credentials censored. */
function writeRedacted(
  kind: KeyKind,
  value: unknown,
  rules: KeyRedaction,
  walk: Walk,
): string | undefined {
  if (kind === KEY_SECRET) {
    // As for any field: no value, no key. Everything else, objects included, is censored.
    if (value === undefined || typeof value === 'symbol') return undefined;
    if (typeof value === 'function' && (value as Partial<LazyValue>)[kLazy] !== true)
      return undefined;
    return rules.censorText;
  }
  if (typeof value === 'string') return quoteString(redactUrl(value, rules), walk.limits);
  if (isUrl(value)) return quoteString(redactUrl(value.href, rules), walk.limits);
  return writeValue(value, walk, IN_OBJECT);
}

function readGuarded(obj: object, key: string): unknown {
  try {
    return (obj as Record<string, unknown>)[key];
  } catch (err) {
    return new Thrown(err);
  }
}

function callGuarded(fn: (this: object, key: string) => unknown, self: object): unknown {
  try {
    return fn.call(self, '');
  } catch (err) {
    return new Thrown(err);
  }
}

function moreKeysEntry(separator: string, more: number): string {
  return `${separator}"…":"${more} more keys"`;
}

function marker(what: string, error: unknown): string {
  return quoteString(`[${what}: ${errorMessage(error)}]`);
}

function unserializable(error: unknown): string {
  return marker('Unserializable', error);
}

/** The message of anything thrown; itself never throws (String() of some objects does). */
