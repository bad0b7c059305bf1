/**
 * The Logger: level methods, child(), flush(), close(), metrics(). No I/O: a record becomes
 * one line here and is handed to the channel (channel.ts); the sink worker does the rest.
 */
import { Channel } from './channel.js';
import type { DestinationMetrics } from './destination-stats.js';
import { ErrorCodes, invalidOption, RinglogError } from './errors.js';
import { formatMessage } from './format.js';
import { type LevelTable, levelChoices, levelThreshold, noop } from './levels.js';
import {
  type LoggerOptions,
  type ResolvedOptions,
  resolveMinLevel,
  resolveOptions,
} from './options.js';
import { createRingBuffer, RingWriter } from './ring.js';
import { quoteString, type SerializeLimits, serializeError, serializeFields } from './serialize.js';
import { getSink, type Sink } from './transport.js';

/** A log method: pino's call shapes. */
export interface LogFn {
  (msg: string, ...args: unknown[]): void;
  (obj: object, msg?: string, ...args: unknown[]): void;
  (value: unknown, msg?: string, ...args: unknown[]): void;
}

export interface ChildOptions {
  /** The child's own minimum level. */
  level?: string | number;
}

export interface LoggerMetrics {
  /** Records handed to enabled log methods. */
  enqueued: number;
  /** Records the sink has written to their destinations. */
  written: number;
  /** Records given up on, by reason; `enqueued === written + dropped.total` once flushed. */
  dropped: { total: number; ringFull: number; blockTimeout: number; closed: number };
  /** Records neither written nor dropped yet (in the batch, the ring or the sink). */
  pending: number;
  ringBytes: number;
  ringUsedBytes: number;
  ringHighWaterBytes: number;
  batchesPublished: number;
  workerRestarts: number;
  /** True once the sink failed too often and records go to stderr synchronously. */
  fallback: boolean;
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
  metrics(): LoggerMetrics;
}

export type Logger<CustomLevels extends string = never> = BaseLogger & Record<CustomLevels, LogFn>;

// Per-logger state lives under symbols: out of the way of custom level names and bindings.
const kRoot = Symbol('ringlog.root');
const kChindings = Symbol('ringlog.chindings');
const kBindings = Symbol('ringlog.bindings');
const kThreshold = Symbol('ringlog.threshold');
const kMethods = Symbol('ringlog.methods');

/** What every logger of one root shares. */
interface Root {
  opts: ResolvedOptions;
  sink: Sink;
  channel: Channel;
  id: number;
  time: () => string;
  msgKey: string;
  errKey: string;
  limits: SerializeLimits;
}

interface LoggerState {
  [kRoot]: Root;
  [kChindings]: string;
  [kBindings]: Record<string, unknown>;
  [kThreshold]: number;
  [kMethods]: Record<string, LogFn>;
  [level: string]: unknown;
}

/**
 * The method for one level. Everything that can be decided before the call is: the prefix
 * is cached, bindings are already text, and the message and field serializers never throw.
 */
function createLogMethod(levelValue: number): LogFn {
  const prefix = `{"level":${levelValue}`;
  return function log(this: LoggerState, a?: unknown, b?: unknown): void {
    const root = this[kRoot];
    const n = arguments.length;
    let fields = '';
    let msg: string | undefined;
    if (typeof a === 'string') {
      msg = n > 1 ? formatMessage(a, arguments, 1, root.limits) : a;
    } else if (typeof a === 'object' && a !== null) {
      if (a instanceof Error) {
        fields = `${root.errKey}${serializeError(a, root.limits)}`;
        if (typeof b !== 'string') msg = a.message;
      } else {
        fields = serializeFields(a, root.limits);
      }
      if (typeof b === 'string') msg = n > 2 ? formatMessage(b, arguments, 2, root.limits) : b;
    } else if (n > 0) {
      msg = formatMessage('%s', arguments, 0, root.limits);
    }
    root.channel.append(
      msg === undefined
        ? `${prefix}${root.time()}${this[kChindings]}${fields}}\n`
        : `${prefix}${root.time()}${this[kChindings]}${fields}${root.msgKey}${quoteString(msg, root.limits)}}\n`,
      levelValue,
    );
  };
}

/** fatal: the record is on its way to disk before the method returns. */
function createFatalMethod(levelValue: number): LogFn {
  const log = createLogMethod(levelValue);
  return function fatal(this: LoggerState): void {
    (log as (...args: unknown[]) => void).apply(this, arguments as unknown as unknown[]);
    const root = this[kRoot];
    root.channel.publish();
    root.sink.flushSync(root.opts.flushTimeoutMs);
  };
}

const defaultMethodCache = new WeakMap<LevelTable, Record<string, LogFn>>();

function methodsFor(table: LevelTable): Record<string, LogFn> {
  let methods = defaultMethodCache.get(table);
  if (methods === undefined) {
    methods = {};
    for (const name of table.names) {
      const v = table.values[name]!;
      methods[name] = name === 'fatal' ? createFatalMethod(v) : createLogMethod(v);
    }
    defaultMethodCache.set(table, methods);
  }
  return methods;
}

/** Swaps each level method for the real one or the shared noop. */
function applyThreshold(logger: LoggerState, threshold: number): void {
  logger[kThreshold] = threshold;
  const methods = logger[kMethods];
  for (const name of logger[kRoot].opts.levels.names) {
    logger[name] = logger[kRoot].opts.levels.values[name]! >= threshold ? methods[name] : noop;
  }
}

class LoggerImpl {
  declare [kRoot]: Root;
  declare [kChindings]: string;
  declare [kBindings]: Record<string, unknown>;
  declare [kThreshold]: number;
  declare [kMethods]: Record<string, LogFn>;

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
    const child = Object.create(this) as LoggerState;
    // Serialized once here, never per call.
    child[kChindings] = this[kChindings] + serializeFields(bindings, this[kRoot].limits);
    child[kBindings] = { ...this[kBindings], ...bindings };
    if (options?.level !== undefined) {
      applyThreshold(
        child,
        resolveMinLevel(this.levels, 'logger.child', 'options.level', options.level),
      );
    }
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

  metrics(): LoggerMetrics {
    const root = this[kRoot];
    const ch = root.channel;
    const d = ch.dropped;
    const total = d.ringFull + d.blockTimeout + d.closed;
    const written = ch.ring.recordsWritten();
    return {
      enqueued: ch.enqueued,
      written,
      dropped: { total, ...d },
      pending: ch.enqueued - written - total,
      ringBytes: ch.ring.capacity,
      ringUsedBytes: ch.ring.usedBytes(),
      ringHighWaterBytes: ch.ring.highWaterBytes,
      batchesPublished: ch.batchesPublished,
      workerRestarts: root.sink.restarts,
      fallback: root.sink.fallback,
      destinations: root.sink.destinationMetrics(root.id),
    };
  }
}

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
  const opts = resolveOptions(options, serializeFields, (s) => quoteString(s));
  const sink = getSink();
  const ringSab = createRingBuffer(opts.ringBytes);
  const channel = new Channel(new RingWriter(ringSab), sink, opts);
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
  };
  logger[kRoot] = root;
  logger[kChindings] = opts.chindings;
  logger[kBindings] = opts.bindings;
  logger[kMethods] = methodsFor(opts.levels);
  applyThreshold(logger, opts.threshold);
  root.id = sink.attach(channel, ringSab, opts.destinations, {
    exitTimeoutMs: opts.exitTimeoutMs,
    flushTimeoutMs: opts.flushTimeoutMs,
    handleSignals: opts.handleSignals,
    handleExceptions: opts.handleExceptions,
    logFatal(err, origin) {
      const fatal = (logger as unknown as BaseLogger).fatal;
      const msg = origin === 'unhandledRejection' ? 'unhandled rejection' : 'uncaught exception';
      if (err instanceof Error) fatal.call(logger, err, msg);
      else fatal.call(logger, { reason: err }, msg);
    },
  });
  return logger as unknown as Logger<CustomLevels>;
}
