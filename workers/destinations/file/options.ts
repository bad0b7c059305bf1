/**
 * Options of file destinations (rotation, retention, compression, symlink) and of reopening
 * on a signal: their types and their validation, run once per createLogger().
 */

import { constants } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { optionalBool } from '../../../src/config/validate.js';
import { invalidOption } from '../../../src/protocol/errors.js';
import type { DestinationSpec, FileRotationSpec } from '../../../src/protocol/messages.js';

/** `{ type: 'file', path, ... }`: see docs/destinations.md#files. */
export interface FileDestinationOptions {
  type: 'file';
  path: string;
  level?: string | number;
  /** Create missing parent directories (default true). */
  mkdir?: boolean;
  /** Append to an existing file (default true); false truncates it. */
  append?: boolean;
  /** Rotate by size, by time, or both; a string is short for `{ interval }`. */
  rotate?: 'daily' | 'hourly' | FileRotateOptions;
  /** Rotated files kept; older ones are deleted (default: all kept). Needs `rotate`. */
  keep?: number;
  /** Compress rotated files in the background (default false). Needs `rotate`. */
  compress?: 'gzip' | false;
  /** Keep a symlink to the current file: true for `<name>.current<ext>` beside it, or a path. */
  symlink?: boolean | string;
  /** Day and hour boundaries, and the dates in rotated names, in UTC (default: local time). */
  utc?: boolean;
}

export interface FileRotateOptions {
  /** Bytes, or a string such as '100k', '10m', '1g' (binary units: k = 1024). */
  size?: number | string;
  interval?: 'daily' | 'hourly';
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
const SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s*([kmg]?)b?$/i;

/** '10m' → 10485760; a positive integer stays as it is; anything else is undefined. */
export function parseByteSize(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v > 0 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const m = SIZE_PATTERN.exec(v.trim());
  if (m === null) return undefined;
  const bytes = Math.floor(Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]!);
  return bytes > 0 ? bytes : undefined;
}

function resolveRotation(
  where: string,
  name: string,
  o: Record<string, unknown>,
): FileRotationSpec | null {
  const r = o.rotate;
  const utc = optionalBool(where, `${name}.utc`, o.utc, false);
  if (r === undefined) {
    for (const needsRotate of ['keep', 'compress'] as const) {
      if (o[needsRotate] !== undefined && o[needsRotate] !== false) {
        throw invalidOption(where, `${name}.rotate`, `set when "${needsRotate}" is`, r);
      }
    }
    return null;
  }
  let sizeBytes: number | null = null;
  let interval: FileRotationSpec['interval'] = null;
  if (r === 'daily' || r === 'hourly') {
    interval = r;
  } else if (r !== null && typeof r === 'object' && !Array.isArray(r)) {
    const ro = r as Record<string, unknown>;
    if (ro.size !== undefined) {
      const bytes = parseByteSize(ro.size);
      if (bytes === undefined) {
        throw invalidOption(
          where,
          `${name}.rotate.size`,
          `a positive integer of bytes or a string like "100k", "10m", "1g"`,
          ro.size,
        );
      }
      sizeBytes = bytes;
    }
    if (ro.interval !== undefined) {
      if (ro.interval !== 'daily' && ro.interval !== 'hourly') {
        throw invalidOption(where, `${name}.rotate.interval`, '"daily" or "hourly"', ro.interval);
      }
      interval = ro.interval;
    }
    if (sizeBytes === null && interval === null) {
      throw invalidOption(where, `${name}.rotate`, 'an object with "size" and/or "interval"', r);
    }
  } else {
    throw invalidOption(where, `${name}.rotate`, '"daily", "hourly" or { size?, interval? }', r);
  }
  let keep: number | null = null;
  if (o.keep !== undefined) {
    if (typeof o.keep !== 'number' || !Number.isInteger(o.keep) || o.keep < 1) {
      throw invalidOption(where, `${name}.keep`, 'an integer >= 1', o.keep);
    }
    keep = o.keep;
  }
  if (o.compress !== undefined && o.compress !== false && o.compress !== 'gzip') {
    throw invalidOption(where, `${name}.compress`, '"gzip" or false', o.compress);
  }
  return { sizeBytes, interval, keep, compress: o.compress === 'gzip' ? 'gzip' : null, utc };
}

/** `app.log` → `app.current.log` beside it. */
export function defaultSymlinkPath(path: string): string {
  const ext = extname(path);
  return join(dirname(path), `${basename(path, ext)}.current${ext}`);
}

/** A file destination's spec from `{ type: 'file', ... }` or from a bare path string. */
export function resolveFileDestination(
  where: string,
  name: string,
  o: Record<string, unknown>,
  minLevel: number,
): Extract<DestinationSpec, { kind: 'file' }> {
  if (typeof o.path !== 'string' || o.path.length === 0) {
    throw invalidOption(where, `${name}.path`, 'a non-empty string', o.path);
  }
  const path = resolve(o.path);
  let symlink: string | null = null;
  if (o.symlink === true) symlink = defaultSymlinkPath(path);
  else if (typeof o.symlink === 'string' && o.symlink.length > 0) symlink = resolve(o.symlink);
  else if (o.symlink !== undefined && o.symlink !== false) {
    throw invalidOption(where, `${name}.symlink`, 'true, false or a path', o.symlink);
  }
  if (symlink === path) {
    throw invalidOption(where, `${name}.symlink`, `a path other than the file's own`, o.symlink);
  }
  return {
    kind: 'file',
    path,
    minLevel,
    mkdir: optionalBool(where, `${name}.mkdir`, o.mkdir, true),
    append: optionalBool(where, `${name}.append`, o.append, true),
    rotation: resolveRotation(where, name, o),
    symlink,
  };
}

// Signals a process cannot catch, or that Node reserves for itself.
const UNCATCHABLE = new Set(['SIGKILL', 'SIGSTOP', 'SIGVTALRM', 'SIGPROF']);

/**
 * The signal that reopens file destinations: 'SIGHUP' by default when there is a file
 * destination, none otherwise (so a process without files keeps Node's default on SIGHUP).
 */
export function resolveReopenSignal(
  where: string,
  v: unknown,
  destinations: readonly DestinationSpec[],
): NodeJS.Signals | false {
  if (v === false) return false;
  if (v === undefined) {
    return destinations.some((d) => d.kind === 'file') ? 'SIGHUP' : false;
  }
  if (
    typeof v !== 'string' ||
    !Object.hasOwn(constants.signals, v) ||
    UNCATCHABLE.has(v) ||
    !v.startsWith('SIG')
  ) {
    throw invalidOption(where, 'reopenOnSignal', 'a signal name such as "SIGHUP", or false', v);
  }
  return v as NodeJS.Signals;
}
