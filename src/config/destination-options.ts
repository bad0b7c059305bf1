/**
 * Validation of the `pretty` and `pino-transport` destination options. Runs once per
 * createLogger(); the destinations themselves live in workers/destinations/.
 */
import { isAbsolute, resolve } from 'node:path';
import type { LevelTable } from '../logger/levels.js';
import { invalidOption } from '../protocol/errors.js';
import type { PinoTransportSpec, PrettySpec } from '../protocol/messages.js';

const WHERE = 'createLogger';

/** 1 MiB: a transport that stalls holds at most this much of our text before we drop. */
export const DEFAULT_TRANSPORT_BUFFER_BYTES = 1 << 20;

export function resolvePrettySpec(
  table: LevelTable,
  o: Record<string, unknown>,
  name: string,
  minLevel: number,
): PrettySpec {
  const d = o.destination;
  let fd: number;
  if (d === undefined || d === 'stdout') fd = 1;
  else if (d === 'stderr') fd = 2;
  else if (typeof d === 'number' && Number.isInteger(d) && d >= 0) fd = d;
  else
    throw invalidOption(WHERE, `${name}.destination`, '"stdout", "stderr" or a file descriptor', d);
  const c = o.colorize;
  if (c !== undefined && typeof c !== 'boolean') {
    throw invalidOption(WHERE, `${name}.colorize`, 'true, false or undefined (automatic)', c);
  }
  return {
    kind: 'pretty',
    fd,
    colorize: c,
    labels: { ...table.labels },
    messageKey: 'msg',
    minLevel,
  };
}

export function resolvePinoTransportSpec(
  table: LevelTable,
  o: Record<string, unknown>,
  name: string,
  minLevel: number,
): PinoTransportSpec {
  const t = o.target;
  if (typeof t !== 'string' || t.length === 0) {
    throw invalidOption(WHERE, `${name}.target`, 'a package name, a path or a file: URL', t);
  }
  const max = o.maxBufferBytes;
  if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < 1024)) {
    throw invalidOption(WHERE, `${name}.maxBufferBytes`, 'an integer >= 1024', max);
  }
  // Relative paths are the caller's, not the worker's: anchor them here.
  const target = t.startsWith('.') || isAbsolute(t) ? resolve(t) : t;
  return {
    kind: 'pino-transport',
    target,
    options: o.options,
    maxBufferBytes: max ?? DEFAULT_TRANSPORT_BUFFER_BYTES,
    minLevel,
    // messageKey and errorKey are set by resolveOptions, which knows them.
    pinoConfig: {
      levels: { labels: { ...table.labels }, values: { ...table.values } },
      messageKey: 'msg',
      errorKey: 'err',
    },
  };
}
