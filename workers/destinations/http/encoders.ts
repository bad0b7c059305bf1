/**
 * Batch bodies, one per encoding. A batch is always kept as the NDJSON lines the sink handed
 * over (that is also what the spool stores); the body is built from them when it is sent.
 */

import { encodeBulk } from './elasticsearch.js';
import type { HttpDestinationSpec } from './options.js';
import { encodeOtlp } from './otlp.js';
import {
  msToNanoString,
  parseRecord,
  recordLevelNumber,
  recordTimeMs,
  splitLines,
  standardLevel,
} from './records.js';

export { encodeBulk } from './elasticsearch.js';

export interface Encoder {
  contentType: string;
  /** `levels`: the ring's level byte of each line, when known (see Destination.wantsLevels). */
  encode(data: Buffer, levels?: Uint8Array): Buffer;
}

export interface LokiOptions {
  /** Labels of every stream. */
  labels: Record<string, string>;
  /** Level number (as a key) → `level` label value; every standard level is there. */
  levelLabels: Record<string, string>;
  /** Top-level record fields that become labels. */
  labelFields: readonly string[];
  /** Distinct values of one label field in one batch; past it the value is OVERFLOW_LABEL. */
  labelFieldsMaxValues: number;
}

/** The value of a label field past `labelFieldsMaxValues` distinct values in a batch. */
export const OVERFLOW_LABEL = '_overflow';
/** Loki's default `max_label_value_length`: longer values are cut to it. */
const MAX_LABEL_VALUE = 2048;

/** The `level` label of a level number: its own entry, else its standard level's. */
function levelLabel(n: number, levelLabels: Record<string, string>): string {
  return levelLabels[n] ?? levelLabels[standardLevel(n)]!;
}

/** A record field as a label value: strings, numbers and booleans; else no label. */
function labelValue(v: unknown): string | undefined {
  if (typeof v === 'string') return v.length > MAX_LABEL_VALUE ? v.slice(0, MAX_LABEL_VALUE) : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Loki push API (POST /loki/api/v1/push, JSON): one stream per label set, the configured
 * labels, the label fields of the record, and `level` (from the ring's level byte when known,
 * else the record's `level` field); each value is [nanoseconds as a string, the line as it was
 * logged]. */
export function encodeLoki(
  data: Buffer,
  o: LokiOptions,
  now = Date.now(),
  levels?: ArrayLike<number>,
): Buffer {
  const streams = new Map<string, { stream: Record<string, string>; values: [string, string][] }>();
  const seen = o.labelFields.map(() => new Set<string>());
  const lines = splitLines(data);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const rec = parseRecord(line);
    const byte = levels?.[i];
    const level = levelLabel(
      byte === undefined ? recordLevelNumber(rec?.level) : byte,
      o.levelLabels,
    );
    let key = level;
    let fields: [string, string][] | undefined;
    for (let f = 0; f < o.labelFields.length; f++) {
      const name = o.labelFields[f]!;
      let v = labelValue(rec?.[name]);
      if (v === undefined) continue;
      const values = seen[f]!;
      if (!values.has(v)) {
        if (values.size >= o.labelFieldsMaxValues) v = OVERFLOW_LABEL;
        else values.add(v);
      }
      (fields ??= []).push([name, v]);
      key += `\u0000${name}\u0000${v}`;
    }
    let s = streams.get(key);
    if (s === undefined) {
      const stream: Record<string, string> = { ...o.labels };
      if (fields !== undefined) for (const [name, v] of fields) stream[name] = v;
      stream.level = level;
      s = { stream, values: [] };
      streams.set(key, s);
    }
    const ms = recordTimeMs(rec?.time, now);
    // Loki takes decimal digits only: a time no Date holds (1e20) would write "1e+20000000".
    s.values.push([msToNanoString(Math.abs(ms) <= 8.64e15 ? ms : now), line]);
  }
  return Buffer.from(JSON.stringify({ streams: [...streams.values()] }));
}

export function createEncoder(spec: HttpDestinationSpec): Encoder {
  switch (spec.encoding) {
    case 'ndjson':
      return { contentType: 'application/x-ndjson', encode: (d) => d };
    case 'otlp':
      return {
        contentType: 'application/json',
        encode: (d, levels) =>
          encodeOtlp(
            d,
            {
              serviceName: spec.serviceName,
              resourceAttributes: spec.resourceAttributes,
              messageKey: spec.messageKey,
            },
            levels,
          ),
      };
    case 'loki':
      return {
        contentType: 'application/json',
        encode: (d, levels) => encodeLoki(d, spec, Date.now(), levels),
      };
    case 'elasticsearch':
      return { contentType: 'application/x-ndjson', encode: (d) => encodeBulk(d, spec) };
  }
}
