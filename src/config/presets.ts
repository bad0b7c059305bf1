/**
 * Presets: one name for the logger a team wants where it runs, adjusted by the environment,
 * then by explicit options (preset < environment < options). `setup()` makes the result the
 * process's default logger.
 */

import { stdSerializers } from '../logger/hooks.js';
import { DEFAULT_LEVELS } from '../logger/levels.js';
import { ErrorCodes, RinglogError, redactUrlText } from '../protocol/errors.js';
import type { DestinationInput, LoggerOptions } from './options.js';

export type PresetName = 'development' | 'production' | 'test' | 'high-throughput';

export const PRESET_NAMES: readonly PresetName[] = [
  'development',
  'production',
  'test',
  'high-throughput',
];

const HTTP_SERIALIZERS = { req: stdSerializers.req, res: stdSerializers.res };

/** Each preset's options, before the environment and explicit options. */
export function presetOptions(name: PresetName): LoggerOptions {
  switch (name) {
    case 'development':
      return {
        level: 'debug',
        destination: { type: 'pretty', destination: 'stdout' },
        serializers: HTTP_SERIALIZERS,
        handleSignals: true,
      };
    case 'production':
      return {
        level: 'info',
        destination: 'stderr',
        serializers: HTTP_SERIALIZERS,
        // Secrets by key name at any depth, and credentials in URLs (DEFAULT_REDACT_KEYS).
        redactKeys: true,
        handleSignals: true,
        onFull: 'block',
        blockTimeoutMs: 1000,
      };
    case 'test':
      return { level: 'silent', capture: true };
    case 'high-throughput':
      return {
        level: 'warn',
        destination: 'stderr',
        serializers: HTTP_SERIALIZERS,
        handleSignals: true,
        ringBytes: 8 << 20,
        maxBatchBytes: 256 << 10,
        onFull: 'drop',
      };
  }
}

function envError(variable: string, value: string, allowed: string): RinglogError {
  return new RinglogError(
    ErrorCodes.INVALID_ENV,
    `environment: ${variable}=${JSON.stringify(redactUrlText(value))} is not allowed; use ${allowed}`,
  );
}

export function presetName(v: unknown, from: string): PresetName {
  if (typeof v === 'string' && (PRESET_NAMES as readonly string[]).includes(v))
    return v as PresetName;
  const allowed = PRESET_NAMES.map((n) => `"${n}"`).join(', ');
  if (from.startsWith('LOG_')) throw envError(from, String(v), `one of ${allowed}`);
  throw new RinglogError(
    ErrorCodes.INVALID_OPTION,
    `${from}: the preset must be one of ${allowed}, got ${JSON.stringify(v)}`,
  );
}

/**
 * LOG_LEVEL, LOG_FORMAT (json|pretty), LOG_DESTINATION (stdout, stderr, a file path, an
 * http(s) URL). A value that is set but not allowed throws RINGLOG_INVALID_ENV naming the
 * variable, the value and what is allowed. Empty values count as unset.
 */
export function envOptions(
  env: NodeJS.ProcessEnv,
  base: LoggerOptions,
  customLevels: Record<string, number> | undefined,
): LoggerOptions {
  const out: LoggerOptions = {};
  const level = env.LOG_LEVEL;
  if (level !== undefined && level !== '') {
    const names = [...Object.keys(DEFAULT_LEVELS), ...Object.keys(customLevels ?? {}), 'silent'];
    const n = Number(level);
    if (names.includes(level)) out.level = level;
    else if (Number.isInteger(n) && n >= 1 && n <= 255) out.level = n;
    else throw envError('LOG_LEVEL', level, `one of ${names.join(', ')} or a number 1..255`);
  }
  const dest = env.LOG_DESTINATION;
  let where: 'stdout' | 'stderr' | undefined;
  let destination: DestinationInput | undefined;
  if (dest !== undefined && dest !== '') {
    if (dest === 'stdout' || dest === 'stderr') {
      where = dest;
      destination = dest;
    } else if (/^https?:\/\//i.test(dest)) {
      try {
        new URL(dest);
      } catch {
        throw envError('LOG_DESTINATION', dest, 'stdout, stderr, a file path or an http(s) URL');
      }
      destination = { type: 'http', url: dest, encoding: 'ndjson' } as unknown as DestinationInput;
    } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(dest)) {
      throw envError('LOG_DESTINATION', dest, 'stdout, stderr, a file path or an http(s) URL');
    } else {
      destination = dest;
    }
  }
  const format = env.LOG_FORMAT;
  if (format !== undefined && format !== '') {
    if (format !== 'json' && format !== 'pretty')
      throw envError('LOG_FORMAT', format, '"json" or "pretty"');
    if (format === 'pretty') {
      if (destination !== undefined && where === undefined)
        throw envError(
          'LOG_FORMAT',
          format,
          `"json" with LOG_DESTINATION=${redactUrlText(dest ?? '')} (pretty output goes to stdout or stderr only)`,
        );
      destination = { type: 'pretty', destination: where ?? 'stdout' };
    } else if (destination === undefined && isPretty(base.destination)) {
      // json asked for where the preset would pretty-print: the same stream, as JSON.
      destination = prettyTarget(base.destination) ?? 'stdout';
    }
  }
  if (destination !== undefined) out.destination = destination;
  return out;
}

function isPretty(d: unknown): boolean {
  return d !== null && typeof d === 'object' && (d as { type?: unknown }).type === 'pretty';
}

function prettyTarget(d: unknown): 'stdout' | 'stderr' | undefined {
  const t = (d as { destination?: unknown }).destination;
  return t === 'stderr' ? 'stderr' : t === 'stdout' ? 'stdout' : undefined;
}

/** The options of `createLogger({ preset, ...options })`: preset < environment < options. */
export function resolvePresetOptions(
  options: LoggerOptions & { preset?: unknown },
  env: NodeJS.ProcessEnv = process.env,
): LoggerOptions {
  const { preset, ...explicit } = options;
  const name = presetName(
    env.LOG_PRESET !== undefined && env.LOG_PRESET !== '' ? env.LOG_PRESET : preset,
    env.LOG_PRESET !== undefined && env.LOG_PRESET !== '' ? 'LOG_PRESET' : 'createLogger',
  );
  const base = presetOptions(name);
  const fromEnv = envOptions(env, base, explicit.customLevels);
  const merged: LoggerOptions = { ...base, ...fromEnv, ...explicit };
  // The test preset captures in memory; a destination chosen by the environment or the
  // options means the records should really go there.
  if (name === 'test' && merged.destination !== undefined && explicit.capture === undefined)
    merged.capture = false;
  return merged;
}
