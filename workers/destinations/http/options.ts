/**
 * Options of the HTTP shipping destination (`{ type: 'http', url, encoding, ... }`), their
 * defaults, and validation. Runs once per createLogger(); the resolved spec is plain data
 * that crosses to the sink worker (workers/destinations/http/http.ts).
 */

import { resolve } from 'node:path';
import {
  COMMON_FIELDS,
  type DestinationKind,
  type Plain,
  type ResolveContext,
  resolveWithKind,
  type SpecBase,
} from '../../../src/config/destination-kind.js';
import {
  bool,
  custom,
  int,
  list,
  oneOf,
  type Resolved,
  record,
  str,
  table,
} from '../../../src/config/validate.js';
import { invalidOption } from '../../../src/protocol/errors.js';
import { DEFAULT_LEVELS } from '../../../src/protocol/levels.js';

export type HttpEncoding = 'ndjson' | 'otlp' | 'loki' | 'elasticsearch';

/** What a user writes. Every field but `url` is optional; docs/shipping.md lists them all. */
export interface HttpDestinationOptions {
  type: 'http';
  /** Full endpoint: `http://collector:4318/v1/logs`, `http://loki:3100/loki/api/v1/push`,
   * `http://es:9200/_bulk`, `http://ch:8123/?query=INSERT%20INTO%20logs%20FORMAT%20JSONEachRow`. */
  url: string;
  encoding?: HttpEncoding;
  level?: string | number;
  /** Extra request headers, e.g. `{ authorization: 'Bearer …' }`. */
  headers?: Record<string, string>;
  /** A batch is sent once it holds this many records (default 1000)… */
  batchRecords?: number;
  /** …or this many bytes of NDJSON (default 1 MiB)… */
  batchBytes?: number;
  /** …or this long after its first record (default 1000 ms). */
  batchIntervalMs?: number;
  /** Bytes held in memory, queued and in flight (default 16 MiB); beyond it the oldest
   * batches go to the spool, or are dropped and counted when there is none. */
  maxBufferBytes?: number;
  /** Requests in flight at once (default 2). */
  concurrency?: number;
  /** 'gzip' (default) or 'none'. */
  compression?: 'gzip' | 'none';
  /** Bodies below this size are sent uncompressed (default 1024). */
  compressMinBytes?: number;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** How long flush() waits for the backend before what is left goes to the spool. */
  flushTimeoutMs?: number;
  tls?: { ca?: string | string[]; rejectUnauthorized?: boolean };
  /** serverErrorAttempts: attempts of a batch answered 500/501/505…(ndjson only) before it
   * is rejected, so that a batch the backend cannot parse does not block those behind it. */
  retry?: { baseDelayMs?: number; maxDelayMs?: number; serverErrorAttempts?: number };
  breaker?: { failures?: number; cooldownMs?: number };
  spool?: { dir: string; maxBytes?: number };
  /** otlp: resource attribute service.name (default "unknown_service"). */
  serviceName?: string;
  /** otlp: more resource attributes. */
  resourceAttributes?: Record<string, string | number | boolean>;
  /** loki: labels of every stream; a `level` label is added per record. */
  labels?: Record<string, string>;
  /** loki: the `level` label's value per level, by name or number, over the default names
   * (`{ warn: 'warning', fatal: 'critical' }` gives pino-loki's values). */
  levelLabels?: Record<string, string>;
  /** loki: top-level record fields that become stream labels (`['hostname']`); at most
   * MAX_LABEL_FIELDS, keep them few and of few values. */
  labelFields?: string[];
  /** loki: distinct values a label field may take in one batch (default 10); the records
   * past it get the value `_overflow`. */
  labelFieldsMaxValues?: number;
  /** elasticsearch: the index (or data stream); `%{+yyyy.MM.dd}` (Logstash's form, tokens
   * yyyy MM dd HH) or `%{DATE}` (yyyy-MM-dd) are replaced by each record's UTC time. */
  index?: string;
  /** elasticsearch: the bulk action, `create` (default; data streams need it) or `index`. */
  opType?: 'create' | 'index';
  /** elasticsearch: `add` (default) writes `@timestamp` (ISO 8601) after `time`; `replace`
   * writes it in place of `time`; `off` sends the lines as logged. */
  atTimestamp?: 'add' | 'replace' | 'off';
  /** otlp: the field that becomes the body (default: the logger's messageKey). */
  messageKey?: string;
}

/** The resolved form, sent to the sink worker. */
export interface HttpDestinationSpec extends SpecBase {
  kind: 'http';
  url: string;
  encoding: HttpEncoding;
  headers: Record<string, string>;
  batchRecords: number;
  batchBytes: number;
  batchIntervalMs: number;
  maxBufferBytes: number;
  concurrency: number;
  compression: 'gzip' | 'none';
  compressMinBytes: number;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  flushTimeoutMs: number;
  tls: { ca: string[] | undefined; rejectUnauthorized: boolean };
  retry: { baseDelayMs: number; maxDelayMs: number; serverErrorAttempts: number };
  breaker: { failures: number; cooldownMs: number };
  spool: { dir: string; maxBytes: number } | undefined;
  serviceName: string;
  resourceAttributes: Record<string, string | number | boolean>;
  labels: Record<string, string>;
  /** Level number (as a key) → `level` label value; every standard level is there. */
  levelLabels: Record<string, string>;
  labelFields: string[];
  labelFieldsMaxValues: number;
  index: string;
  /** `index` cut into its literal text and its date tokens. */
  indexParts: IndexPart[];
  opType: 'create' | 'index';
  atTimestamp: 'add' | 'replace' | 'off';
  messageKey: string;
}

/** A date token of an index pattern, formatted from the record's UTC time. */
export type DateToken = 'yyyy' | 'MM' | 'dd' | 'HH';
export type IndexPart = { text: string } | { date: DateToken };

export const HTTP_DEFAULTS = {
  batchRecords: 1000,
  batchBytes: 1 << 20,
  batchIntervalMs: 1000,
  maxBufferBytes: 16 << 20,
  concurrency: 2,
  compressMinBytes: 1024,
  connectTimeoutMs: 5000,
  requestTimeoutMs: 30_000,
  flushTimeoutMs: 3000,
  baseDelayMs: 200,
  maxDelayMs: 30_000,
  serverErrorAttempts: 5,
  breakerFailures: 5,
  breakerCooldownMs: 10_000,
  spoolMaxBytes: 256 << 20,
  labelFieldsMaxValues: 10,
} as const;

/** Label fields per destination: with `level` and a few `labels`, this stays well under
 * Loki's default `max_label_names_per_series` (15), and each field multiplies the streams. */
export const MAX_LABEL_FIELDS = 5;

/** The default `level` label values: ringlog's level names, which Grafana recognises. */
const DEFAULT_LEVEL_LABELS: Record<string, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

const ENCODINGS = ['ndjson', 'otlp', 'loki', 'elasticsearch'] as const;
const LOKI_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const httpUrl = custom(
  'an http: or https: URL',
  (v) => {
    if (typeof v !== 'string') return undefined;
    try {
      const u = new URL(v);
      return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
    } catch {
      return undefined;
    }
  },
  { required: true },
);

const FIELDS = {
  ...COMMON_FIELDS,
  url: httpUrl,
  encoding: oneOf(ENCODINGS, { default: 'ndjson' }),
  headers: record(str({ empty: true, expected: 'a string' }), { default: {} }),
  batchRecords: int({ min: 1, default: HTTP_DEFAULTS.batchRecords }),
  batchBytes: int({ min: 1, default: HTTP_DEFAULTS.batchBytes }),
  batchIntervalMs: int({ min: 1, default: HTTP_DEFAULTS.batchIntervalMs }),
  /** Default: 16 MiB, or four batches when that is more. */
  maxBufferBytes: int({ min: 1 }),
  concurrency: int({ min: 1, default: HTTP_DEFAULTS.concurrency }),
  compression: oneOf(['gzip', 'none'], { default: 'gzip' }),
  compressMinBytes: int({ min: 0, default: HTTP_DEFAULTS.compressMinBytes }),
  connectTimeoutMs: int({ min: 1, default: HTTP_DEFAULTS.connectTimeoutMs }),
  requestTimeoutMs: int({ min: 1, default: HTTP_DEFAULTS.requestTimeoutMs }),
  flushTimeoutMs: int({ min: 0, default: HTTP_DEFAULTS.flushTimeoutMs }),
  tls: table('an option of tls', {
    ca: custom('a PEM string or an array of them', (v) =>
      typeof v === 'string' && v.length > 0
        ? [v]
        : Array.isArray(v) && v.length > 0 && v.every((c) => typeof c === 'string' && c.length > 0)
          ? (v as string[])
          : undefined,
    ),
    rejectUnauthorized: bool({ default: true }),
  }),
  retry: table('an option of retry', {
    baseDelayMs: int({ min: 1, default: HTTP_DEFAULTS.baseDelayMs }),
    maxDelayMs: int({ min: 1, default: HTTP_DEFAULTS.maxDelayMs }),
    serverErrorAttempts: int({ min: 1, default: HTTP_DEFAULTS.serverErrorAttempts }),
  }),
  breaker: table('an option of breaker', {
    failures: int({ min: 1, default: HTTP_DEFAULTS.breakerFailures }),
    cooldownMs: int({ min: 1, default: HTTP_DEFAULTS.breakerCooldownMs }),
  }),
  spool: table(
    'an option of spool',
    {
      dir: str({ required: true, expected: 'a directory path' }),
      maxBytes: int({ min: 1, default: HTTP_DEFAULTS.spoolMaxBytes }),
    },
    { optional: true },
  ),
  serviceName: str({ default: 'unknown_service' }),
  resourceAttributes: record(
    custom('a string, number or boolean', (v) =>
      typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : undefined,
    ),
    { default: {} },
  ),
  labels: record(str({ empty: true, expected: 'a string' }), { default: {} }),
  levelLabels: record(str({ expected: 'a non-empty string' }), { default: {} }),
  labelFields: list(
    str({ pattern: LOKI_LABEL, expected: 'a field name matching [a-zA-Z_][a-zA-Z0-9_]*' }),
    { default: [] },
  ),
  labelFieldsMaxValues: int({ min: 1, max: 1000, default: HTTP_DEFAULTS.labelFieldsMaxValues }),
  index: str({ empty: true }),
  opType: oneOf(['create', 'index'], { default: 'create' }),
  atTimestamp: oneOf(['add', 'replace', 'off'], { default: 'add' }),
  messageKey: str(),
};

/** Counters of an HTTP destination beyond the common four; docs/shipping.md says what each counts. */
export const HTTP_EXTRA_STATS = [
  'sent',
  'retried',
  'rejected',
  'spilled',
  'replayed',
  'spooled',
] as const;

function resolveHttp(o: Resolved<typeof FIELDS>, ctx: ResolveContext): Plain<HttpDestinationSpec> {
  const { at } = ctx;
  for (const k of Object.keys(o.labels)) {
    if (!LOKI_LABEL.test(k) || k === 'level') {
      throw invalidOption(
        at.where,
        `${at.name}.labels`,
        'label names matching [a-zA-Z_][a-zA-Z0-9_]* other than "level"',
        k,
      );
    }
  }
  const index = o.index ?? '';
  if (o.encoding === 'elasticsearch' && index.length === 0) {
    throw invalidOption(
      at.where,
      `${at.name}.index`,
      'a non-empty index name (encoding "elasticsearch")',
      o.index,
    );
  }
  const indexParts = parseIndexPattern(index, at.where, `${at.name}.index`);
  const levelLabels = { ...DEFAULT_LEVEL_LABELS };
  for (const [k, v] of Object.entries(o.levelLabels)) {
    const named = Object.hasOwn(ctx.levels.values, k)
      ? ctx.levels.values[k]
      : Object.hasOwn(DEFAULT_LEVELS, k)
        ? DEFAULT_LEVELS[k]
        : undefined;
    const n = named ?? (/^(0|[1-9][0-9]{0,2})$/.test(k) ? Number(k) : 256);
    if (n > 255) {
      const levelNames = [...new Set([...Object.keys(DEFAULT_LEVELS), ...ctx.levels.names])];
      throw invalidOption(
        at.where,
        `${at.name}.levelLabels`,
        `keys that are level names (${levelNames.join('|')}) or level numbers 0..255`,
        k,
      );
    }
    levelLabels[n] = v;
  }
  if (o.labelFields.length > MAX_LABEL_FIELDS) {
    throw invalidOption(
      at.where,
      `${at.name}.labelFields`,
      `at most ${MAX_LABEL_FIELDS} field names (each one multiplies Loki's streams)`,
      o.labelFields.join(','),
    );
  }
  for (const f of o.labelFields) {
    if (
      f === 'level' ||
      Object.hasOwn(o.labels, f) ||
      o.labelFields.indexOf(f) !== o.labelFields.lastIndexOf(f)
    ) {
      throw invalidOption(
        at.where,
        `${at.name}.labelFields`,
        'field names other than "level", the names in labels, and each other',
        f,
      );
    }
  }
  const ca = o.tls.ca;
  return {
    kind: 'http',
    minLevel: ctx.minLevel,
    url: o.url,
    encoding: o.encoding,
    headers: o.headers,
    batchRecords: o.batchRecords,
    batchBytes: o.batchBytes,
    batchIntervalMs: o.batchIntervalMs,
    maxBufferBytes: o.maxBufferBytes ?? Math.max(HTTP_DEFAULTS.maxBufferBytes, o.batchBytes * 4),
    concurrency: o.concurrency,
    compression: o.compression,
    compressMinBytes: o.compressMinBytes,
    connectTimeoutMs: o.connectTimeoutMs,
    requestTimeoutMs: o.requestTimeoutMs,
    flushTimeoutMs: o.flushTimeoutMs,
    tls: {
      ca,
      rejectUnauthorized: o.tls.rejectUnauthorized,
    },
    retry: o.retry,
    breaker: o.breaker,
    spool:
      o.spool === undefined ? undefined : { dir: resolve(o.spool.dir), maxBytes: o.spool.maxBytes },
    serviceName: o.serviceName,
    resourceAttributes: o.resourceAttributes,
    labels: o.labels,
    levelLabels,
    labelFields: o.labelFields,
    labelFieldsMaxValues: o.labelFieldsMaxValues,
    index,
    indexParts,
    opType: o.opType,
    atTimestamp: o.atTimestamp,
    messageKey: o.messageKey ?? ctx.messageKey,
  };
}

const DATE_TOKEN = /yyyy|MM|dd|HH/g;
/** Elasticsearch refuses these in index names (and upper case). */
const INDEX_FORBIDDEN = /[A-Z\\/*?"<>| ,#:]/;

/**
 * An index name cut into literal text and date tokens: `%{+yyyy.MM.dd}` (the Logstash
 * elasticsearch output's form, with the tokens yyyy, MM, dd, HH and any of `.-_` between
 * them) or `%{DATE}` (pino-elasticsearch's, yyyy-MM-dd). The text must be a valid index name.
 */
export function parseIndexPattern(index: string, where: string, name: string): IndexPart[] {
  const expected =
    'an index name in lower case without \\ / * ? " < > | , # : or spaces, not starting with - _ +, whose only patterns are %{DATE} and %{+FORMAT} with FORMAT made of yyyy MM dd HH and . - _';
  const parts: IndexPart[] = [];
  const re = /%\{([^}]*)\}/g;
  let last = 0;
  const text = (t: string) => {
    if (INDEX_FORBIDDEN.test(t) || t.includes('%'))
      throw invalidOption(where, name, expected, index);
    if (t.length > 0) parts.push({ text: t });
  };
  for (let m = re.exec(index); m !== null; m = re.exec(index)) {
    text(index.slice(last, m.index));
    last = m.index + m[0].length;
    const body = m[1]!;
    const format = body === 'DATE' ? 'yyyy-MM-dd' : body.startsWith('+') ? body.slice(1) : '';
    if (format === '' || format.replace(DATE_TOKEN, '').replace(/[.\-_]/g, '') !== '') {
      throw invalidOption(where, name, expected, index);
    }
    let at = 0;
    for (const t of format.matchAll(DATE_TOKEN)) {
      if (t.index > at) parts.push({ text: format.slice(at, t.index) });
      parts.push({ date: t[0] as DateToken });
      at = t.index + t[0].length;
    }
    if (at < format.length) parts.push({ text: format.slice(at) });
  }
  text(index.slice(last));
  const first = parts[0];
  if (first !== undefined && 'text' in first && /^[-_+]/.test(first.text)) {
    throw invalidOption(where, name, expected, index);
  }
  return parts;
}

export const httpKind = {
  types: ['http'],
  options: table('an option of type "http"', FIELDS),
  resolve: resolveHttp,
  name: (spec: Plain<HttpDestinationSpec>) => {
    // Origin and path only: credentials or a query may be in the URL.
    const u = new URL(spec.url);
    return `http:${u.origin}${u.pathname}`;
  },
  extraStats: HTTP_EXTRA_STATS,
} as const satisfies DestinationKind<HttpDestinationSpec, Resolved<typeof FIELDS>>;

/** `{ type: 'http', ... }` at `name` (e.g. "destination[1]") resolved on its own. */
export function resolveHttpDestination(
  o: Record<string, unknown>,
  name: string,
  minLevel: number,
  messageKey = 'msg',
): HttpDestinationSpec {
  const at = { where: 'createLogger', name };
  const levels = { values: {}, labels: {}, names: [] };
  return resolveWithKind(httpKind, o, { at, levels, minLevel, messageKey, errorKey: 'err' });
}
