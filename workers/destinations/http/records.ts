/**
 * Reading the NDJSON lines of a batch back into records, for the encodings that need fields
 * (OTLP, Loki). This runs in the sink worker, never on the application's thread.
 */

import { DEFAULT_LEVELS } from '../../../src/protocol/levels.js';

/** pino's level numbers; custom levels fall into the band below the next standard one. */
const LEVEL_NAMES: readonly [number, string][] = [
  [60, 'fatal'],
  [50, 'error'],
  [40, 'warn'],
  [30, 'info'],
  [20, 'debug'],
  [0, 'trace'],
];

/** The standard level of a level number (a custom level falls in its band). */
export function levelName(level: unknown): string {
  const n = typeof level === 'number' ? level : 30;
  for (const [min, name] of LEVEL_NAMES) if (n >= min) return name;
  return 'trace';
}

/** The standard level number (10..60) of a level number: a custom level falls in its band. */
export function standardLevel(n: number): number {
  for (const [min] of LEVEL_NAMES) if (n >= min) return Math.max(min, 10);
  return 10;
}

/** The level number of a record's `level` field, as recordLevelName reads it. */
export function recordLevelNumber(level: unknown): number {
  if (typeof level === 'number') return level;
  return DEFAULT_LEVELS[recordLevelName(level)]!;
}

const LABELS = new Set(LEVEL_NAMES.map(([, name]) => name));

/**
 * The level of a record from its `level` field, for lines whose ring level is not known (a
 * spooled batch): a number, or a standard label in any case (`formatters.level` writing
 * `{ level: label }`); anything else is info.
 */
export function recordLevelName(level: unknown): string {
  if (typeof level === 'string') {
    const label = level.toLowerCase();
    return LABELS.has(label) ? label : 'info';
  }
  return levelName(level);
}

/** Splits a buffer of '\n'-terminated lines into strings without the newline. */
export function splitLines(data: Buffer): string[] {
  const text = data.toString('utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Counts the records (newlines) in a buffer of lines. */
export function countLines(data: Buffer): number {
  let n = 0;
  let i = data.indexOf(10);
  while (i !== -1) {
    n++;
    i = data.indexOf(10, i + 1);
  }
  return n;
}

export function parseRecord(line: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(line);
    return v !== null && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Milliseconds since 1970 from the record's `time`: epoch ms (the default), epoch seconds
 * (`timestamp: 'unix'`, told apart by size: below 1e11 is before 1973 in ms) or ISO text. */
export function recordTimeMs(time: unknown, now: number): number {
  if (typeof time === 'number' && Number.isFinite(time)) {
    return time < 1e11 ? Math.round(time * 1000) : Math.round(time);
  }
  if (typeof time === 'string') {
    const t = Date.parse(time);
    if (!Number.isNaN(t)) return t;
  }
  return now;
}

/** Nanoseconds since 1970 as a decimal string, from whole milliseconds. */
export function msToNanoString(ms: number): string {
  return ms === 0 ? '0' : `${ms}000000`;
}
