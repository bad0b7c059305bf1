/**
 * Option types, their defaults, and validation that names the option, what it expects and
 * what came in. Everything here runs once per createLogger()/child(), never per call.
 */

import { hostname } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import {
  type FileDestinationOptions,
  resolveFileDestination,
  resolveReopenSignal,
} from '../../workers/destinations/file/options.js';
import {
  type HttpDestinationOptions,
  resolveHttpDestination,
} from '../../workers/destinations/http/options.js';
import {
  resolveSyslogDestination,
  type SyslogOptions,
} from '../../workers/destinations/syslog/options.js';
import type { OnFull } from '../logger/channel.js';
import type { FlightRecorderOptions } from '../logger/flight-recorder.js';
import type { HookOptions } from '../logger/hooks.js';
import { compileLevels, type LevelTable, levelChoices, levelThreshold } from '../logger/levels.js';
import type { SamplingOptions } from '../logger/sampling.js';
import { DEFAULT_LIMITS, type SerializeLimits } from '../logger/serialize.js';
import { invalidOption } from '../protocol/errors.js';
import type { DestinationSpec } from '../protocol/messages.js';
import { isValidRingBytes, MAX_RING_BYTES, MIN_RING_BYTES } from '../protocol/ring.js';
import { resolvePinoTransportSpec, resolvePrettySpec } from './destination-options.js';
import type { PresetName } from './presets.js';
import { optionalBool, optionalInt } from './validate.js';

export type LevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** One place records go. Each has its own minimum level (default: every record). */
export type DestinationOptions =
  | { type: 'stdout' | 'stderr'; level?: string | number }
  | FileDestinationOptions
  | {
      type: 'module';
      /** Path or URL of an ESM or CJS module whose default export is a destination factory. */
      module: string;
      options?: unknown;
      level?: string | number;
    }
  | SyslogOptions
  | {
      type: 'pretty';
      /** Where the text goes (default 'stdout'). */
      destination?: 'stdout' | 'stderr' | number;
      /** Colours; default: off under NO_COLOR, on under FORCE_COLOR, else when the fd is a TTY. */
      colorize?: boolean;
      level?: string | number;
    }
  | {
      type: 'pino-transport';
      /** A pino transport: package name ('pino-pretty'), path or file: URL. */
      target: string;
      /** Passed to the transport's factory as it is. */
      options?: unknown;
      level?: string | number;
      /** Bytes held for the transport while it is slow before records for it are dropped (default 1 MiB). */
      maxBufferBytes?: number;
    }
  | HttpDestinationOptions;

/** `'stdout' | 'stderr'`, a file path, a file descriptor, or full destination options. */
export type DestinationInput = 'stdout' | 'stderr' | string | number | DestinationOptions;

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
}

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

function resolveTimestamp(t: unknown): () => string {
  if (t === undefined || t === true || t === 'epoch') return timestamps.epoch;
  if (t === false) return timestamps.none;
  if (t === 'iso') return timestamps.iso;
  if (t === 'unix') return timestamps.unix;
  if (typeof t === 'function') return t as () => string;
  throw invalidOption(WHERE, 'timestamp', `true|false|"epoch"|"iso"|"unix" or a function`, t);
}

function key(name: string, v: unknown, fallback: string): string {
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || v.length === 0)
    throw invalidOption(WHERE, name, 'a non-empty string', v);
  return v;
}

export function resolveMinLevel(
  table: LevelTable,
  where: string,
  name: string,
  v: unknown,
): number {
  const t = levelThreshold(table, v);
  if (t === undefined)
    throw invalidOption(where, name, `one of ${levelChoices(table)} or a number`, v);
  return t;
}

function resolveDestination(
  table: LevelTable,
  d: unknown,
  i: string,
  messageKey: string,
): DestinationSpec {
  const name = `destination${i}`;
  if (d === 'stdout' || d === 1) return { kind: 'fd', fd: 1, minLevel: 0 };
  if (d === 'stderr' || d === 2) return { kind: 'fd', fd: 2, minLevel: 0 };
  if (typeof d === 'number' && Number.isInteger(d) && d >= 0)
    return { kind: 'fd', fd: d, minLevel: 0 };
  if (typeof d === 'string' && d.length > 0) {
    return resolveFileDestination(WHERE, name, { path: d }, 0);
  }
  if (d !== null && typeof d === 'object' && !Array.isArray(d)) {
    const o = d as Record<string, unknown>;
    const minLevel =
      o.level === undefined ? 0 : resolveMinLevel(table, WHERE, `${name}.level`, o.level);
    switch (o.type) {
      case 'stdout':
        return { kind: 'fd', fd: 1, minLevel };
      case 'stderr':
        return { kind: 'fd', fd: 2, minLevel };
      case 'file':
        return resolveFileDestination(WHERE, name, o, minLevel);
      case 'module': {
        const m = o.module;
        if (typeof m !== 'string' || m.length === 0) {
          throw invalidOption(WHERE, `${name}.module`, 'a module path or URL', m);
        }
        // Relative paths are the caller's, not the worker's: anchor them here.
        const specifier = m.startsWith('.') || isAbsolute(m) ? resolve(m) : m;
        return { kind: 'module', specifier, options: o.options, minLevel };
      }
      case 'syslog':
        return resolveSyslogDestination(table, o, name, minLevel, messageKey);
      case 'pretty':
        return resolvePrettySpec(table, o, name, minLevel);
      case 'pino-transport':
        return resolvePinoTransportSpec(table, o, name, minLevel);
      case 'http':
        return resolveHttpDestination(o, name, minLevel, messageKey);
    }
  }
  throw invalidOption(
    WHERE,
    name,
    `"stdout", "stderr", a file path, a file descriptor or { type: "stdout"|"stderr"|"file"|"module"|"syslog"|"pretty"|"pino-transport"|"http", ... }`,
    d,
  );
}

/** `messageKey`: the logger's, the default of destinations that read the message. */
export function resolveDestinations(
  table: LevelTable,
  input: unknown,
  messageKey = 'msg',
): DestinationSpec[] {
  if (input === undefined) return [{ kind: 'fd', fd: 2, minLevel: 0 }];
  if (Array.isArray(input)) {
    if (input.length === 0) throw invalidOption(WHERE, 'destination', 'a non-empty array', input);
    return input.map((d, i) => resolveDestination(table, d, `[${i}]`, messageKey));
  }
  return [resolveDestination(table, input, '', messageKey)];
}

export function resolveOptions(
  options: LoggerOptions,
  serializeFields: (o: object, l: SerializeLimits) => string,
  quote: (s: string) => string,
): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw invalidOption(WHERE, 'options', 'an object', options);
  }
  const levels = compileLevels(options.customLevels, WHERE);
  const threshold = resolveMinLevel(levels, WHERE, 'level', options.level ?? 'info');
  const ringBytes = options.ringBytes ?? DEFAULT_RING_BYTES;
  if (!isValidRingBytes(ringBytes)) {
    throw invalidOption(
      WHERE,
      'ringBytes',
      `a power of two in ${MIN_RING_BYTES}..${MAX_RING_BYTES}`,
      ringBytes,
    );
  }
  const onFull = options.onFull ?? 'block';
  if (onFull !== 'block' && onFull !== 'drop')
    throw invalidOption(WHERE, 'onFull', '"block" or "drop"', onFull);
  const limits: SerializeLimits = {
    maxDepth: optionalInt(WHERE, 'maxDepth', options.maxDepth, DEFAULT_LIMITS.maxDepth),
    maxBreadth: optionalInt(WHERE, 'maxBreadth', options.maxBreadth, DEFAULT_LIMITS.maxBreadth),
    maxStringLength: optionalInt(
      WHERE,
      'maxStringLength',
      options.maxStringLength,
      DEFAULT_LIMITS.maxStringLength,
      0,
    ),
  };
  const base =
    options.base === undefined ? { pid: process.pid, hostname: hostname() } : options.base;
  if (base !== null && typeof base !== 'object')
    throw invalidOption(WHERE, 'base', 'an object or null', base);
  const bindings: Record<string, unknown> = { ...base };
  let chindings = base === null ? '' : serializeFields(base, limits);
  if (options.name !== undefined) {
    if (typeof options.name !== 'string')
      throw invalidOption(WHERE, 'name', 'a string', options.name);
    bindings.name = options.name;
    chindings += `,"name":${quote(options.name)}`;
  }
  const messageKey = key('messageKey', options.messageKey, 'msg');
  const destinations = resolveDestinations(levels, options.destination, messageKey);
  const errorKey = key('errorKey', options.errorKey, 'err');
  for (const d of destinations) {
    if (d.kind === 'pretty') d.messageKey = messageKey;
    if (d.kind === 'pino-transport') d.pinoConfig = { ...d.pinoConfig, messageKey, errorKey };
  }
  return {
    levels,
    threshold,
    chindings,
    bindings,
    time: resolveTimestamp(options.timestamp),
    messageKey,
    errorKey,
    destinations,
    ringBytes,
    maxBatchBytes: optionalInt(
      WHERE,
      'maxBatchBytes',
      options.maxBatchBytes,
      DEFAULT_MAX_BATCH_BYTES,
      256,
    ),
    onFull,
    blockTimeoutMs: optionalInt(WHERE, 'blockTimeoutMs', options.blockTimeoutMs, 1000, 0),
    flushTimeoutMs: optionalInt(WHERE, 'flushTimeoutMs', options.flushTimeoutMs, 5000),
    exitTimeoutMs: optionalInt(WHERE, 'exitTimeoutMs', options.exitTimeoutMs, 5000),
    handleSignals: optionalBool(WHERE, 'handleSignals', options.handleSignals, false),
    handleExceptions: optionalBool(WHERE, 'handleExceptions', options.handleExceptions, true),
    reopenOnSignal: resolveReopenSignal(WHERE, options.reopenOnSignal, destinations),
    limits,
  };
}
