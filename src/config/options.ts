/**
 * Option types, their defaults, and validation that names the option, what it expects and
 * what came in. Everything here runs once per createLogger()/child(), never per call.
 */

import { hostname } from 'node:os';
import type { FileDestinationOptions } from '../../workers/destinations/file/options.js';
import { resolveReopenSignal } from '../../workers/destinations/file/options.js';
import type { HttpDestinationOptions } from '../../workers/destinations/http/options.js';
import type { ModuleOptions } from '../../workers/destinations/module/options.js';
import type { PinoTransportOptions } from '../../workers/destinations/pino-transport/options.js';
import type { PrettyOptions } from '../../workers/destinations/pretty/options.js';
import type { StreamOptions } from '../../workers/destinations/stream/options.js';
import type { SyslogOptions } from '../../workers/destinations/syslog/options.js';
import type { OnFull } from '../logger/channel.js';
import type { FlightRecorderOptions } from '../logger/flight-recorder.js';
import type { HookOptions } from '../logger/hooks.js';
import { compileLevels, type LevelTable, SILENT } from '../logger/levels.js';
import type { SamplingOptions } from '../logger/sampling.js';
import { DEFAULT_LIMITS, type SerializeLimits } from '../logger/serialize.js';
import { invalidOption } from '../protocol/errors.js';
import type { DestinationSpec } from '../protocol/messages.js';
import { isValidRingBytes, MAX_RING_BYTES, MIN_RING_BYTES } from '../protocol/ring.js';
import { resolveDestinations, resolveMinLevel } from './destinations.js';
import { PINO_OPTION_HINTS, transportDestinations } from './pino-compat.js';
import type { PresetName } from './presets.js';
import {
  any,
  bool,
  checkTable,
  custom,
  fn,
  int,
  isPlainObject,
  keysOf,
  oneOf,
  record,
  str,
  table,
} from './validate.js';

export type LevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** One place records go. Each has its own minimum level (default: every record). */
export type DestinationOptions =
  | StreamOptions
  | FileDestinationOptions
  | ModuleOptions
  | SyslogOptions
  | PrettyOptions
  | PinoTransportOptions
  | HttpDestinationOptions;

/** `'stdout' | 'stderr'`, a file path, a file descriptor, full destination options, or
 * `process.stdout` / `process.stderr` (pino's form: the sink writes to fd 1 / 2). */
export type DestinationInput =
  | 'stdout'
  | 'stderr'
  | string
  | number
  | DestinationOptions
  | NodeJS.WriteStream;

export type TimestampOption = boolean | 'epoch' | 'iso' | 'unix' | (() => string);

export interface LoggerOptions extends HookOptions {
  /** Minimum level logged (default 'info'). */
  level?: LevelName | (string & {}) | number;
  /** Extra levels, name → number in 1..255, added to pino's. */
  customLevels?: Record<string, number>;
  /** Written as "name" on every record. */
  name?: string;
  /** Fields on every record (default { pid, hostname }); null for none. */
  base?: Record<string, unknown> | null;
  /** `true`/'epoch' (ms since 1970, default), 'iso', 'unix' (seconds), false, or a
   * function returning the partial JSON `,"time":…`. */
  timestamp?: TimestampOption;
  /** Key of the message (default 'msg'). */
  messageKey?: string;
  /** Key an Error passed as first argument is written under (default 'err'). */
  errorKey?: string;
  /** Where records go (default stderr). An array writes to each. */
  destination?: DestinationInput | DestinationInput[];
  /** Ring capacity in bytes, a power of two (default 1 MiB). */
  ringBytes?: number;
  /** A batch is published once its text reaches this many characters (default 8 KiB). */
  maxBatchBytes?: number;
  /** When the ring is full: wait up to blockTimeoutMs ('block', default) or count and go on ('drop'). */
  onFull?: OnFull;
  blockTimeoutMs?: number;
  /** Bound on flush(), flushSync() and fatal()'s synchronous flush (default 5000). */
  flushTimeoutMs?: number;
  /** Bound on the flush at process exit (default 5000). */
  exitTimeoutMs?: number;
  /** Flush on SIGINT/SIGTERM, then end as Node would for that signal (default false). */
  handleSignals?: boolean;
  /** Log uncaught exceptions and unhandled rejections at fatal before Node ends the process (default true). */
  handleExceptions?: boolean;
  /** Signal on which file destinations are reopened (default 'SIGHUP' when there is a file
   * destination, none otherwise); false for none. */
  reopenOnSignal?: NodeJS.Signals | false;
  /** Nesting depth written before "[Object]" (default 10). */
  maxDepth?: number;
  /** Entries written per object or array (default 1000). */
  maxBreadth?: number;
  /** Strings longer than this are cut; 0 = no cap (default). */
  maxStringLength?: number;
  /** Keep the last records below the level in memory and write them when an error is logged
   * (`true`: debug and above, 1000 records, triggered by error). */
  flightRecorder?: boolean | FlightRecorderOptions;
  /** Start from a preset's options; the environment (LOG_*) then these options override it. */
  preset?: PresetName;
  /** Keep records in memory for tests (`logger.capture`) instead of writing them anywhere. */
  capture?: boolean;
  /** Sampling of records below a level (warn by default): rate, adaptive, by trace id. */
  sampling?: SamplingOptions;
  /** JSON schemas of typed events by name, compiled once; see logger.event(). */
  schemas?: Record<string, Record<string, unknown>>;
  /** pino's switch: false logs nothing (the level is 'silent'; default true). */
  enabled?: boolean;
  /** pino's transport option, mapped to destinations (`pino-transport`, or `file` and
   * `stdout` for pino/file); not together with `destination`. See docs/api.md. */
  transport?: PinoTransportOption;
}

/** pino's `transport`: one target, or several each with its own level. */
export type PinoTransportOption =
  | { target: string; options?: unknown; level?: string | number }
  | { targets: { target: string; options?: unknown; level?: string | number }[] };

export interface ResolvedOptions {
  levels: LevelTable;
  threshold: number;
  chindings: string;
  bindings: Record<string, unknown>;
  time: () => string;
  messageKey: string;
  errorKey: string;
  destinations: DestinationSpec[];
  ringBytes: number;
  maxBatchBytes: number;
  onFull: OnFull;
  blockTimeoutMs: number;
  flushTimeoutMs: number;
  exitTimeoutMs: number;
  handleSignals: boolean;
  handleExceptions: boolean;
  reopenOnSignal: NodeJS.Signals | false;
  limits: SerializeLimits;
}

export const DEFAULT_RING_BYTES = 1 << 20;
export const DEFAULT_MAX_BATCH_BYTES = 8 << 10;

export { DESTINATION_TYPES, resolveDestinations, resolveMinLevel } from './destinations.js';

const WHERE = 'createLogger';

// Records come many to a millisecond under load: the epoch text is built once per ms
// (number-to-string of a 13-digit value is ~30 ns here, the compare ~1).
let epochMs = -1;
let epochText = '';

/** The `,"time":…` writers. Each returns the partial JSON that follows the level. */
export const timestamps = {
  epoch: (): string => {
    const now = Date.now();
    if (now !== epochMs) {
      epochMs = now;
      epochText = `,"time":${now}`;
    }
    return epochText;
  },
  iso: (): string => `,"time":"${new Date().toISOString()}"`,
  unix: (): string => `,"time":${Math.round(Date.now() / 1000)}`,
  none: (): string => '',
};

/** The clock as the last `epoch` timestamp read it (no older than the last record such a
 * logger wrote), or Date.now() before the first: a batch's publish time for health() without
 * a clock read per publish (a clock read costs 25 ns to 600 ns, by machine). */
export function epochClock(): number {
  return epochMs >= 0 ? epochMs : Date.now();
}

function resolveTimestamp(t: unknown): () => string {
  if (t === undefined || t === true || t === 'epoch') return timestamps.epoch;
  if (t === false) return timestamps.none;
  if (t === 'iso') return timestamps.iso;
  if (t === 'unix') return timestamps.unix;
  if (typeof t === 'function') return t as () => string;
  throw invalidOption(WHERE, 'timestamp', `true|false|"epoch"|"iso"|"unix" or a function`, t);
}

const ringBytesRule = custom(
  `a power of two in ${MIN_RING_BYTES}..${MAX_RING_BYTES}`,
  (v) => (isValidRingBytes(v) ? (v as number) : undefined),
  { default: DEFAULT_RING_BYTES },
);

/** The options hooks.ts compiles (createLogger's and child()'s): checked here for their
 * shape and keys, compiled there. */
const HOOK_FIELDS = {
  serializers: record(fn()),
  redact: keysOf('an option of redact', ['paths', 'censor', 'remove']),
  mixin: any(),
  formatters: keysOf('an option of formatters', ['level', 'bindings', 'log']),
  msgPrefix: any(),
  onChild: any(),
};

/** Every option createLogger() takes; see LoggerOptions for what each does. */
export const LOGGER_OPTIONS = table(
  'an option of createLogger',
  {
    level: any(),
    customLevels: any(),
    name: str({ empty: true, expected: 'a string' }),
    base: custom('an object or null', (v) => (v === null || isPlainObject(v) ? v : undefined)),
    timestamp: any(),
    messageKey: str({ default: 'msg' }),
    errorKey: str({ default: 'err' }),
    destination: any(),
    ringBytes: ringBytesRule,
    maxBatchBytes: int({ min: 256, default: DEFAULT_MAX_BATCH_BYTES }),
    onFull: oneOf(['block', 'drop'], { default: 'block' }),
    blockTimeoutMs: int({ min: 0, default: 1000 }),
    flushTimeoutMs: int({ default: 5000 }),
    exitTimeoutMs: int({ default: 5000 }),
    handleSignals: bool({ default: false }),
    handleExceptions: bool({ default: true }),
    reopenOnSignal: any(),
    maxDepth: int({ default: DEFAULT_LIMITS.maxDepth }),
    maxBreadth: int({ default: DEFAULT_LIMITS.maxBreadth }),
    maxStringLength: int({ min: 0, default: DEFAULT_LIMITS.maxStringLength }),
    flightRecorder: any(),
    preset: any(),
    capture: bool({ default: false }),
    sampling: any(),
    schemas: custom('an object of event name → JSON schema', (v) =>
      isPlainObject(v) ? v : undefined,
    ),
    enabled: bool({ default: true }),
    transport: any(),
    // Checked where it is compiled (src/logger/redact-keys.ts, resolveRedactKeys).
    redactKeys: any(),
    ...HOOK_FIELDS,
  },
  { hints: PINO_OPTION_HINTS },
);

/** Every option child() takes. */
export const CHILD_OPTIONS = table(
  'an option of child()',
  {
    level: any(),
    serializers: HOOK_FIELDS.serializers,
    msgPrefix: HOOK_FIELDS.msgPrefix,
    redact: HOOK_FIELDS.redact,
  },
  {
    hints: {
      customLevels: 'custom levels are given to createLogger() and shared by its children',
      formatters: 'formatters are given to createLogger() and shared by its children',
    },
  },
);

export function resolveOptions(
  options: LoggerOptions,
  serializeFields: (o: object, l: SerializeLimits) => string,
  quote: (s: string) => string,
): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw invalidOption(WHERE, 'options', 'an object', options);
  }
  const o = checkTable(LOGGER_OPTIONS, options, { where: WHERE, name: '' });
  const levels = compileLevels(options.customLevels, WHERE);
  const threshold =
    o.enabled === false ? SILENT : resolveMinLevel(levels, WHERE, 'level', options.level ?? 'info');
  const limits: SerializeLimits = {
    maxDepth: o.maxDepth,
    maxBreadth: o.maxBreadth,
    maxStringLength: o.maxStringLength,
  };
  const base = o.base === undefined ? { pid: process.pid, hostname: hostname() } : o.base;
  const bindings: Record<string, unknown> = { ...base };
  let chindings = base === null ? '' : serializeFields(base, limits);
  if (o.name !== undefined) {
    bindings.name = o.name;
    chindings += `,"name":${quote(o.name)}`;
  }
  const keys = { messageKey: o.messageKey, errorKey: o.errorKey };
  let destinationInput = options.destination;
  if (options.transport !== undefined) {
    if (destinationInput !== undefined)
      throw invalidOption(
        WHERE,
        'transport',
        'absent when "destination" is given (pino refuses both too): list every place in "destination"',
        options.transport,
      );
    destinationInput = transportDestinations(options.transport, {
      where: WHERE,
      name: 'transport',
    }) as unknown as DestinationInput[];
  }
  const destinations = resolveDestinations(levels, destinationInput, keys);
  return {
    levels,
    threshold,
    chindings,
    bindings,
    time: resolveTimestamp(options.timestamp),
    messageKey: o.messageKey,
    errorKey: o.errorKey,
    destinations,
    ringBytes: o.ringBytes,
    maxBatchBytes: o.maxBatchBytes,
    onFull: o.onFull,
    blockTimeoutMs: o.blockTimeoutMs,
    flushTimeoutMs: o.flushTimeoutMs,
    exitTimeoutMs: o.exitTimeoutMs,
    handleSignals: o.handleSignals,
    handleExceptions: o.handleExceptions,
    reopenOnSignal: resolveReopenSignal(WHERE, options.reopenOnSignal, destinations),
    limits,
  };
}
