/**
 * The Logger: level methods, child(), flush(), close(), metrics(). No I/O: a record becomes
 * one line here and is handed to the channel (channel.ts); the sink worker does the rest.
 */

import {
  CHILD_OPTIONS,
  epochClock,
  type LoggerOptions,
  type ResolvedOptions,
  resolveMinLevel,
  resolveOptions,
  timestamps,
} from '../config/options.js';
import { resolvePresetOptions } from '../config/presets.js';
import { checkKeys } from '../config/validate.js';
import { getSinkHost, type SinkHost } from '../host/sink-host.js';
import { ErrorCodes, errorMessage, invalidOption, RinglogError } from '../protocol/errors.js';
import { createRingBuffer, RingWriter } from '../protocol/ring.js';
import type { DestinationMetrics } from '../protocol/stats.js';
import { type Capture, CaptureChannel, captureSink } from './capture.js';
import { Channel } from './channel.js';
import { ambient, ambientText, type ContextStore, detectOtel, kContextStore } from './context.js';
import { type CompiledFields, compileEvent, type EventSchema } from './events.js';
import { type FlightRecorder, resolveFlightRecorder } from './flight-recorder.js';
import { formatMessage } from './format.js';
import { assembleHealth, type LoggerHealth } from './health.js';
import { applyFieldHooks, type HookOptions, type Hooks, resolveHooks } from './hooks.js';
import {
  type LevelTable,
  levelChoices,
  levelThreshold,
  noop,
  reserveLevelNames,
} from './levels.js';
import type { LoggerChannel, LoggerSink } from './links.js';
import { resolveRedactKeys } from './redact-keys.js';
import { callSite, resolveSampling } from './sampling.js';
import {
  isError,
  messageOfError,
  quoteString,
  resolveTopLevelLazy,
  type SerializeLimits,
  serializeError,
  serializeFields,
} from './serialize.js';

/** A log method: pino's call shapes. */
export interface LogFn {
  (msg: string, ...args: unknown[]): void;
  (obj: object, msg?: string, ...args: unknown[]): void;
  (value: unknown, msg?: string, ...args: unknown[]): void;
}

export interface ChildOptions {
  /** The child's own minimum level. */
  level?: string | number;
  /** Added to the parent's serializers (a key given here replaces the parent's). */
  serializers?: HookOptions['serializers'];
  /** Appended to the parent's msgPrefix. */
  msgPrefix?: string;
  /** Replaces the parent's redaction for this child and its descendants. */
  redact?: HookOptions['redact'];
}

export interface LoggerMetrics {
  /** Records handed to enabled log methods. */
  enqueued: number;
  /** Records the sink has written to their destinations. */
  written: number;
  /** Records given up on, by reason; `enqueued === written + dropped.total` once flushed.
   * `sinkRestart`: records of a batch larger than a quarter of the ring that a restarted sink
   * found half taken by the sink before it (written whole or not at all, so not at all). */
  dropped: {
    total: number;
    ringFull: number;
    blockTimeout: number;
    closed: number;
    sinkRestart: number;
  };
  /** Records neither written nor dropped yet (in the batch, the ring or the sink). */
  pending: number;
  ringBytes: number;
  ringUsedBytes: number;
  ringHighWaterBytes: number;
  batchesPublished: number;
  workerRestarts: number;
  /** True once the sink failed too often and records go to stderr synchronously. */
  fallback: boolean;
  /** With `sampling`: records left out by sampling so far. */
  sampledOut?: number;
  /** With `flightRecorder`: records held now, written out so far, overwritten unread. */
  flightRecorder?: { held: number; dumped: number; discarded: number };
  /** One entry per destination, in the order given: its own written/dropped/errors/buffered. */
  destinations: DestinationMetrics[];
}

export interface BaseLogger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  /** Logs, then flushes synchronously (bounded by flushTimeoutMs). */
  fatal: LogFn;
  /** The minimum level, by name; set it to change which methods are no-ops. */
  level: string;
  readonly levels: LevelTable;
  isLevelEnabled(level: string | number): boolean;
  child(bindings: Record<string, unknown>, options?: ChildOptions): this;
  bindings(): Record<string, unknown>;
  /** Resolves once every record logged so far is written (rejects after flushTimeoutMs). */
  flush(): Promise<void>;
  /** Blocks until every record logged so far is written (throws after flushTimeoutMs). */
  flushSync(): void;
  /** Flushes, closes this logger's destinations and stops its ring. Later calls are counted as dropped. */
  close(): Promise<void>;
  /** Closes and reopens every file destination at its path, for external rotation
   * (logrotate's `create` then a signal). Rejects with RINGLOG_REOPEN_FAILED naming the
   * files that could not be reopened: those go on being written where they were. */
  reopen(): Promise<void>;
  metrics(): LoggerMetrics;
  /** For readiness probes: whether the sink is alive, each destination's state and last
   * error, and the age of the oldest record not yet delivered. Reads shared memory only. */
  health(): LoggerHealth;
  /** Writes the records the flight recorder holds now (see the flightRecorder option). */
  flushFlightRecorder(): void;
  /** With `capture: true`: the records logged so far, kept in memory for assertions. */
  readonly capture: Capture | undefined;
  /**
   * A typed event: its fields are written by a serializer compiled from `schema` (or from
   * `schemas[name]` given to createLogger). Each record carries `"event":name`.
   */
  event(name: string, schema?: EventSchema): EventLogger;
}

/** The level methods of one typed event: `(fields, msg?)`. */
export type EventLogger = Record<string, (fields: object, msg?: string) => void>;

export type Logger<CustomLevels extends string = never> = BaseLogger & Record<CustomLevels, LogFn>;

// Per-logger state lives under symbols: out of the way of custom level names and bindings.
const kRoot = Symbol('ringlog.root');
const kChindings = Symbol('ringlog.chindings');
const kBindings = Symbol('ringlog.bindings');
const kThreshold = Symbol('ringlog.threshold');
const kMethods = Symbol('ringlog.methods');
const kHooks = Symbol('ringlog.hooks');

/** What every logger of one root shares. */
interface Root {
  opts: ResolvedOptions;
  sink: LoggerSink;
  channel: LoggerChannel;
  id: number;
  time: () => string;
  msgKey: string;
  errKey: string;
  limits: SerializeLimits;
  recorder: FlightRecorder | undefined;
  /** channel.append, bound: what the flight recorder drains into. */
  append: (line: string, level: number) => void;
  /** Compiled typed events, by name. */
  events: Map<string, CompiledFields>;
  /** The last short message written and its JSON text (see quoteMessage). */
  lastMsg: string | undefined;
  lastMsgText: string;
}

// A call site logs the same message call after call: the last one's JSON text is kept per
// root logger, and a message that is the same string skips the escape scan and the new string.
const MSG_CACHE_MAX_CHARS = 128;
const MSG_CACHE_MAX_TEXT = 160;

/** `msg` as a JSON string literal, under the root's limits. */
function quoteMessage(root: Root, msg: string): string {
  if (msg === root.lastMsg) return root.lastMsgText;
  const text = quoteString(msg, root.limits);
  if (msg.length <= MSG_CACHE_MAX_CHARS && text.length <= MSG_CACHE_MAX_TEXT) {
    root.lastMsg = msg;
    root.lastMsgText = text;
  }
  return text;
}

interface LoggerState {
  [kRoot]: Root;
  [kChindings]: string;
  [kBindings]: Record<string, unknown>;
  [kThreshold]: number;
  [kMethods]: Record<string, LogFn>;
  [kHooks]: Hooks | undefined;
  /** Set on loggers bound to a request's context (context.ts bindContext). */
  [kContextStore]?: ContextStore;
  [level: string]: unknown;
}

/**
 * The method for one level. Everything that can be decided before the call is: the prefix
 * is cached, bindings are already text, and the message and field serializers never throw.
 */
function createLogMethod(levelValue: number, record: boolean): LogFn {
  const prefix = `{"level":${levelValue}`;
  // The level and the time as one piece, made again when the time text changes (the epoch
  // text changes once a millisecond, and many records share one).
  let lastTime = '';
  let head = prefix;
  return function log(this: LoggerState, a?: unknown, b?: unknown): void {
    const root = this[kRoot];
    const n = arguments.length;
    let fields = '';
    let msg: string | undefined;
    if (typeof a === 'string') {
      msg = n > 1 ? formatMessage(a, arguments, 1, root.limits) : a;
    } else if (typeof a === 'object' && a !== null) {
      if (isError(a)) {
        fields = `${root.errKey}${serializeError(a, root.limits)}`;
        if (typeof b !== 'string') msg = messageOfError(a, root.limits);
      } else {
        fields = serializeFields(a, root.limits);
      }
      if (typeof b === 'string') msg = n > 2 ? formatMessage(b, arguments, 2, root.limits) : b;
    } else if (n > 0) {
      msg = formatMessage('%s', arguments, 0, root.limits);
    }
    const time = root.time();
    if (time !== lastTime) {
      lastTime = time;
      head = prefix + time;
    }
    // One property test when no context was ever bound (context.ts).
    const chindings = ambient.on ? this[kChindings] + contextText(this) : this[kChindings];
    const line =
      msg === undefined
        ? `${head}${chindings}${fields}}\n`
        : `${head}${chindings}${fields}${root.msgKey}${quoteMessage(root, msg)}}\n`;
    deliver(root, line, levelValue, record);
  };
}

/** The ambient context's fields and span ids, serialized as this logger writes bindings. */
function contextText(logger: LoggerState): string {
  return ambientText(logger, serializeContext, logger[kContextStore]);
}

/** Once per context and logger: the fields its bindings do not already have (Fastify's
 * request.log binds reqId; a context with reqId must not write it twice). */
function serializeContext(fields: Record<string, unknown>, logger: LoggerState): string {
  const bound = logger[kBindings];
  let own: Record<string, unknown> | undefined;
  for (const k of Object.keys(fields)) {
    if (!Object.hasOwn(bound, k)) continue;
    own ??= { ...fields };
    delete own[k];
  }
  return bindingsText(logger[kHooks], own ?? fields, logger[kRoot]);
}

/** Into the batch, or into the flight recorder for a level below the logger's; a record at
 * the recorder's trigger level writes what the recorder holds first. */
function deliver(root: Root, line: string, levelValue: number, record: boolean): void {
  const rec = root.recorder;
  if (rec !== undefined) {
    if (record) {
      rec.add(line, levelValue);
      return;
    }
    if (levelValue >= rec.triggerLevel && rec.held > 0) rec.drain(root.append, levelValue);
  }
  root.channel.append(line, levelValue);
}

const levelTexts = new WeakMap<Hooks, Map<number, string>>();

/** `,"level":…` as formatters.level writes it, computed once per level. */
function levelText(root: Root, hooks: Hooks, levelValue: number, plain: string): string {
  let texts = levelTexts.get(hooks);
  if (texts === undefined) levelTexts.set(hooks, (texts = new Map()));
  let text = texts.get(levelValue);
  if (text === undefined) {
    const label = root.opts.levels.labels[levelValue] ?? String(levelValue);
    try {
      text = serializeFields(hooks.formatLevel!(label, levelValue), root.limits);
    } catch {
      text = plain;
    }
    texts.set(levelValue, text);
  }
  return text;
}

/**
 * The method for loggers with per-record hooks (serializers, redact, mixin, formatters,
 * msgPrefix). Same call shapes; the fields go through the hooks as an object before they are
 * serialized. A hook that throws never reaches the app: the record is written with the
 * call's own fields and a "hookError" field saying what threw.
 */
function createHookedLogMethod(levelValue: number, record: boolean): LogFn {
  const plain = `,"level":${levelValue}`;
  return function log(this: LoggerState, a?: unknown, b?: unknown): void {
    const root = this[kRoot];
    const hooks = this[kHooks]!;
    const n = arguments.length;
    let sampledOut = 0;
    const sampler = hooks.sampler;
    if (sampler !== undefined && levelValue < sampler.maxLevel && !record) {
      try {
        const isFields = typeof a === 'object' && a !== null && !isError(a);
        const key = sampler.byCallsite
          ? callSite(log)
          : typeof a === 'string'
            ? a
            : typeof b === 'string'
              ? b
              : typeof a === 'object' && a !== null && isError(a)
                ? (messageOfError(a, root.limits) ?? '')
                : '';
        sampledOut = sampler.decide(key, isFields ? (a as object) : undefined);
      } catch {
        // A getter of the record threw while sampling read it: keep the record, the
        // serializer will say what threw.
        sampledOut = 0;
      }
      if (sampledOut < 0) return;
    }
    let obj: Record<string, unknown> | undefined;
    let msg: string | undefined;
    if (typeof a === 'string') {
      msg = n > 1 ? formatMessage(a, arguments, 1, root.limits) : a;
    } else if (typeof a === 'object' && a !== null) {
      if (isError(a)) {
        obj = { [root.opts.errorKey]: a };
        if (typeof b !== 'string') msg = messageOfError(a, root.limits);
      } else {
        obj = a as Record<string, unknown>;
      }
      if (typeof b === 'string') msg = n > 2 ? formatMessage(b, arguments, 2, root.limits) : b;
    } else if (n > 0) {
      msg = formatMessage('%s', arguments, 0, root.limits);
    }
    let fields = '';
    try {
      // Serializers and redaction see computed values, not the functions (see lazy()).
      let rec = obj === undefined ? undefined : resolveTopLevelLazy(obj);
      if (hooks.mixin !== undefined) rec = { ...hooks.mixin(rec ?? {}, levelValue), ...rec };
      if (rec !== undefined || hooks.formatLog !== undefined)
        rec = applyFieldHooks(hooks, rec ?? {}, true);
      if (rec !== undefined) fields = serializeFields(rec, root.limits);
    } catch (err) {
      const what = errorMessage(err);
      // Redaction is a promise about what never reaches the destination: if it may not have
      // run, the call's fields are not written.
      fields =
        (obj === undefined || hooks.redact !== undefined ? '' : serializeFields(obj, root.limits)) +
        `,"hookError":${quoteString(`a serializer, mixin or formatter threw: ${what}`, root.limits)}`;
    }
    if (sampledOut > 0) fields += `,"sampledOut":${sampledOut}`;
    const levelPart =
      hooks.formatLevel === undefined ? plain : levelText(root, hooks, levelValue, plain);
    const chindings = ambient.on ? this[kChindings] + contextText(this) : this[kChindings];
    const body =
      msg === undefined
        ? `${levelPart}${root.time()}${chindings}${fields}`
        : `${levelPart}${root.time()}${chindings}${fields}${root.msgKey}${quoteString(hooks.msgPrefix + msg, root.limits)}`;
    deliver(root, `{${body.slice(1)}}\n`, levelValue, record);
  };
}

/** What fatal adds to a log call: the record is on its way to disk before it returns. */
function flushForFatal(root: Root): void {
  root.channel.publish();
  root.sink.flushSync(root.opts.flushTimeoutMs);
}

function createFatalMethod(levelValue: number, hooked: boolean): LogFn {
  const log = hooked
    ? createHookedLogMethod(levelValue, false)
    : createLogMethod(levelValue, false);
  return function fatal(this: LoggerState): void {
    (log as (...args: unknown[]) => void).apply(this, arguments as unknown as unknown[]);
    flushForFatal(this[kRoot]);
  };
}

const methodCache = new Map<number, WeakMap<LevelTable, Record<string, LogFn>>>();

/** The level methods of one kind: plain or hooked, logging or recording (flight recorder). */
function methodsFor(table: LevelTable, hooked: boolean, record = false): Record<string, LogFn> {
  const kind = (hooked ? 1 : 0) + (record ? 2 : 0);
  let cache = methodCache.get(kind);
  if (cache === undefined) methodCache.set(kind, (cache = new WeakMap()));
  let methods = cache.get(table);
  if (methods === undefined) {
    methods = {};
    for (const name of table.names) {
      const v = table.values[name]!;
      methods[name] =
        name === 'fatal' && !record
          ? createFatalMethod(v, hooked)
          : hooked
            ? createHookedLogMethod(v, record)
            : createLogMethod(v, record);
    }
    cache.set(table, methods);
  }
  return methods;
}

/** Bindings as the hooks want them written (serializers, redaction, formatters.bindings). */
function bindingsText(hooks: Hooks | undefined, bindings: Record<string, unknown>, root: Root) {
  if (hooks === undefined) return serializeFields(bindings, root.limits);
  try {
    let b = applyFieldHooks(hooks, bindings, false);
    if (hooks.formatBindings !== undefined) b = hooks.formatBindings(b);
    return serializeFields(b, root.limits);
  } catch (err) {
    const what = errorMessage(err);
    return `,"hookError":${quoteString(`a serializer or formatter threw on bindings: ${what}`)}`;
  }
}

/** Swaps each level method for the real one or the shared noop. */
function applyThreshold(logger: LoggerState, threshold: number): void {
  logger[kThreshold] = threshold;
  const methods = logger[kMethods];
  const table = logger[kRoot].opts.levels;
  const rec = logger[kRoot].recorder;
  const recording =
    rec === undefined ? undefined : methodsFor(table, logger[kHooks]?.perRecord === true, true);
  for (const name of table.names) {
    const v = table.values[name]!;
    logger[name] =
      v >= threshold
        ? methods[name]
        : recording !== undefined && v >= rec!.minLevel
          ? recording[name]
          : noop;
  }
}

/**
 * One level method of a typed event. The level is checked at call time against the logger's
 * threshold (one compare), since the event object outlives level changes. Loggers with
 * per-record hooks go through their hooked method instead, so redaction and serializers
 * still apply to events.
 */
function createEventMethod(
  logger: LoggerState,
  name: string,
  levelName: string,
  levelValue: number,
  compiled: CompiledFields,
): (fields: object, msg?: string) => void {
  const prefix = `{"level":${levelValue}`;
  const eventField = `,"event":${quoteString(name)}`;
  return (fields, msg) => {
    const root = logger[kRoot];
    let record = false;
    if (levelValue < logger[kThreshold]) {
      const rec = root.recorder;
      if (rec === undefined || levelValue < rec.minLevel) return;
      record = true;
    }
    if (
      logger[kHooks]?.perRecord === true ||
      root.limits.redactKeys !== undefined ||
      fields === null ||
      typeof fields !== 'object'
    ) {
      const method = logger[levelName] as (...args: unknown[]) => void;
      let merged: object;
      try {
        merged = { event: name, ...(fields as object) };
      } catch {
        // A getter threw while the fields were copied: nest them, so that the serializer's
        // guarded path marks the key that threw and the call still returns.
        merged = { event: name, fields };
      }
      method.call(logger, merged, msg);
      return;
    }
    let text: string;
    try {
      text = compiled(fields, root.limits);
    } catch (err) {
      // Fields that do not fit the schema are still written, by the generic serializer.
      text = `${serializeFields(fields, root.limits)},"schemaError":${quoteString((err as Error).message, root.limits)}`;
    }
    const chindings = ambient.on ? logger[kChindings] + contextText(logger) : logger[kChindings];
    const line =
      msg === undefined
        ? `${prefix}${root.time()}${chindings}${eventField}${text}}\n`
        : `${prefix}${root.time()}${chindings}${eventField}${text}${root.msgKey}${quoteString(String(msg), root.limits)}}\n`;
    deliver(root, line, levelValue, record);
    if (levelName === 'fatal' && !record) flushForFatal(root);
  };
}

class LoggerImpl {
  declare [kRoot]: Root;
  declare [kChindings]: string;
  declare [kBindings]: Record<string, unknown>;
  declare [kThreshold]: number;
  declare [kMethods]: Record<string, LogFn>;
  declare [kHooks]: Hooks | undefined;

  /** The in-memory records of a logger created with `capture: true`; undefined otherwise. */
  get capture(): Capture | undefined {
    const ch = this[kRoot].channel;
    return ch instanceof CaptureChannel ? ch : undefined;
  }

  get levels(): LevelTable {
    return this[kRoot].opts.levels;
  }

  get level(): string {
    const t = this[kThreshold];
    if (t === Number.POSITIVE_INFINITY) return 'silent';
    return this[kRoot].opts.levels.labels[t] ?? String(t);
  }

  set level(level: string | number) {
    const t = levelThreshold(this.levels, level);
    if (t === undefined) {
      throw invalidOption(
        'logger.level',
        'level',
        `one of ${levelChoices(this.levels)} or a number`,
        level,
      );
    }
    applyThreshold(this as unknown as LoggerState, t);
  }

  isLevelEnabled(level: string | number): boolean {
    const v = typeof level === 'number' ? level : this.levels.values[level];
    return v !== undefined && v >= this[kThreshold];
  }

  child(bindings: Record<string, unknown>, options?: ChildOptions): this {
    if (bindings === null || typeof bindings !== 'object') {
      throw invalidOption('logger.child', 'bindings', 'an object', bindings);
    }
    // Keys only: the values are checked below, where they are compiled.
    if (options !== undefined) checkKeys(CHILD_OPTIONS, options, CHILD_AT);
    const child = Object.create(this) as LoggerState;
    const parentHooks = this[kHooks];
    const hooks =
      options?.serializers !== undefined ||
      options?.msgPrefix !== undefined ||
      options?.redact !== undefined
        ? resolveHooks('logger.child', options as HookOptions, parentHooks)
        : parentHooks;
    // Serialized once here, never per call.
    child[kChindings] = this[kChindings] + bindingsText(hooks, bindings, this[kRoot]);
    try {
      child[kBindings] = { ...this[kBindings], ...bindings };
    } catch {
      // A Proxy whose traps throw cannot be copied; its text above says what failed.
      child[kBindings] = { ...this[kBindings] };
    }
    child[kHooks] = hooks;
    let threshold = this[kThreshold];
    if (hooks !== parentHooks && hooks?.perRecord === true && parentHooks?.perRecord !== true) {
      child[kMethods] = methodsFor(this.levels, true);
    }
    if (options?.level !== undefined) {
      threshold = resolveMinLevel(this.levels, 'logger.child', 'options.level', options.level);
    }
    if (child[kMethods] !== this[kMethods] || threshold !== this[kThreshold]) {
      applyThreshold(child, threshold);
    }
    hooks?.onChild?.(child);
    detectOtel();
    return child as unknown as this;
  }

  bindings(): Record<string, unknown> {
    return { ...this[kBindings] };
  }

  async flush(): Promise<void> {
    const root = this[kRoot];
    root.channel.publish();
    if (!(await root.sink.flush(root.opts.flushTimeoutMs))) {
      throw new RinglogError(
        ErrorCodes.FLUSH_TIMEOUT,
        `logger.flush: records were not all written within flushTimeoutMs=${root.opts.flushTimeoutMs}`,
      );
    }
  }

  flushSync(): void {
    const root = this[kRoot];
    root.channel.publish();
    if (!root.sink.flushSync(root.opts.flushTimeoutMs)) {
      throw new RinglogError(
        ErrorCodes.FLUSH_TIMEOUT,
        `logger.flushSync: records were not all written within flushTimeoutMs=${root.opts.flushTimeoutMs}`,
      );
    }
  }

  async close(): Promise<void> {
    const root = this[kRoot];
    if (root.channel.closed) return;
    root.channel.publish();
    root.channel.closed = true;
    // Later records only count: publish() sees `closed`.
    await root.sink.detach(root.id, root.opts.flushTimeoutMs);
  }

  event(name: string, schema?: EventSchema): EventLogger {
    const root = this[kRoot];
    if (typeof name !== 'string' || name.length === 0)
      throw invalidOption('logger.event', 'name', 'a non-empty string', name);
    let compiled = root.events.get(name);
    if (schema !== undefined) {
      compiled = compileEvent('logger.event', name, schema);
      root.events.set(name, compiled);
    }
    if (compiled === undefined) {
      throw invalidOption(
        'logger.event',
        'schema',
        `a JSON schema: no schema named "${name}" was given to createLogger({ schemas })`,
        schema,
      );
    }
    const methods: EventLogger = {};
    for (const levelName of this.levels.names) {
      const v = this.levels.values[levelName]!;
      methods[levelName] = createEventMethod(
        this as unknown as LoggerState,
        name,
        levelName,
        v,
        compiled,
      );
    }
    return methods;
  }

  flushFlightRecorder(): void {
    const root = this[kRoot];
    root.recorder?.drain(root.append, root.recorder.triggerLevel);
  }

  async reopen(): Promise<void> {
    const root = this[kRoot];
    if (root.channel.closed) return;
    // Published records may go to the old file or the new one, never nowhere: no flush first.
    root.channel.publish();
    const failed = await root.sink.reopen([root.id], root.opts.flushTimeoutMs);
    if (failed.length > 0) {
      throw new RinglogError(
        ErrorCodes.REOPEN_FAILED,
        `logger.reopen: could not reopen ${failed.join(', ')}; still writing to the files they had`,
      );
    }
  }

  health(): LoggerHealth {
    const root = this[kRoot];
    const now = Date.now();
    const { sink, destinations } = root.sink.health(root.id, now);
    return assembleHealth(sink, destinations, root.channel.oldestPendingMs(now));
  }

  metrics(): LoggerMetrics {
    const root = this[kRoot];
    const ch = root.channel;
    const d = ch.dropped;
    const sinkRestart = ch.ring.recordsDiscarded();
    const total = d.ringFull + d.blockTimeout + d.closed + sinkRestart;
    const written = ch.ring.recordsWritten();
    return {
      enqueued: ch.enqueued,
      written,
      dropped: { total, ...d, sinkRestart },
      pending: ch.enqueued - written - total,
      ringBytes: ch.ring.capacity,
      ringUsedBytes: ch.ring.usedBytes(),
      ringHighWaterBytes: ch.ring.highWaterBytes,
      batchesPublished: ch.batchesPublished,
      workerRestarts: root.sink.restarts,
      fallback: root.sink.fallback,
      ...(this[kHooks]?.sampler === undefined
        ? {}
        : { sampledOut: this[kHooks]!.sampler!.sampledOut }),
      ...(root.recorder === undefined
        ? {}
        : {
            flightRecorder: {
              held: root.recorder.held,
              dumped: root.recorder.dumped,
              discarded: root.recorder.discarded,
            },
          }),
      destinations: root.sink.destinationMetrics(root.id),
    };
  }
}

/** A new ring for a root logger, and the channel that publishes into it for this thread's sink. */
function createRingChannel(opts: ResolvedOptions): {
  host: SinkHost;
  ring: SharedArrayBuffer;
  channel: Channel;
} {
  const host = getSinkHost();
  const ring = createRingBuffer(opts.ringBytes);
  // With epoch timestamps, the time the batch's last record read serves as its publish time.
  const clock = opts.time === timestamps.epoch ? epochClock : Date.now;
  return { host, ring, channel: new Channel(new RingWriter(ring), host, { ...opts, clock }) };
}

// A custom level may not be named after a Logger member: its method would replace it.
reserveLevelNames(LoggerImpl.prototype);

const CHILD_AT = { where: 'logger.child', name: 'options' };

/**
 * Creates a root logger with its own ring, attached to this thread's sink worker.
 *
 * @example
 * ```ts
 * import { createLogger } from 'ringlog';
 * const log = createLogger({ level: 'debug', destination: './logs/app.log' });
 * log.info({ userId: 42 }, 'user %s signed in', 'ada');
 * const reqLog = log.child({ reqId: 'abc' });
 * reqLog.warn('slow request');
 * await log.flush();
 * ```
 */
export function createLogger<CustomLevels extends string = never>(
  options: LoggerOptions & { customLevels?: Record<CustomLevels, number> } = {},
): Logger<CustomLevels> {
  if (options !== null && typeof options === 'object' && options.preset !== undefined)
    options = resolvePresetOptions(options) as typeof options;
  const opts = resolveOptions(options, serializeFields, (s) => quoteString(s));
  opts.limits.redactKeys = resolveRedactKeys('createLogger', options.redactKeys);
  detectOtel();
  const hooks = resolveHooks(
    'createLogger',
    options,
    undefined,
    resolveSampling(opts.levels, 'createLogger', options.sampling),
  );
  if (options.capture !== undefined && typeof options.capture !== 'boolean')
    throw invalidOption('createLogger', 'capture', 'true or false', options.capture);
  // A capturing logger keeps its lines in memory: no ring, no sink worker.
  const ringed = options.capture === true ? undefined : createRingChannel(opts);
  const sink: LoggerSink = ringed?.host ?? captureSink;
  const channel: LoggerChannel = ringed?.channel ?? new CaptureChannel(opts.levels.values);
  const logger = new LoggerImpl() as unknown as LoggerState;
  const root: Root = {
    opts,
    sink,
    channel,
    id: 0,
    time: opts.time,
    msgKey: `,${quoteString(opts.messageKey)}:`,
    errKey: `,${quoteString(opts.errorKey)}:`,
    limits: opts.limits,
    recorder: resolveFlightRecorder(opts.levels, 'createLogger', options.flightRecorder),
    append: (line, level) => channel.append(line, level),
    events: new Map(),
    lastMsg: undefined,
    lastMsgText: '',
  };
  if (options.schemas !== undefined) {
    if (options.schemas === null || typeof options.schemas !== 'object')
      throw invalidOption(
        'createLogger',
        'schemas',
        'an object of event name → JSON schema',
        options.schemas,
      );
    for (const [name, schema] of Object.entries(options.schemas))
      root.events.set(name, compileEvent('createLogger', name, schema));
  }
  logger[kRoot] = root;
  logger[kChindings] = opts.chindings;
  if ((hooks !== undefined || opts.limits.redactKeys !== undefined) && options.base !== null) {
    const { name, ...base } = opts.bindings;
    logger[kChindings] =
      bindingsText(hooks, base, root) +
      (name === undefined ? '' : `,"name":${quoteString(String(name))}`);
  }
  logger[kBindings] = opts.bindings;
  logger[kHooks] = hooks;
  logger[kMethods] = methodsFor(opts.levels, hooks?.perRecord === true);
  applyThreshold(logger, opts.threshold);
  if (ringed === undefined) return logger as unknown as Logger<CustomLevels>;
  root.id = ringed.host.attach(ringed.channel, ringed.ring, opts.destinations, {
    exitTimeoutMs: opts.exitTimeoutMs,
    flushTimeoutMs: opts.flushTimeoutMs,
    handleSignals: opts.handleSignals,
    handleExceptions: opts.handleExceptions,
    reopenOnSignal: opts.reopenOnSignal,
    logFatal(err, origin) {
      const fatal = (logger as unknown as BaseLogger).fatal;
      const msg = origin === 'unhandledRejection' ? 'unhandled rejection' : 'uncaught exception';
      if (err instanceof Error) fatal.call(logger, err, msg);
      else fatal.call(logger, { reason: err }, msg);
    },
  });
  return logger as unknown as Logger<CustomLevels>;
}
