/**
 * Request context: fields bound to an async context (AsyncLocalStorage) and written by every
 * log call made in it, from any logger; and, when @opentelemetry/api is installed and a span
 * is active, that span's trace_id, span_id and trace_flags.
 *
 * Cost: the log methods test one property of `ambient` (a shared object) per call. It stays
 * false until withContext() is first called or an OpenTelemetry context manager is found
 * registered (checked when a logger or child is created, never per call), so a process that
 * uses neither pays that one test and nothing else (benchmarks/internal/context.js).
 *
 * Both module copies of a dual ESM/CJS install (and ringlog/http's bundle) share one store:
 * it lives on globalThis under a registered symbol.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { invalidOption } from '../protocol/errors.js';

/** What one withContext() call binds: the fields, and their text per serializer setup. */
export interface ContextStore {
  readonly fields: Record<string, unknown>;
  /** Serialized fields, by the logger that serialized them (weak: a long-lived context must
   * not keep every per-request child alive). */
  texts: WeakMap<object, string>;
}

interface Ambient {
  /** True once a context or an OpenTelemetry context manager may be active. */
  on: boolean;
  /** withContext() was called at least once. */
  contexts: boolean;
  storage: AsyncLocalStorage<ContextStore>;
  /** @opentelemetry/api's trace and context APIs, once a context manager is registered. */
  otel: OtelApi | undefined | null;
}

interface SpanContextLike {
  traceId: string;
  spanId: string;
  traceFlags: number;
}
interface OtelApi {
  trace: { getSpan(ctx: unknown): { spanContext(): SpanContextLike } | undefined };
  context: { active(): unknown };
  isSpanContextValid(sc: SpanContextLike): boolean;
}

const kAmbient = Symbol.for('ringlog.context');
const g = globalThis as unknown as Record<symbol, Ambient | undefined>;
if (g[kAmbient] === undefined) {
  g[kAmbient] = {
    on: false,
    contexts: false,
    storage: new AsyncLocalStorage<ContextStore>(),
    otel: undefined,
  };
}
/** Shared by every copy of ringlog in the process. */
export const ambient: Ambient = g[kAmbient]!;

/** Where @opentelemetry/api keeps its registered globals (its major version 1). */
const kOtelGlobal = Symbol.for('opentelemetry.js.api.1');

/**
 * Looks for a registered OpenTelemetry context manager, and loads @opentelemetry/api (an
 * optional peer dependency) the first time one is found. Called when loggers are created,
 * not per call. Without the package, or with nothing registered, the log methods stay as
 * they are.
 */
export function detectOtel(): void {
  if (ambient.otel !== undefined) return;
  const registered = (g as unknown as Record<symbol, { context?: unknown } | undefined>)[
    kOtelGlobal
  ];
  if (registered?.context === undefined) return;
  try {
    const req = createRequire(import.meta.url);
    ambient.otel = req('@opentelemetry/api') as OtelApi;
    ambient.on = true;
  } catch {
    ambient.otel = null;
  }
}

/**
 * Runs `fn` with `fields` bound: every record logged during `fn` and the async work it starts
 * (awaits, timers, promises, I/O callbacks) carries them, whatever logger writes it. Nested
 * calls add to the fields of the enclosing context (a key given again takes the new value).
 * Returns what `fn` returns.
 *
 * @example
 * ```ts
 * import { withContext } from 'ringlog';
 * await withContext({ reqId: 'r-42', userId: 7 }, async () => {
 *   log.info('loading');        // {"level":30,…,"reqId":"r-42","userId":7,"msg":"loading"}
 *   await loadUser();
 * });
 * ```
 */
export function withContext<T>(fields: Record<string, unknown>, fn: () => T): T {
  if (fields === null || typeof fields !== 'object')
    throw invalidOption('withContext', 'fields', 'an object', fields);
  if (typeof fn !== 'function') throw invalidOption('withContext', 'fn', 'a function', fn);
  ambient.contexts = true;
  ambient.on = true;
  const parent = ambient.storage.getStore();
  const store: ContextStore = {
    fields: parent === undefined ? { ...fields } : { ...parent.fields, ...fields },
    texts: new WeakMap(),
  };
  return ambient.storage.run(store, fn);
}

/**
 * Adds fields to the context this call runs in (the one the nearest withContext() made), for
 * the records logged after it in that context: e.g. the user id once authentication knows it.
 * Returns false, and changes nothing, outside any context.
 */
export function addContext(fields: Record<string, unknown>): boolean {
  if (fields === null || typeof fields !== 'object')
    throw invalidOption('addContext', 'fields', 'an object', fields);
  const store = ambient.storage.getStore();
  if (store === undefined) return false;
  Object.assign(store.fields, fields);
  store.texts = new WeakMap();
  return true;
}

/** The fields of the current context (a copy), or undefined outside any context. */
export function getContext(): Record<string, unknown> | undefined {
  const store = ambient.contexts ? ambient.storage.getStore() : undefined;
  return store === undefined ? undefined : { ...store.fields };
}

/** The current context store, for loggers bound to it (ringlog/http's req.log). */
export function currentContextStore(): ContextStore | undefined {
  return ambient.contexts ? ambient.storage.getStore() : undefined;
}

/** Where a logger bound to one context keeps it (bindContext); registered, so that every copy
 * of ringlog agrees. */
export const kContextStore: unique symbol = Symbol.for('ringlog.contextStore') as never;

/**
 * A child of `logger` that writes the current context's fields wherever it is called, even
 * from code that runs outside the context (a callback of a pooled connection, say). Inside
 * an active context, that context wins. Outside any context it is a plain child.
 */
export function bindContext<L extends { child(bindings: Record<string, unknown>): L }>(
  logger: L,
): L {
  const child = logger.child({});
  const store = currentContextStore();
  if (store !== undefined) (child as unknown as Record<symbol, unknown>)[kContextStore] = store;
  return child;
}

/**
 * The text a log call adds for the ambient context: the context's fields, serialized once
 * per context and logger (`serialize`), then the active span's ids. `bound` is the store of a
 * logger made by bindContext, used when no context is active.
 */
export function ambientText<L extends object>(
  logger: L,
  serialize: (fields: Record<string, unknown>, logger: L) => string,
  bound: ContextStore | undefined,
): string {
  let text = '';
  if (ambient.contexts) {
    const store = ambient.storage.getStore() ?? bound;
    if (store !== undefined) {
      const cached = store.texts.get(logger);
      if (cached === undefined) {
        text = serialize(store.fields, logger);
        store.texts.set(logger, text);
      } else text = cached;
    }
  }
  const otel = ambient.otel;
  if (otel) text += traceText(otel);
  return text;
}

const flagTexts: string[] = [];
// The last span seen and its text: a span's ids never change, and a request's records mostly
// come from one span (measured: ~0.4 µs a call saved, benchmarks/internal/context.js).
let lastSpan: object | undefined;
let lastTraceText = '';

/** `,"trace_id":…,"span_id":…,"trace_flags":"01"` for the active span, as the OpenTelemetry
 * pino instrumentation writes them; '' without a valid span. Never throws. */
function traceText(otel: OtelApi): string {
  try {
    const span = otel.trace.getSpan(otel.context.active());
    if (span === undefined) return '';
    if (span === lastSpan) return lastTraceText;
    const sc = span.spanContext();
    lastSpan = span;
    lastTraceText = '';
    if (!otel.isSpanContextValid(sc)) return '';
    const f = sc.traceFlags & 0xff;
    let flags = flagTexts[f];
    if (flags === undefined) flagTexts[f] = flags = f.toString(16).padStart(2, '0');
    // Valid ids are lowercase hex (isSpanContextValid checked): no escaping needed.
    lastTraceText = `,"trace_id":"${sc.traceId}","span_id":"${sc.spanId}","trace_flags":"${flags}"`;
    return lastTraceText;
  } catch {
    return '';
  }
}
