/**
 * Options of file destinations (rotation, retention, compression, symlink) and of reopening
 * on a signal: their types and their validation, run once per createLogger().
 */

import { constants } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import {
  COMMON_FIELDS,
  type DestinationKind,
  type Plain,
  type ResolveContext,
  type SpecBase,
} from '../../../src/config/destination-kind.js';
import {
  type At,
  bool,
  custom,
  either,
  int,
  oneOf,
  type Resolved,
  str,
  table,
} from '../../../src/config/validate.js';
import { invalidOption } from '../../../src/protocol/errors.js';
import type { DestinationSpec } from '../../../src/protocol/messages.js';

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

export interface FileSpec extends SpecBase {
  kind: 'file';
  path: string;
  mkdir: boolean;
  append: boolean;
  /** Built-in rotation, or null for none. */
  rotation: FileRotationSpec | null;
  /** Absolute path of a symlink kept pointing at `path`, or null. */
  symlink: string | null;
}

/** When and how a file destination rotates; see docs/destinations.md#files. */
export interface FileRotationSpec {
  /** Rotate before a write that would take the file past this many bytes. */
  sizeBytes: number | null;
  interval: 'daily' | 'hourly' | null;
  /** Rotated files kept (oldest deleted beyond it); null keeps all. */
  keep: number | null;
  compress: 'gzip' | null;
  /** Time boundaries and file-name dates in UTC rather than local time. */
  utc: boolean;
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

const ROTATE_FIELDS = {
  size: custom('a positive integer of bytes or a string like "100k", "10m", "1g"', (v) =>
    parseByteSize(v),
  ),
  interval: oneOf(['daily', 'hourly']),
};

const FIELDS = {
  ...COMMON_FIELDS,
  path: str({ required: true }),
  mkdir: bool({ default: true }),
  append: bool({ default: true }),
  rotate: either(oneOf(['daily', 'hourly']), table('an option of rotate', ROTATE_FIELDS)),
  keep: int({ min: 1 }),
  compress: oneOf(['gzip', false]),
  symlink: either(bool(), str({ expected: 'a path' })),
  utc: bool({ default: false }),
};

type FileFields = Resolved<typeof FIELDS>;

function resolveRotation(at: At, o: FileFields): FileRotationSpec | null {
  const r = o.rotate;
  if (r === undefined) {
    for (const needsRotate of ['keep', 'compress'] as const) {
      if (o[needsRotate] !== undefined && o[needsRotate] !== false) {
        throw invalidOption(at.where, `${at.name}.rotate`, `set when "${needsRotate}" is`, r);
      }
    }
    return null;
  }
  const rotate = typeof r === 'string' ? { size: undefined, interval: r } : r;
  if (rotate.size === undefined && rotate.interval === undefined) {
    throw invalidOption(
      at.where,
      `${at.name}.rotate`,
      'an object with "size" and/or "interval"',
      r,
    );
  }
  return {
    sizeBytes: rotate.size ?? null,
    interval: rotate.interval ?? null,
    keep: o.keep ?? null,
    compress: o.compress === 'gzip' ? 'gzip' : null,
    utc: o.utc,
  };
}

/** `app.log` → `app.current.log` beside it. */
export function defaultSymlinkPath(path: string): string {
  const ext = extname(path);
  return join(dirname(path), `${basename(path, ext)}.current${ext}`);
}

function resolveFile(o: FileFields, ctx: ResolveContext): Plain<FileSpec> {
  const path = resolve(o.path);
  const symlink =
    o.symlink === true
      ? defaultSymlinkPath(path)
      : typeof o.symlink === 'string'
        ? resolve(o.symlink)
        : null;
  if (symlink === path) {
    throw invalidOption(
      ctx.at.where,
      `${ctx.at.name}.symlink`,
      `a path other than the file's own`,
      o.symlink,
    );
  }
  return {
    kind: 'file',
    path,
    minLevel: ctx.minLevel,
    mkdir: o.mkdir,
    append: o.append,
    rotation: resolveRotation(ctx.at, o),
    symlink,
  };
}

export const fileKind = {
  types: ['file'],
  options: table('an option of type "file"', FIELDS, {
    hints: { dest: 'the file is "path"', destination: 'the file is "path"' },
  }),
  resolve: resolveFile,
  name: (spec: Plain<FileSpec>) => `file:${spec.path}`,
  extraStats: [],
} as const satisfies DestinationKind<FileSpec, FileFields>;

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
