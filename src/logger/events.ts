/**
 * Typed events: a JSON schema per event name, compiled once into a writer that knows the
 * keys, their order and their types. Top-level strings, numbers and booleans are written
 * directly (key prefixes prepared in advance, strings through quoteString, so they are escaped
 * as every other line); nested objects and arrays are written by fast-json-stringify,
 * compiled from their part of the schema, with U+2028/U+2029 escaped afterwards
 * (fast-json-stringify leaves them raw, as JSON.stringify does).
 */
import { createRequire } from 'node:module';
import type FastJsonStringify from 'fast-json-stringify';
import { ErrorCodes, invalidOption, RinglogError } from '../protocol/errors.js';
import { quoteString, type SerializeLimits, serializeValue } from './serialize.js';

/** A JSON schema of the event's fields: `{ type: 'object', properties: {...}, required? }`. */
export type EventSchema = Record<string, unknown>;

/** `fields → ',"a":1,"b":"x"'` (empty for no fields); throws when the fields do not fit. */
export type CompiledFields = (fields: object, limits: SerializeLimits) => string;

const STRING = 0;
const NUMBER = 1;
const INTEGER = 2;
const BOOLEAN = 3;
const NESTED = 4;
const ANY = 5;

interface Part {
  key: string;
  prefix: string;
  kind: number;
  required: boolean;
  nested: ((v: unknown) => string) | undefined;
}

// fast-json-stringify brings ajv with it: ~40 ms of module loading on a quiet machine, more
// than the rest of ringlog's start-up. It is loaded on the first nested part of a schema,
// so a process without typed events (or with flat ones only) never pays for it.
let fastJson: typeof FastJsonStringify | undefined;
function loadFastJson(): typeof FastJsonStringify {
  fastJson ??= createRequire(import.meta.url)('fast-json-stringify') as typeof FastJsonStringify;
  return fastJson;
}

const LINE_SEPARATORS = /[\u2028\u2029]/;
const escapeSeparator = (c: string) => (c === '\u2028' ? '\\u2028' : '\\u2029');

function kindOf(type: unknown): number {
  switch (type) {
    case 'string':
      return STRING;
    case 'number':
      return NUMBER;
    case 'integer':
      return INTEGER;
    case 'boolean':
      return BOOLEAN;
    case 'object':
    case 'array':
      return NESTED;
    default:
      return ANY;
  }
}

function compileNested(where: string, name: string, key: string, schema: object) {
  let stringify: (v: unknown) => string;
  try {
    const build = loadFastJson();
    stringify = build(schema as Parameters<typeof build>[0]) as (v: unknown) => string;
  } catch (err) {
    throw new RinglogError(
      ErrorCodes.INVALID_OPTION,
      `${where}: the schema of event "${name}" does not compile at "${key}": ${(err as Error).message}`,
      { cause: err },
    );
  }
  return (v: unknown) => {
    const text = stringify(v);
    return LINE_SEPARATORS.test(text) ? text.replace(/[\u2028\u2029]/g, escapeSeparator) : text;
  };
}

/** Compiles the schema of one event. Throws RINGLOG_INVALID_OPTION naming the event. */
export function compileEvent(where: string, name: string, schema: unknown): CompiledFields {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema))
    throw invalidOption(where, `schemas["${name}"]`, 'a JSON schema object', schema);
  const s = schema as { type?: unknown; properties?: unknown; required?: unknown };
  if (s.type !== 'object')
    throw invalidOption(where, `schemas["${name}"].type`, '"object"', s.type);
  const props = s.properties ?? {};
  if (props === null || typeof props !== 'object')
    throw invalidOption(where, `schemas["${name}"].properties`, 'an object', props);
  const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
  const parts: Part[] = Object.entries(props).map(([key, sub]) => {
    if (sub === null || typeof sub !== 'object')
      throw invalidOption(where, `schemas["${name}"].properties.${key}`, 'a schema object', sub);
    const kind = kindOf((sub as { type?: unknown }).type);
    return {
      key,
      prefix: `,${quoteString(key)}:`,
      kind,
      required: required.has(key),
      nested: kind === NESTED ? compileNested(where, name, key, sub) : undefined,
    };
  });
  for (const key of required)
    if (!parts.some((p) => p.key === key))
      throw invalidOption(where, `schemas["${name}"].required`, 'names of properties', key);

  return (fields, limits) => {
    const o = fields as Record<string, unknown>;
    let out = '';
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      const v = o[p.key];
      if (v === undefined) {
        if (p.required) throw new Error(`"${p.key}" is required`);
        continue;
      }
      switch (p.kind) {
        case STRING:
          out +=
            p.prefix +
            (typeof v === 'string' ? quoteString(v, limits) : quoteString(String(v), limits));
          break;
        case NUMBER:
        case INTEGER:
          if (typeof v !== 'number')
            throw new Error(`"${p.key}" must be a number, got ${typeof v}`);
          out +=
            p.prefix + (Number.isFinite(v) ? (p.kind === INTEGER ? Math.trunc(v) : v) : 'null');
          break;
        case BOOLEAN:
          out += p.prefix + (v ? 'true' : 'false');
          break;
        case NESTED:
          out += p.prefix + p.nested!(v);
          break;
        default:
          out += p.prefix + serializeValue(v, limits);
      }
    }
    return out;
  };
}
