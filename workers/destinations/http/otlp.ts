/**
 * OTLP/HTTP JSON logs (opentelemetry-proto, logs/v1, JSON mapping): one resourceLogs with the
 * configured resource attributes, one scopeLogs "ringlog", one logRecord per line.
 * int64 values (timeUnixNano, intValue) are decimal strings as the proto3 JSON mapping asks;
 * traceId and spanId are hex strings, as OTLP/JSON asks (not base64).
 */
import { levelName, msToNanoString, parseRecord, recordTimeMs, splitLines } from './records.js';

export interface OtlpOptions {
  serviceName: string;
  resourceAttributes: Record<string, string | number | boolean>;
  messageKey: string;
}

export type AnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: AnyValue[] } }
  | { kvlistValue: { values: KeyValue[] } }
  | Record<string, never>;

export interface KeyValue {
  key: string;
  value: AnyValue;
}

/** OTLP SeverityNumber of each standard level (logs data model: TRACE=1 … FATAL=21). */
const SEVERITY: Record<string, number> = {
  trace: 1,
  debug: 5,
  info: 9,
  warn: 13,
  error: 17,
  fatal: 21,
};

const HEX_TRACE_ID = /^[0-9a-f]{32}$/i;
const HEX_SPAN_ID = /^[0-9a-f]{16}$/i;
/** Fields that become parts of the log record itself, not attributes. */
const TRACE_KEYS = new Set([
  'traceId',
  'trace_id',
  'spanId',
  'span_id',
  'traceFlags',
  'trace_flags',
]);

export function toAnyValue(v: unknown): AnyValue {
  switch (typeof v) {
    case 'string':
      return { stringValue: v };
    case 'boolean':
      return { boolValue: v };
    case 'number':
      return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
    case 'object':
      if (v === null) return {};
      if (Array.isArray(v)) return { arrayValue: { values: v.map(toAnyValue) } };
      return { kvlistValue: { values: toKeyValues(v as Record<string, unknown>) } };
    default:
      return {};
  }
}

function toKeyValues(o: Record<string, unknown>): KeyValue[] {
  return Object.keys(o).map((key) => ({ key, value: toAnyValue(o[key]) }));
}

export interface OtlpLogRecord {
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityNumber: number;
  severityText: string;
  body?: AnyValue;
  attributes: KeyValue[];
  traceId?: string;
  spanId?: string;
  flags?: number;
}

export function toLogRecord(
  line: string,
  opts: OtlpOptions,
  observedNano: string,
  now: number,
): OtlpLogRecord {
  const rec = parseRecord(line);
  if (rec === undefined) {
    // Not JSON (a hand-built line from a module destination, say): ship it as the body.
    return {
      timeUnixNano: msToNanoString(now),
      observedTimeUnixNano: observedNano,
      severityNumber: SEVERITY.info!,
      severityText: 'INFO',
      body: { stringValue: line },
      attributes: [],
    };
  }
  const name = levelName(rec.level);
  const out: OtlpLogRecord = {
    timeUnixNano: msToNanoString(recordTimeMs(rec.time, now)),
    observedTimeUnixNano: observedNano,
    severityNumber: SEVERITY[name]!,
    severityText: name.toUpperCase(),
    attributes: [],
  };
  const msg = rec[opts.messageKey];
  if (msg !== undefined) out.body = toAnyValue(msg);
  for (const key of Object.keys(rec)) {
    if (key === 'level' || key === 'time' || key === opts.messageKey) continue;
    if (TRACE_KEYS.has(key)) continue;
    out.attributes.push({ key, value: toAnyValue(rec[key]) });
  }
  const traceId = rec.traceId ?? rec.trace_id;
  const spanId = rec.spanId ?? rec.span_id;
  const flags = rec.traceFlags ?? rec.trace_flags;
  if (typeof traceId === 'string' && HEX_TRACE_ID.test(traceId))
    out.traceId = traceId.toLowerCase();
  if (typeof spanId === 'string' && HEX_SPAN_ID.test(spanId)) out.spanId = spanId.toLowerCase();
  if (typeof flags === 'number' && Number.isInteger(flags)) out.flags = flags;
  else if (typeof flags === 'string' && /^[0-9a-f]{2}$/i.test(flags))
    out.flags = parseInt(flags, 16);
  return out;
}

/** The ExportLogsServiceRequest object for a batch of lines. */
export function otlpRequest(lines: string[], opts: OtlpOptions, now: number = Date.now()) {
  const observed = msToNanoString(now);
  const attributes: KeyValue[] = [
    { key: 'service.name', value: { stringValue: opts.serviceName } },
  ];
  for (const [key, v] of Object.entries(opts.resourceAttributes)) {
    if (key !== 'service.name') attributes.push({ key, value: toAnyValue(v) });
  }
  return {
    resourceLogs: [
      {
        resource: { attributes },
        scopeLogs: [
          {
            scope: { name: 'ringlog' },
            logRecords: lines.map((l) => toLogRecord(l, opts, observed, now)),
          },
        ],
      },
    ],
  };
}

export function encodeOtlp(data: Buffer, opts: OtlpOptions): Buffer {
  return Buffer.from(JSON.stringify(otlpRequest(splitLines(data), opts)));
}
