/**
 * Options of the HTTP shipping destination (`{ type: 'http', url, encoding, ... }`), their
 * defaults, and validation. Runs once per createLogger(); the resolved spec is plain data
 * that crosses to the sink worker (workers/destinations/http/http.ts).
 */

import { resolve } from 'node:path';
import { optionalInt, rejectUnknownKeys } from '../../../src/config/validate.js';
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
export interface HttpDestinationSpec {
  kind: 'http';
  minLevel: number;
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

const WHERE = 'createLogger';
const ENCODINGS: readonly HttpEncoding[] = ['ndjson', 'otlp', 'loki', 'elasticsearch'];
const KNOWN = new Set([
  'type',
  'url',
  'encoding',
  'level',
  'headers',
  'batchRecords',
  'batchBytes',
  'batchIntervalMs',
  'maxBufferBytes',
  'concurrency',
  'compression',
  'compressMinBytes',
  'connectTimeoutMs',
  'requestTimeoutMs',
  'flushTimeoutMs',
  'tls',
  'retry',
  'breaker',
  'spool',
  'serviceName',
  'resourceAttributes',
  'labels',
  'index',
  'messageKey',
]);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function obj(name: string, v: unknown): Record<string, unknown> {
  if (v === undefined) return {};
  if (!isPlainObject(v)) throw invalidOption(WHERE, name, 'an object', v);
  return v;
}

function stringMap(name: string, v: unknown): Record<string, string> {
  const o = obj(name, v);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(o)) {
    if (typeof x !== 'string') throw invalidOption(WHERE, `${name}.${k}`, 'a string', x);
    out[k] = x;
  }
  return out;
}

const LOKI_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Validates `{ type: 'http', ... }` at `name` (e.g. "destination[1]"). */
export function resolveHttpDestination(
  o: Record<string, unknown>,
  name: string,
  minLevel: number,
  loggerMessageKey = 'msg',
): HttpDestinationSpec {
  rejectUnknownKeys(WHERE, name, o, KNOWN, 'not an option of type "http"');
  let url: URL | undefined;
  if (typeof o.url === 'string') {
    try {
      url = new URL(o.url);
    } catch {
      url = undefined;
    }
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw invalidOption(WHERE, `${name}.url`, 'an http: or https: URL', o.url);
  }
  const encoding = o.encoding ?? 'ndjson';
  if (!ENCODINGS.includes(encoding as HttpEncoding)) {
    throw invalidOption(WHERE, `${name}.encoding`, `one of ${ENCODINGS.join('|')}`, encoding);
  }
  const compression = o.compression ?? 'gzip';
  if (compression !== 'gzip' && compression !== 'none') {
    throw invalidOption(WHERE, `${name}.compression`, '"gzip" or "none"', compression);
  }
  const tls = obj(`${name}.tls`, o.tls);
  let ca: string[] | undefined;
  if (tls.ca !== undefined) {
    const list = Array.isArray(tls.ca) ? tls.ca : [tls.ca];
    if (list.length === 0 || !list.every((c) => typeof c === 'string' && c.length > 0)) {
      throw invalidOption(WHERE, `${name}.tls.ca`, 'a PEM string or an array of them', tls.ca);
    }
    ca = list as string[];
  }
  const rejectUnauthorized = tls.rejectUnauthorized ?? true;
  if (typeof rejectUnauthorized !== 'boolean') {
    throw invalidOption(
      WHERE,
      `${name}.tls.rejectUnauthorized`,
      'true or false',
      rejectUnauthorized,
    );
  }
  const retry = obj(`${name}.retry`, o.retry);
  const breaker = obj(`${name}.breaker`, o.breaker);
  let spool: HttpDestinationSpec['spool'];
  if (o.spool !== undefined) {
    const s = obj(`${name}.spool`, o.spool);
    if (typeof s.dir !== 'string' || s.dir.length === 0) {
      throw invalidOption(WHERE, `${name}.spool.dir`, 'a directory path', s.dir);
    }
    spool = {
      dir: resolve(s.dir),
      maxBytes: optionalInt(
        WHERE,
        `${name}.spool.maxBytes`,
        s.maxBytes,
        HTTP_DEFAULTS.spoolMaxBytes,
        1,
      ),
    };
  }
  const serviceName = o.serviceName ?? 'unknown_service';
  if (typeof serviceName !== 'string' || serviceName.length === 0) {
    throw invalidOption(WHERE, `${name}.serviceName`, 'a non-empty string', serviceName);
  }
  const resourceAttributes: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(obj(`${name}.resourceAttributes`, o.resourceAttributes))) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw invalidOption(
        WHERE,
        `${name}.resourceAttributes.${k}`,
        'a string, number or boolean',
        v,
      );
    }
    resourceAttributes[k] = v;
  }
  const labels = stringMap(`${name}.labels`, o.labels);
  for (const k of Object.keys(labels)) {
    if (!LOKI_LABEL.test(k) || k === 'level') {
      throw invalidOption(
        WHERE,
        `${name}.labels`,
        'label names matching [a-zA-Z_][a-zA-Z0-9_]* other than "level"',
        k,
      );
    }
  }
  const index = o.index ?? (encoding === 'elasticsearch' ? undefined : '');
  if (typeof index !== 'string' || (encoding === 'elasticsearch' && index.length === 0)) {
    throw invalidOption(
      WHERE,
      `${name}.index`,
      'a non-empty index name (encoding "elasticsearch")',
      o.index,
    );
  }
  const messageKey = o.messageKey ?? loggerMessageKey;
  if (typeof messageKey !== 'string' || messageKey.length === 0) {
    throw invalidOption(WHERE, `${name}.messageKey`, 'a non-empty string', messageKey);
  }
  const batchBytes = optionalInt(
    WHERE,
    `${name}.batchBytes`,
    o.batchBytes,
    HTTP_DEFAULTS.batchBytes,
    1,
  );
  const maxBufferBytes = optionalInt(
    WHERE,
    `${name}.maxBufferBytes`,
    o.maxBufferBytes,
    Math.max(HTTP_DEFAULTS.maxBufferBytes, batchBytes * 4),
    1,
  );
  return {
    kind: 'http',
    minLevel,
    url: url.href,
    encoding: encoding as HttpEncoding,
    headers: stringMap(`${name}.headers`, o.headers),
    batchRecords: optionalInt(
      WHERE,
      `${name}.batchRecords`,
      o.batchRecords,
      HTTP_DEFAULTS.batchRecords,
      1,
    ),
    batchBytes,
    batchIntervalMs: optionalInt(
      WHERE,
      `${name}.batchIntervalMs`,
      o.batchIntervalMs,
      HTTP_DEFAULTS.batchIntervalMs,
      1,
    ),
    maxBufferBytes,
    concurrency: optionalInt(
      WHERE,
      `${name}.concurrency`,
      o.concurrency,
      HTTP_DEFAULTS.concurrency,
      1,
    ),
    compression,
    compressMinBytes: optionalInt(
      WHERE,
      `${name}.compressMinBytes`,
      o.compressMinBytes,
      HTTP_DEFAULTS.compressMinBytes,
      0,
    ),
    connectTimeoutMs: optionalInt(
      WHERE,
      `${name}.connectTimeoutMs`,
      o.connectTimeoutMs,
      HTTP_DEFAULTS.connectTimeoutMs,
      1,
    ),
    requestTimeoutMs: optionalInt(
      WHERE,
      `${name}.requestTimeoutMs`,
      o.requestTimeoutMs,
      HTTP_DEFAULTS.requestTimeoutMs,
      1,
    ),
    flushTimeoutMs: optionalInt(
      WHERE,
      `${name}.flushTimeoutMs`,
      o.flushTimeoutMs,
      HTTP_DEFAULTS.flushTimeoutMs,
      0,
    ),
    tls: { ca, rejectUnauthorized },
    retry: {
      baseDelayMs: optionalInt(
        WHERE,
        `${name}.retry.baseDelayMs`,
        retry.baseDelayMs,
        HTTP_DEFAULTS.baseDelayMs,
        1,
      ),
      maxDelayMs: optionalInt(
        WHERE,
        `${name}.retry.maxDelayMs`,
        retry.maxDelayMs,
        HTTP_DEFAULTS.maxDelayMs,
        1,
      ),
      serverErrorAttempts: optionalInt(
        WHERE,
        `${name}.retry.serverErrorAttempts`,
        retry.serverErrorAttempts,
        HTTP_DEFAULTS.serverErrorAttempts,
        1,
      ),
    },
    breaker: {
      failures: optionalInt(
        WHERE,
        `${name}.breaker.failures`,
        breaker.failures,
        HTTP_DEFAULTS.breakerFailures,
        1,
      ),
      cooldownMs: optionalInt(
        WHERE,
        `${name}.breaker.cooldownMs`,
        breaker.cooldownMs,
        HTTP_DEFAULTS.breakerCooldownMs,
        1,
      ),
    },
    spool,
    serviceName,
    resourceAttributes,
    labels,
    index,
    messageKey,
  };
}
