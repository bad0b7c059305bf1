/**
 * Errors ringlog raises or reports, each with a stable `code` (listed in docs/errors.md) so
 * callers match on `err.code`, never on message text.
 */

export const ErrorCodes = {
  /** An option passed to createLogger() or child() is not valid. */
  INVALID_OPTION: 'RINGLOG_INVALID_OPTION',
  /** The sink worker stopped unexpectedly; it is restarted. */
  SINK_CRASH: 'RINGLOG_SINK_CRASH',
  /** The sink worker failed too often, or could not be started at all; records are written
   * to stderr synchronously. */
  SINK_FALLBACK: 'RINGLOG_SINK_FALLBACK',
  /** flush() or the exit flush ran out of time; some records were not written. */
  FLUSH_TIMEOUT: 'RINGLOG_FLUSH_TIMEOUT',
  /** An HTTP backend refused records for good (400/401/403/…, partial success, bulk item
   * errors); they are counted as rejected and dropped. */
  HTTP_REJECTED: 'RINGLOG_HTTP_REJECTED',
  /** An HTTP backend could not be reached or answered 429/5xx; the batch is retried. */
  HTTP_UNAVAILABLE: 'RINGLOG_HTTP_UNAVAILABLE',
  /** Records an HTTP destination gave up on: memory buffer or spool budget exceeded. */
  HTTP_DROPPED: 'RINGLOG_HTTP_DROPPED',
  /** The HTTP destination's disk spool could not be written or read. */
  HTTP_SPOOL: 'RINGLOG_HTTP_SPOOL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class RinglogError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RinglogError';
    this.code = code;
  }
}

/** `where: "name" must be <expected>, got <value>` — the shape of every option error. */
export function invalidOption(where: string, name: string, expected: string, got: unknown) {
  return new RinglogError(
    ErrorCodes.INVALID_OPTION,
    `${where}: "${name}" must be ${expected}, got ${describeValue(got)}`,
  );
}

export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'function') return `a function`;
  if (v === null || typeof v !== 'object') return String(v);
  if (Array.isArray(v)) return `an array`;
  return `an object`;
}
