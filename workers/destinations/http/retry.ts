/**
 * What to do with an HTTP answer, and how long it asks to wait before the next attempt (the
 * backoff itself is ../backoff.ts, shared with syslog's reconnect).
 */
import type { HttpEncoding } from './options.js';

/** ok: accepted; retry: send again later; split: too large, send each half; reject: never
 * send again (counted as rejected). */
export type Verdict = 'ok' | 'retry' | 'split' | 'reject';

/** 429, 502, 503, 504 (and 408) are retried for every encoding; other 5xx only for ndjson,
 * whose receivers (Vector, Fluent Bit, ClickHouse) answer 500 to transient trouble too. */
export function classifyStatus(status: number, encoding: HttpEncoding): Verdict {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 413) return 'split';
  if (status === 408 || status === 429 || status === 502 || status === 503 || status === 504) {
    return 'retry';
  }
  if (status >= 500 && encoding === 'ndjson') return 'retry';
  return 'reject';
}

/** Retry-After as delay-seconds or as an HTTP-date (RFC 9110 §10.2.3), in ms from `now`. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
