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

const WS = /\s/;

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
  const c = line[i];
  if (c === '"') return skipString(line, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let j = i; j < line.length; j++) {
      const d = line[j];
      if (d === '"') {
        j = skipString(line, j) - 1;
        if (j < 0) return -1;
      } else if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  while (j < line.length && line[j] !== ',' && line[j] !== '}' && !WS.test(line[j]!)) j++;
  return j > i ? j : -1;
}

/** The `time` and `@timestamp` members of a JSON object line; undefined if it is not one. */
export function findTimeMembers(
  line: string,
): { time: Member | undefined; at: Member | undefined } | undefined {
  const out: { time: Member | undefined; at: Member | undefined } = {
    time: undefined,
    at: undefined,
  };
  let i = 0;
  const ws = () => {
    while (i < line.length && WS.test(line[i]!)) i++;
  };
  ws();
  if (line[i] !== '{') return undefined;
  i++;
  ws();
  if (line[i] === '}') return out;
  for (;;) {
    ws();
    if (line[i] !== '"') return undefined;
    const start = i;
    const keyEnd = skipString(line, i);
    if (keyEnd < 0) return undefined;
    const key = line.slice(start + 1, keyEnd - 1);
    i = keyEnd;
    ws();
    if (line[i] !== ':') return undefined;
    i++;
    ws();
    const valueStart = i;
    const end = skipValue(line, i);
    if (end < 0) return undefined;
    if (key === 'time') out.time = { start, valueStart, end };
    else if (key === '@timestamp') out.at = { start, valueStart, end };
    i = end;
    ws();
    if (line[i] === '}') return out;
    if (line[i] !== ',') return undefined;
    i++;
  }
}

/** The value of a member as JSON, or undefined. */
function memberValue(line: string, m: Member | undefined): unknown {
  if (m === undefined) return undefined;
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

/**
 * `_bulk` body for a buffer of NDJSON lines. Records without a time (`timestamp: false`) or
 * that are not JSON objects are dated `now`, the time they are encoded.
 */
export function encodeBulk(data: Buffer, o: BulkOptions, now = Date.now()): Buffer {
  const dated = o.indexParts.some((p) => 'date' in p);
  const fixedIndex = dated ? '' : formatIndex(o.indexParts, 0);
  const actions = new Map<string, Buffer>();
  // The finest token is the hour: records of the same hour share their index name.
  let lastHour = Number.NaN;
  let lastIndex = fixedIndex;
  const parts: Buffer[] = [];
  const text = data.toString('utf8');
  let start = 0;
  let nl = text.indexOf('\n');
  while (nl !== -1) {
    let line = text.slice(start, nl);
    start = nl + 1;
    nl = text.indexOf('\n', start);
    let index = fixedIndex;
    if (dated || o.atTimestamp !== 'off') {
      const m = findTimeMembers(line);
      const timeValue = memberValue(line, m?.time);
      const ms = recordTimeMs(timeValue ?? memberValue(line, m?.at), now);
      if (dated) {
        const hour = Math.floor(ms / HOUR_MS);
        if (hour !== lastHour) {
          lastHour = hour;
          lastIndex = formatIndex(o.indexParts, ms);
        }
        index = lastIndex;
      }
      if (m !== undefined && m.at === undefined && o.atTimestamp !== 'off') {
        line = withTimestamp(line, m.time, new Date(ms).toISOString(), o.atTimestamp);
      }
    }
    let action = actions.get(index);
    if (action === undefined) {
      action = Buffer.from(`${JSON.stringify({ [o.opType]: { _index: index } })}\n`);
      actions.set(index, action);
    }
    parts.push(action, Buffer.from(`${line}\n`));
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
