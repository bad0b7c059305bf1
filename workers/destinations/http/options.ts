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
  oneOf,
  type Resolved,
  record,
  str,
  table,
} from '../../../src/config/validate.js';
import { invalidOption } from '../../../src/protocol/errors.js';

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
  /** elasticsearch: the index (or data stream) of the `create` actions. */
  index?: string;
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
  index: string;
  messageKey: string;
}

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
} as const;

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
  index: str({ empty: true }),
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
    index,
    messageKey: o.messageKey ?? ctx.messageKey,
  };
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
