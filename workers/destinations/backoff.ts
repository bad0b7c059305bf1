/**
 * The wait before trying again after consecutive failures, shared by the destinations that
 * retry on their own: HTTP's resend (http/http.ts) and syslog's reconnect (syslog/syslog.ts).
 */

/** Exponential backoff with jitter: the n-th consecutive failure (n >= 1) waits a random time
 * between half and all of min(maxMs, baseMs * 2^(n-1)), so many processes do not retry in step. */
export function backoffMs(
  failures: number,
  baseMs: number,
  maxMs: number,
  random = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(failures - 1, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
