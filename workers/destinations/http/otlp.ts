/**
 * OTLP/HTTP JSON logs (opentelemetry-proto, logs/v1, JSON mapping): one resourceLogs per
 * resource (the configured attributes, plus the records' `pid`, `hostname` and `name` as
 * `process.pid`, `host.name` and `service.name`), one scopeLogs "ringlog", one logRecord per
 * line. int64 values (timeUnixNano, intValue) are decimal strings as the proto3 JSON mapping
 * asks, and integers outside int64 go as doubleValue; traceId and spanId are hex strings, as
 * OTLP/JSON asks (not base64). The severity comes from the level the ring carried for the
 * record, so a `formatters.level` that writes a label (or no `level` at all) changes nothing.
 * `err` goes out as the semantic conventions' exception.type, exception.message and
 * exception.stacktrace.
 */
import {
  levelName,
  msToNanoString,
  parseRecord,
  recordLevelName,
  recordTimeMs,
  splitLines,
} from './records.js';

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

const INT64_LIMIT = 2 ** 63;
/** Record fields that describe the process, not the record: resource attributes. */
const RESOURCE_KEYS: Record<string, string> = {
  pid: 'process.pid',
  hostname: 'host.name',
};
/** The serviceName options.ts gives when none was configured. */
const DEFAULT_SERVICE_NAME = 'unknown_service';

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
      // int64 holds [-2^63, 2^63): 2**64 or 1e21 written as intValue would be refused (and
      // String() gives "1e+21"). Beyond it, the value is a double anyway.
      // Past 2^53, String() rounds the digits (-(2**63) gives "-9223372036854776000", outside
      // int64): BigInt writes the exact value.
      if (!Number.isInteger(v) || v < -INT64_LIMIT || v >= INT64_LIMIT) return { doubleValue: v };
      return { intValue: Number.isSafeInteger(v) ? String(v) : BigInt(v).toString() };
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

/** The err field as exception.* attributes (semantic conventions); its other fields, if
 * any, stay together under `err`. */
function pushError(attributes: KeyValue[], err: unknown): void {
  if (err === null || typeof err !== 'object' || Array.isArray(err)) {
    attributes.push({ key: 'err', value: toAnyValue(err) });
    return;
  }
  const { type, message, stack, ...rest } = err as Record<string, unknown>;
  if (type !== undefined) attributes.push({ key: 'exception.type', value: toAnyValue(type) });
  if (message !== undefined)
    attributes.push({ key: 'exception.message', value: toAnyValue(message) });
  if (stack !== undefined)
    attributes.push({ key: 'exception.stacktrace', value: toAnyValue(stack) });
  if (Object.keys(rest).length > 0) attributes.push({ key: 'err', value: toAnyValue(rest) });
}

/**
 * One line as a LogRecord. `level` is the level byte the ring carried for it (undefined for
 * lines replayed from the spool, which keeps lines only: then the `level` field is read).
 * `resource` receives the record's process fields.
 */
export function toLogRecord(
  line: string,
  opts: OtlpOptions,
  observedNano: string,
  now: number,
  level?: number,
  resource?: Record<string, unknown>,
): OtlpLogRecord {
  const rec = parseRecord(line);
  if (rec === undefined) {
    // Not JSON (a hand-built line from a module destination, say): ship it as the body.
    const name = level === undefined ? 'info' : levelName(level);
    return {
      timeUnixNano: msToNanoString(now),
      observedTimeUnixNano: observedNano,
      severityNumber: SEVERITY[name]!,
      severityText: name.toUpperCase(),
      body: { stringValue: line },
      attributes: [],
    };
  }
  const name = level === undefined ? recordLevelName(rec.level) : levelName(level);
  const out: OtlpLogRecord = {
    timeUnixNano: msToNanoString(recordTimeMs(rec.time, now)),
    observedTimeUnixNano: observedNano,
    severityNumber: SEVERITY[name]!,
    severityText: name.toUpperCase(),
    attributes: [],
  };
  const msg = rec[opts.messageKey];
  if (msg !== undefined) out.body = toAnyValue(msg);
  const nameIsService = opts.serviceName === DEFAULT_SERVICE_NAME;
  for (const key of Object.keys(rec)) {
    if (key === 'level' || key === 'time' || key === opts.messageKey) continue;
    if (TRACE_KEYS.has(key)) continue;
    const resourceKey =
      RESOURCE_KEYS[key] ?? (key === 'name' && nameIsService ? 'service.name' : undefined);
    if (resourceKey !== undefined && resource !== undefined) {
      resource[resourceKey] = rec[key];
      continue;
    }
    if (key === 'err') pushError(out.attributes, rec[key]);
    else out.attributes.push({ key, value: toAnyValue(rec[key]) });
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

/** The resource attributes: the configured ones, then the record's process fields. */
function resourceAttributes(opts: OtlpOptions, fromRecord: Record<string, unknown>): KeyValue[] {
  const serviceName =
    opts.serviceName === DEFAULT_SERVICE_NAME && typeof fromRecord['service.name'] === 'string'
      ? fromRecord['service.name']
      : opts.serviceName;
  const attributes: KeyValue[] = [{ key: 'service.name', value: { stringValue: serviceName } }];
  for (const [key, v] of Object.entries(opts.resourceAttributes)) {
    if (key !== 'service.name') attributes.push({ key, value: toAnyValue(v) });
  }
  for (const [key, v] of Object.entries(fromRecord)) {
    if (key !== 'service.name' && !(key in opts.resourceAttributes))
      attributes.push({ key, value: toAnyValue(v) });
  }
  return attributes;
}

/**
 * The ExportLogsServiceRequest object for a batch of lines: one resourceLogs per distinct
 * set of process fields, in the order they first appear. `levels[i]` is line i's level byte
 * from the ring, when known.
 */
export function otlpRequest(
  lines: string[],
  opts: OtlpOptions,
  now: number = Date.now(),
  levels?: ArrayLike<number>,
) {
  const observed = msToNanoString(now);
  const groups = new Map<
    string,
    { resource: { attributes: KeyValue[] }; logRecords: OtlpLogRecord[] }
  >();
  for (let i = 0; i < lines.length; i++) {
    const fromRecord: Record<string, unknown> = {};
    const rec = toLogRecord(lines[i]!, opts, observed, now, levels?.[i], fromRecord);
    const key = JSON.stringify(fromRecord);
    let g = groups.get(key);
    if (g === undefined) {
      g = { resource: { attributes: resourceAttributes(opts, fromRecord) }, logRecords: [] };
      groups.set(key, g);
    }
    g.logRecords.push(rec);
  }
  if (groups.size === 0)
    groups.set('', { resource: { attributes: resourceAttributes(opts, {}) }, logRecords: [] });
  return {
    resourceLogs: [...groups.values()].map((g) => ({
      resource: g.resource,
      scopeLogs: [{ scope: { name: 'ringlog' }, logRecords: g.logRecords }],
    })),
  };
}

export function encodeOtlp(data: Buffer, opts: OtlpOptions, levels?: ArrayLike<number>): Buffer {
  return Buffer.from(JSON.stringify(otlpRequest(splitLines(data), opts, Date.now(), levels)));
}
