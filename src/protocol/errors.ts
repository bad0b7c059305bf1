/**
 * Errors ringlog raises or reports, each with a stable `code` (listed in docs/errors.md) so
 * callers match on `err.code`, never on message text.
 */

export const ErrorCodes = {
  /** An option passed to createLogger() or child() is not valid. */
  INVALID_OPTION: 'RINGLOG_INVALID_OPTION',
  /** An environment variable read by a preset (LOG_LEVEL, LOG_FORMAT, LOG_DESTINATION,
   * LOG_PRESET) holds a value that is not allowed. */
  INVALID_ENV: 'RINGLOG_INVALID_ENV',
  /** The sink worker stopped unexpectedly; it is restarted. */
  SINK_CRASH: 'RINGLOG_SINK_CRASH',
  /** The sink worker failed too often, or could not be started at all; records are written
   * to stderr synchronously. */
  SINK_FALLBACK: 'RINGLOG_SINK_FALLBACK',
  /** flush() or the exit flush ran out of time; some records were not written. */
  FLUSH_TIMEOUT: 'RINGLOG_FLUSH_TIMEOUT',
  /** A file destination could not reopen its path; it goes on writing to the file it had. */
  REOPEN_FAILED: 'RINGLOG_REOPEN_FAILED',
  /** A file destination could not rotate, compress or prune; nothing written is lost. */
  ROTATE_FAILED: 'RINGLOG_ROTATE_FAILED',
  /** A syslog destination could not connect to its server, or lost the connection; it
   * reconnects with backoff and holds records meanwhile. */
  SYSLOG_CONNECTION: 'RINGLOG_SYSLOG_CONNECTION',
  /** A syslog destination gave records up: its buffer bound was reached, or it was closed
   * with records it could not send. */
  SYSLOG_DROPPED: 'RINGLOG_SYSLOG_DROPPED',
  /** A destination's write, flush or close threw (or its stream emitted an error); the records
   * of that write are counted as dropped for it, the other destinations go on. */
  DESTINATION_FAILED: 'RINGLOG_DESTINATION_FAILED',
  /** An asynchronous destination's own buffer was full: records for it alone were dropped. */
  DESTINATION_BACKLOG: 'RINGLOG_DESTINATION_BACKLOG',
  /** A destination's flush or close did not finish within its bound; the sink went on. */
  DESTINATION_TIMEOUT: 'RINGLOG_DESTINATION_TIMEOUT',
  /** A destination could not be created (module missing, no factory, bad export); its records
   * go to stderr instead, or are dropped and counted when stderr is already a destination. */
  DESTINATION_UNAVAILABLE: 'RINGLOG_DESTINATION_UNAVAILABLE',
  /** An HTTP backend refused records for good (400/401/403/…, partial success, bulk item
   * errors); they are counted as rejected and dropped. */
  HTTP_REJECTED: 'RINGLOG_HTTP_REJECTED',
  /** An HTTP backend could not be reached or answered 429/5xx; the batch is retried. */
  HTTP_UNAVAILABLE: 'RINGLOG_HTTP_UNAVAILABLE',
  /** Records an HTTP destination gave up on: memory buffer or spool budget exceeded. */
  HTTP_DROPPED: 'RINGLOG_HTTP_DROPPED',
  /** The HTTP destination's disk spool could not be written or read. */
  HTTP_SPOOL: 'RINGLOG_HTTP_SPOOL',
  /** A file or fd write failed (ENOSPC, EDQUOT, EIO, ...): records are held in a bounded
   * buffer and retried with backoff; past the bound, or at exit, they are dropped (counted). */
  WRITE_FAILED: 'RINGLOG_WRITE_FAILED',
  /** A destination that was failing writes again; says how many records it dropped meanwhile. */
  WRITE_RESUMED: 'RINGLOG_WRITE_RESUMED',
  /** The reader of a pipe, FIFO or terminal is gone (EPIPE, EBADF, ...): nothing more is
   * written there; its records are counted as dropped. */
  DESTINATION_CLOSED: 'RINGLOG_DESTINATION_CLOSED',
  /** At exit, records were not written (dropped earlier, or still pending when the exit
   * flush ended); the one line says how many, by reason, as metrics() counts them. */
  RECORDS_LOST: 'RINGLOG_RECORDS_LOST',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** The system error codes a destination's failure may carry, as health() reports them. */
const ERRNOS = [
  'ENOSPC',
  'EDQUOT',
  'EFBIG',
  'EIO',
  'EAGAIN',
  'EWOULDBLOCK',
  'EBUSY',
  'EINTR',
  'EPIPE',
  'EBADF',
  'ENXIO',
  'ECONNRESET',
  'EINVAL',
  'EACCES',
  'EPERM',
  'EROFS',
  'ENOENT',
  'EISDIR',
  'ENOTDIR',
  'EMFILE',
  'ENFILE',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
  'EPROTO',
  'EMSGSIZE',
] as const;

/**
 * The known codes, each at a fixed index (0: none), so that the sink can store a
 * destination's last error as a number in shared memory (stats.ts) and the app read it back.
 */
export const ERROR_TABLE: readonly string[] = ['', ...Object.values(ErrorCodes), ...ERRNOS];
const errorIndex = new Map(ERROR_TABLE.map((code, i) => [code, i]));

/** The index of `code` in ERROR_TABLE, 0 when it is not there. */
export function errorCodeIndex(code: string | undefined): number {
  return code === undefined ? 0 : (errorIndex.get(code) ?? 0);
}

/** The code at `index` in ERROR_TABLE, null for 0 or an unknown index. */
export function errorCodeAt(index: number): string | null {
  const code = ERROR_TABLE[index];
  return code === undefined || code === '' ? null : code;
}

/** The first system error code named in a message (`ENOSPC: no space left…`), if known. */
export function errnoIn(message: string): string | undefined {
  for (const m of message.matchAll(/\b(E[A-Z0-9_]{2,})\b/g)) if (errorIndex.has(m[1]!)) return m[1];
  return undefined;
}

export class RinglogError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RinglogError';
    this.code = code;
  }
}

/** What an error says, for reports: its message, or String() of a thrown non-Error; never
 * throws itself (a hostile value's toString may). */
export function errorMessage(err: unknown): string {
  try {
    return String(err instanceof Error ? err.message : err);
  } catch {
    return 'unknown error';
  }
}

// The last part of an option name that says its value is a credential (headers.authorization,
// redactKeys.censor is not one): such values are described by their type, never echoed.
const SECRET_OPTION = /(pass|secret|token|auth|api[_-]?key|cookie|credential|private)[^.[\]]*$/i;

/** `where: "name" must be <expected>, got <value>` — the shape of every option error. A URL
 * is echoed without userinfo, query and fragment; a credential's value is not echoed. */
export function invalidOption(where: string, name: string, expected: string, got: unknown) {
  const what = SECRET_OPTION.test(name) ? describeType(got) : describeValue(got);
  return new RinglogError(
    ErrorCodes.INVALID_OPTION,
    `${where}: "${name}" must be ${expected}, got ${what}`,
  );
}

function describeType(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'an array';
  const t = typeof v;
  return t === 'object' ? 'an object' : `a ${t} (value not shown)`;
}

export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(redactUrlText(v));
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'function') return `a function`;
  if (v === null || typeof v !== 'object') return String(v);
  if (Array.isArray(v)) return `an array`;
  return `an object`;
}

/**
 * A URL as messages may print it: without userinfo, query or fragment, where credentials and
 * tokens live (`https://user:pass@host/p?token=t` → `https://[…]@host/p?[…]`). Text that does
 * not start with a scheme and `//` comes back unchanged.
 *
 * @example
 * redactUrlText('ftp://admin:hunter2@files.example/x?key=1'); // 'ftp://[…]@files.example/x?[…]'
 */
export function redactUrlText(text: string): string {
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(text);
  if (scheme === null) return text;
  const start = scheme[0].length;
  let end = text.length;
  for (const c of '/?#') {
    const i = text.indexOf(c, start);
    if (i !== -1 && i < end) end = i;
  }
  const at = text.lastIndexOf('@', end - 1);
  let out = at >= start ? `${text.slice(0, start)}[…]${text.slice(at, end)}` : text.slice(0, end);
  const rest = text.slice(end);
  const cut = rest.search(/[?#]/);
  out += cut === -1 ? rest : `${rest.slice(0, cut)}${rest[cut]}[…]`;
  return out;
}
