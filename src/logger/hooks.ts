/**
 * What a user can hook into the making of a record, as pino users know it: serializers per
 * key, redaction, mixin, formatters (level, bindings, log), msgPrefix, onChild. A logger with
 * none of them keeps the plain methods; a logger with any of them gets the hooked methods
 * (logger.ts), so the cost is paid only by those who ask for it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type redactorType from '@pinojs/redact';
import { invalidOption } from '../protocol/errors.js';
import type { RedactKeysOption } from './redact-keys.js';
import type { Sampler } from './sampling.js';

/** @pinojs/redact, loaded the first time `redact` paths are configured: a logger without them
 * (and `import 'ringlog'`) never loads it. It is CommonJS, so require() serves both builds. */
let redactor: typeof redactorType | undefined;
function loadRedactor(): typeof redactorType {
  redactor ??= createRequire(import.meta.url)('@pinojs/redact') as typeof redactorType;
  return redactor;
}

export type Serializer = (value: any) => unknown;

export interface Formatters {
  /** The fields that replace `"level":30`, e.g. `(label) => ({ level: label })`. */
  level?: (label: string, number: number) => Record<string, unknown>;
  /** Rewrites the base fields and each child's bindings, once, when they are serialized. */
  bindings?: (bindings: Record<string, unknown>) => Record<string, unknown>;
  /** Rewrites the fields of each record (after mixin and serializers, before redaction). */
  log?: (fields: Record<string, unknown>) => Record<string, unknown>;
}

export interface RedactOptions {
  /** Paths as pino writes them: `a.b`, `a[0].b`, `a["x-y"]`, `a.*.b`, `*.password`. */
  paths: string[];
  /** The value written instead (default "[Redacted]"), or a function of the value and path. */
  censor?: string | ((value: unknown, path: string[]) => unknown);
  /** Leave the key out instead of censoring it. */
  remove?: boolean;
}

export interface HookOptions {
  /** Functions applied to the record's top-level fields (and to child bindings) by key. */
  serializers?: Record<string, Serializer>;
  /** Paths whose values are censored or removed, in record fields and child bindings. */
  redact?: string[] | RedactOptions;
  /**
   * Keys censored by name wherever they appear (any depth, arrays, Maps, Error fields, child
   * bindings), and URL keys whose userinfo and secret query parameters are censored.
   * `true`: the default list (DEFAULT_REDACT_KEYS); an array: exactly these names;
   * `{ add, remove, censor }`: the default list changed. On by default in the production
   * preset. Root logger only.
   */
  redactKeys?: RedactKeysOption;
  /** Fields added to every record; the call's own fields win on a clash. */
  mixin?: (fields: Record<string, unknown>, level: number) => Record<string, unknown>;
  formatters?: Formatters;
  /** Written before every message of this logger (a child's prefix follows its parent's). */
  msgPrefix?: string;
  /** Called with every child logger created from this one (and its descendants). */
  onChild?: (child: unknown) => void;
}

/** The resolved hooks of one logger; children inherit and extend them. */
export interface Hooks {
  serializers: Record<string, Serializer> | undefined;
  redact: ((obj: Record<string, unknown>) => Record<string, unknown>) | undefined;
  mixin: HookOptions['mixin'];
  formatLevel: Formatters['level'];
  formatBindings: Formatters['bindings'];
  formatLog: Formatters['log'];
  msgPrefix: string;
  onChild: HookOptions['onChild'];
  /** The root logger's sampler (createLogger's `sampling`), shared by its children. */
  sampler: Sampler | undefined;
  /** True when records need the hooked method (anything but onChild/formatBindings). */
  perRecord: boolean;
}

function fn<T>(where: string, name: string, v: unknown): T | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'function') throw invalidOption(where, name, 'a function', v);
  return v as T;
}

function serializersOf(where: string, name: string, v: unknown) {
  if (v === undefined) return undefined;
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw invalidOption(where, name, 'an object of key → function', v);
  for (const [k, s] of Object.entries(v)) fn(where, `${name}.${k}`, s);
  return v as Record<string, Serializer>;
}

function redactorOf(where: string, v: unknown): Hooks['redact'] {
  if (v === undefined) return undefined;
  const o = (Array.isArray(v) ? { paths: v } : v) as Partial<RedactOptions>;
  if (o === null || typeof o !== 'object' || !Array.isArray(o.paths))
    throw invalidOption(where, 'redact', 'an array of paths or { paths, censor?, remove? }', v);
  for (const p of o.paths)
    if (typeof p !== 'string' || p.length === 0)
      throw invalidOption(where, 'redact.paths[]', 'a non-empty string', p);
  if (o.paths.length === 0) return undefined;
  if (o.censor !== undefined && typeof o.censor !== 'string' && typeof o.censor !== 'function')
    throw invalidOption(where, 'redact.censor', 'a string or a function', o.censor);
  if (o.remove !== undefined && typeof o.remove !== 'boolean')
    throw invalidOption(where, 'redact.remove', 'true or false', o.remove);
  let redact: (obj: unknown) => unknown;
  try {
    // serialize: false returns a copy with only the redacted branches cloned; strict: false
    // passes values that are not objects through.
    redact = loadRedactor()({
      paths: o.paths,
      censor: (o.censor ?? '[Redacted]') as string,
      remove: o.remove ?? false,
      serialize: false,
      strict: false,
    }) as (obj: unknown) => unknown;
  } catch (err) {
    throw invalidOption(
      where,
      'redact.paths',
      `paths such as a.b, a[0].b, a["x-y"], a.*.b (${(err as Error).message})`,
      o.paths,
    );
  }
  return (obj) => redact(obj) as Record<string, unknown>;
}

/** Validates the hook options of createLogger() (parent undefined) or child(). */
export function resolveHooks(
  where: string,
  options: HookOptions,
  parent: Hooks | undefined,
  sampler?: Sampler,
): Hooks | undefined {
  const serializers = serializersOf(where, 'serializers', options.serializers);
  const redact = redactorOf(where, options.redact);
  const mixin = fn<HookOptions['mixin']>(where, 'mixin', options.mixin);
  const f = options.formatters;
  if (f !== undefined && (f === null || typeof f !== 'object'))
    throw invalidOption(where, 'formatters', 'an object of { level?, bindings?, log? }', f);
  const formatLevel = fn<Formatters['level']>(where, 'formatters.level', f?.level);
  const formatBindings = fn<Formatters['bindings']>(where, 'formatters.bindings', f?.bindings);
  const formatLog = fn<Formatters['log']>(where, 'formatters.log', f?.log);
  const onChild = fn<HookOptions['onChild']>(where, 'onChild', options.onChild);
  if (options.msgPrefix !== undefined && typeof options.msgPrefix !== 'string')
    throw invalidOption(where, 'msgPrefix', 'a string', options.msgPrefix);
  const hooks: Hooks = {
    serializers:
      serializers === undefined ? parent?.serializers : { ...parent?.serializers, ...serializers },
    redact: redact ?? parent?.redact,
    mixin: mixin ?? parent?.mixin,
    formatLevel: formatLevel ?? parent?.formatLevel,
    formatBindings: formatBindings ?? parent?.formatBindings,
    formatLog: formatLog ?? parent?.formatLog,
    msgPrefix: (parent?.msgPrefix ?? '') + (options.msgPrefix ?? ''),
    onChild: onChild ?? parent?.onChild,
    sampler: sampler ?? parent?.sampler,
    perRecord: false,
  };
  hooks.perRecord =
    hooks.sampler !== undefined ||
    hooks.serializers !== undefined ||
    hooks.redact !== undefined ||
    hooks.mixin !== undefined ||
    hooks.formatLevel !== undefined ||
    hooks.formatLog !== undefined ||
    hooks.msgPrefix !== '';
  const any = hooks.perRecord || hooks.onChild !== undefined || hooks.formatBindings !== undefined;
  return any ? hooks : undefined;
}

/**
 * Applies serializers (by key), then formatters.log, then redaction to a record's fields or
 * to child bindings. Returns a new object when anything changed; never mutates `obj`.
 */
export function applyFieldHooks(
  hooks: Hooks,
  obj: Record<string, unknown>,
  formatLog: boolean,
): Record<string, unknown> {
  let out = obj;
  const serializers = hooks.serializers;
  if (serializers !== undefined) {
    for (const key in serializers) {
      if (Object.hasOwn(out, key) && out[key] !== undefined) {
        if (out === obj) out = { ...obj };
        out[key] = serializers[key]!(out[key]);
      }
    }
  }
  if (formatLog && hooks.formatLog !== undefined) out = hooks.formatLog(out);
  if (hooks.redact !== undefined) out = hooks.redact(out);
  return out;
}

/** The request fields pino-std-serializers writes: method, url, headers, remote address. */
function serializeRequest(req: IncomingMessage) {
  if (req === null || typeof req !== 'object') return req;
  const r = req as IncomingMessage & { originalUrl?: string; id?: unknown };
  const socket = r.socket;
  return {
    ...(r.id !== undefined ? { id: typeof r.id === 'function' ? r.id() : r.id } : {}),
    method: r.method,
    url: r.originalUrl ?? r.url,
    headers: r.headers,
    remoteAddress: socket?.remoteAddress,
    remotePort: socket?.remotePort,
  };
}

/** The response fields pino-std-serializers writes: status code and headers. */
function serializeResponse(res: ServerResponse) {
  if (res === null || typeof res !== 'object') return res;
  return {
    statusCode: res.headersSent || res.statusCode !== undefined ? res.statusCode : null,
    headers: typeof res.getHeaders === 'function' ? res.getHeaders() : undefined,
  };
}

/** Serializers for `req` (http.IncomingMessage) and `res` (http.ServerResponse). */
export const stdSerializers = {
  req: serializeRequest as Serializer,
  res: serializeResponse as Serializer,
};
