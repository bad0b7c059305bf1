/**
 * Elasticsearch/OpenSearch `_bulk` bodies: an action line naming each record's index (a date
 * pattern is formatted from the record's own time, in UTC, so a batch that crosses midnight
 * goes to two indices), then the record with an `@timestamp` (ISO 8601) that a default
 * mapping makes a `date` and that data streams require.
 *
 * The record is not parsed and serialized again: its top-level members are scanned to find
 * `time` and `@timestamp`, and `@timestamp` is written as text beside `time`. A re-serialized
 * record would lose the digits of integers beyond 2^53 and the order of its keys.
 */
import type { IndexPart } from './options.js';
import { recordTimeMs } from './records.js';

export interface BulkOptions {
  indexParts: readonly IndexPart[];
  opType: 'create' | 'index';
  atTimestamp: 'add' | 'replace' | 'off';
}

/** Where one top-level member of a JSON object line lies: `line.slice(start, end)` is
 * `"key":value`, `line.slice(valueStart, end)` the value. */
interface Member {
  start: number;
  valueStart: number;
  end: number;
}

/** JSON's whitespace: space, tab, newline, carriage return. */
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

/** The end of the JSON string that opens at `i` (the index after its closing quote). */
function skipString(line: string, i: number): number {
  for (let j = i + 1; j < line.length; j++) {
    const c = line.charCodeAt(j);
    if (c === 92 /* \ */) j++;
    else if (c === 34 /* " */) return j + 1;
  }
  return -1;
}

/** The end of the JSON value that starts at `i`, or -1. */
function skipValue(line: string, i: number): number {
  const c = line.charCodeAt(i);
  if (c === 34 /* " */) return skipString(line, i);
  if (c === 123 /* { */ || c === 91 /* [ */) {
    let depth = 0;
    for (let j = i; j < line.length; j++) {
      const d = line.charCodeAt(j);
      if (d === 34) {
        j = skipString(line, j) - 1;
        if (j < 0) return -1;
      } else if (d === 123 || d === 91) depth++;
      else if (d === 125 /* } */ || d === 93 /* ] */) {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  for (; j < line.length; j++) {
    const d = line.charCodeAt(j);
    if (d === 44 /* , */ || d === 125 || isSpace(d)) break;
  }
  return j > i ? j : -1;
}

/**
 * The `time` and `@timestamp` members of a JSON object line; undefined if it is not one.
 * `lookForAt: false` (the line has no `"@timestamp"` anywhere) stops at `time`.
 */
export function findTimeMembers(
  line: string,
  lookForAt = true,
): { time: Member | undefined; at: Member | undefined } | undefined {
  const out: { time: Member | undefined; at: Member | undefined } = {
    time: undefined,
    at: undefined,
  };
  let i = 0;
  const n = line.length;
  while (i < n && isSpace(line.charCodeAt(i))) i++;
  if (line.charCodeAt(i) !== 123) return undefined;
  i++;
  while (i < n && isSpace(line.charCodeAt(i))) i++;
  if (line.charCodeAt(i) === 125) return out;
  for (;;) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (line.charCodeAt(i) !== 34) return undefined;
    const start = i;
    const keyEnd = skipString(line, i);
    if (keyEnd < 0) return undefined;
    i = keyEnd;
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (line.charCodeAt(i) !== 58 /* : */) return undefined;
    i++;
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    const valueStart = i;
    const end = skipValue(line, i);
    if (end < 0) return undefined;
    const keyLength = keyEnd - start - 2;
    if (keyLength === 4 && line.startsWith('time', start + 1)) {
      out.time = { start, valueStart, end };
      if (!lookForAt) return out;
    } else if (keyLength === 10 && line.startsWith('@timestamp', start + 1)) {
      out.at = { start, valueStart, end };
    }
    i = end;
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    const c = line.charCodeAt(i);
    if (c === 125) return out;
    if (c !== 44) return undefined;
    i++;
  }
}

/** The value of a member as JSON, or undefined. */
function memberValue(line: string, m: Member | undefined): unknown {
  if (m === undefined) return undefined;
  const c = line.charCodeAt(m.valueStart);
  // A number (epoch ms, the default): read without JSON.parse.
  if (c >= 48 && c <= 57) return Number(line.slice(m.valueStart, m.end));
  try {
    return JSON.parse(line.slice(m.valueStart, m.end));
  } catch {
    return undefined;
  }
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** The index name of a record logged at `ms` (UTC). */
export function formatIndex(parts: readonly IndexPart[], ms: number): string {
  const d = new Date(ms);
  let s = '';
  for (const p of parts) {
    if ('text' in p) s += p.text;
    else if (p.date === 'yyyy') s += pad(d.getUTCFullYear(), 4);
    else if (p.date === 'MM') s += pad(d.getUTCMonth() + 1, 2);
    else if (p.date === 'dd') s += pad(d.getUTCDate(), 2);
    else s += pad(d.getUTCHours(), 2);
  }
  return s;
}

const HOUR_MS = 3_600_000;
/** The largest time a Date holds (ECMA-262 §21.4.1.1). */
const MAX_DATE_MS = 8.64e15;
/** 10000-01-01T00:00:00Z. */
const MAX_4_DIGIT_YEAR_MS = 253_402_300_800_000;

/**
 * `_bulk` body for a buffer of NDJSON lines. Records without a time (`timestamp: false`) or
 * that are not JSON objects are dated `now`, the time they are encoded.
 */
export function encodeBulk(data: Buffer, o: BulkOptions, now = Date.now()): Buffer {
  const dated = o.indexParts.some((p) => 'date' in p);
  const fixedIndex = dated ? '' : formatIndex(o.indexParts, 0);
  const actionOf = (index: string) => `${JSON.stringify({ [o.opType]: { _index: index } })}\n`;
  if (!dated && o.atTimestamp === 'off')
    return encodeFixed(data, Buffer.from(actionOf(fixedIndex)));
  const actions = new Map<string, string>();
  // The finest token is the hour: records of the same hour share their index name.
  let lastHour = Number.NaN;
  let lastIndex = fixedIndex;
  let action = actionOf(fixedIndex);
  // `toISOString()` per record costs as much as the rest: records of the same second share
  // the text up to the milliseconds.
  let lastSecond = Number.NaN;
  let secondPrefix = '';
  const isoOf = (t: number) => {
    // Years 0000..9999 only: toISOString() writes others as ±YYYYYY.
    if (t < 0 || t >= MAX_4_DIGIT_YEAR_MS) return new Date(t).toISOString();
    const second = Math.floor(t / 1000);
    if (second !== lastSecond) {
      lastSecond = second;
      secondPrefix = new Date(second * 1000).toISOString().slice(0, 20);
    }
    return `${secondPrefix}${String(t - second * 1000).padStart(3, '0')}Z`;
  };
  // One string for the body, converted once: a Buffer per line costs more than the scan.
  let out = '';
  const text = data.toString('utf8');
  let start = 0;
  let nl = text.indexOf('\n');
  while (nl !== -1) {
    let line = text.slice(start, nl);
    start = nl + 1;
    nl = text.indexOf('\n', start);
    const hasAt = line.includes('"@timestamp"');
    const m = findTimeMembers(line, hasAt);
    let ms = recordTimeMs(memberValue(line, m?.time) ?? memberValue(line, m?.at), now);
    // Beyond what a Date holds (a time of 1e20): dated when encoded, rather than a throw.
    if (!(Math.abs(ms) <= MAX_DATE_MS)) ms = now;
    if (dated) {
      const hour = Math.floor(ms / HOUR_MS);
      if (hour !== lastHour) {
        lastHour = hour;
        lastIndex = formatIndex(o.indexParts, ms);
        let a = actions.get(lastIndex);
        if (a === undefined) {
          a = actionOf(lastIndex);
          actions.set(lastIndex, a);
        }
        action = a;
      }
    }
    if (m !== undefined && m.at === undefined && o.atTimestamp !== 'off') {
      line = withTimestamp(line, m.time, isoOf(ms), o.atTimestamp);
    }
    out += `${action}${line}\n`;
  }
  return Buffer.from(out);
}

/** One fixed action line before each record, the records' bytes untouched. */
function encodeFixed(data: Buffer, action: Buffer): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  let nl = data.indexOf(10);
  while (nl !== -1) {
    parts.push(action, data.subarray(start, nl + 1));
    start = nl + 1;
    nl = data.indexOf(10, start);
  }
  return Buffer.concat(parts);
}

/** The line with `"@timestamp":"<iso>"` after `time` ('add') or in its place ('replace');
 * first when the record has no `time`. */
function withTimestamp(
  line: string,
  time: Member | undefined,
  iso: string,
  mode: 'add' | 'replace',
): string {
  const member = `"@timestamp":"${iso}"`;
  if (time === undefined) {
    const open = line.indexOf('{') + 1;
    const empty = line.slice(open).trim() === '}';
    return `${line.slice(0, open)}${member}${empty ? '' : ','}${line.slice(open)}`;
  }
  return mode === 'add'
    ? `${line.slice(0, time.end)},${member}${line.slice(time.end)}`
    : `${line.slice(0, time.start)}${member}${line.slice(time.end)}`;
}
