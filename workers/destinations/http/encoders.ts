/**
 * Batch bodies, one per encoding. A batch is always kept as the NDJSON lines the sink handed
 * over (that is also what the spool stores); the body is built from them when it is sent.
 */
import type { HttpDestinationSpec } from './options.js';
import { encodeOtlp } from './otlp.js';
import {
  levelName,
  msToNanoString,
  parseRecord,
  recordLevelName,
  recordTimeMs,
  splitLines,
} from './records.js';

export interface Encoder {
  contentType: string;
  /** `levels`: the ring's level byte of each line, when known (see Destination.wantsLevels). */
  encode(data: Buffer, levels?: Uint8Array): Buffer;
}

/** Loki push API (POST /loki/api/v1/push, JSON): one stream per label set, the configured
 * labels plus `level` (from the ring's level byte when known, else the record's `level`
 * field); each value is [nanoseconds as a string, the line as it was logged]. */
export function encodeLoki(
  data: Buffer,
  labels: Record<string, string>,
  now = Date.now(),
  levels?: ArrayLike<number>,
): Buffer {
  const streams = new Map<string, { stream: Record<string, string>; values: [string, string][] }>();
  const lines = splitLines(data);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const rec = parseRecord(line);
    const byte = levels?.[i];
    const level = byte === undefined ? recordLevelName(rec?.level) : levelName(byte);
    let s = streams.get(level);
    if (s === undefined) {
      s = { stream: { ...labels, level }, values: [] };
      streams.set(level, s);
    }
    s.values.push([msToNanoString(recordTimeMs(rec?.time, now)), line]);
  }
  return Buffer.from(JSON.stringify({ streams: [...streams.values()] }));
}

/** Elasticsearch/OpenSearch `_bulk`: a `create` action line before each record. */
export function encodeBulk(data: Buffer, index: string): Buffer {
  const action = Buffer.from(`${JSON.stringify({ create: { _index: index } })}\n`);
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
        encode: (d, levels) => encodeLoki(d, spec.labels, Date.now(), levels),
      };
    case 'elasticsearch':
      return { contentType: 'application/x-ndjson', encode: (d) => encodeBulk(d, spec.index) };
  }
}
