/**
 * ringlog/http: one record per finished HTTP request, and the request's context (its id) on
 * every record logged while it is handled. For node:http servers, Express 5 and Connect-style
 * apps. Its own entry point: the core never imports this file.
 *
 * Per request: an id (x-request-id when it is a sane token, else a random UUID), a context
 * (withContext) around the rest of the chain, `req.log` bound to that context, one state
 * object on the response and three listeners shared by every request (no closure per
 * request); the record is built once, when the response finishes or the connection closes
 * first.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import redactor from '@pinojs/redact';
import { bindContext, withContext } from '../logger/context.js';
import type { BaseLogger } from '../logger/logger.js';
import { invalidOption } from '../protocol/errors.js';

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export interface HttpLoggerOptions {
  /** The ringlog logger that writes the records (and that `req.log` is a child of). */
  logger: BaseLogger;
  /** Request header carrying the caller's request id (default `x-request-id`); `false`: always generate. */
  requestIdHeader?: string | false;
  /** Makes an id when the request brings none (default `crypto.randomUUID()`). */
  genReqId?: (req: IncomingMessage) => string;
  /** Sets the id on the response under `requestIdHeader` (default true). */
  setResponseHeader?: boolean;
  /** The context field that carries the id (default `reqId`). */
  idKey?: string;
  /** More context fields for the request, e.g. a tenant from a header. */
  contextFields?: (req: IncomingMessage) => Record<string, unknown>;
  /** Level of the request's record; default: error for 5xx or an error, warn for 4xx and aborted, else info. */
  level?: (req: IncomingMessage, res: ServerResponse, err: unknown) => Level;
  /** Paths (without the query) whose requests write no record: exact strings, RegExps, or a test. */
  exclude?: Array<string | RegExp> | ((req: IncomingMessage) => boolean);
  /** Fields added to the request's record. */
  customFields?: (req: IncomingMessage, res: ServerResponse) => Record<string, unknown>;
  /**
   * Writes `req.body` (as a body parser such as express.json() left it) into the record, as
   * `req.body`: its JSON cut to `maxBytes` (default 4096; cut text goes as a string with
   * `req.bodyTruncated: true`), after censoring `redact` paths (default: common secret keys).
   * Off by default.
   */
  body?: boolean | { maxBytes?: number; redact?: string[] };
}

/** A request handler with pino-http's `(req, res, next?)` shape. */
export interface HttpLogger {
  (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void): void;
  /** A node:http request listener that runs `handler` inside the request's context. */
  wrap<R extends IncomingMessage, S extends ServerResponse>(
    handler: (req: R, res: S) => unknown,
  ): (req: R, res: S) => void;
}

/** What ringlog/http sets on the request and response, as pino-http does. */
export interface LoggedRequest extends IncomingMessage {
  id: string;
  log: BaseLogger;
}

const DEFAULT_BODY_REDACT = [
  'password',
  '*.password',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'authorization',
  'apiKey',
  'accessToken',
  'refreshToken',
];
/** A request id we accept from a caller: visible ASCII, no quotes or backslashes, ≤ 128. */
const SAFE_ID = /^[!#-[\]-~]{1,128}$/;

// Per socket: bytes read and written when its previous request ended (keep-alive).
const kMark = Symbol('ringlog.http.mark');
type Marked = { [kMark]?: [number, number] };

/** What writing a request's record needs from its middleware's options. */
interface Config {
  levelOf: (req: IncomingMessage, res: ServerResponse, err: unknown) => Level;
  customFields: HttpLoggerOptions['customFields'];
  bodyOf: ((value: unknown) => { body: unknown; truncated: boolean }) | undefined;
}

// Per response: the request's state, found by the shared listeners below.
const kRequest = Symbol('ringlog.http.request');
type Tracked = ServerResponse & { [kRequest]?: RequestState; err?: unknown; log?: BaseLogger };

/** One request in flight: one object of one shape, instead of a closure per listener. */
class RequestState {
  done = false;
  failure: unknown = undefined;
  readonly url: string | undefined;
  constructor(
    readonly config: Config,
    readonly req: IncomingMessage,
    readonly start: bigint,
  ) {
    this.url = (req as { originalUrl?: string }).originalUrl ?? req.url;
  }
}

function onResponseFinish(this: ServerResponse): void {
  writeRecord(this as Tracked, false);
}
function onResponseClose(this: ServerResponse): void {
  writeRecord(this as Tracked, !this.writableFinished);
}
function onResponseError(this: ServerResponse, err: unknown): void {
  const state = (this as Tracked)[kRequest];
  if (state === undefined || state.done) return;
  state.failure = err;
  writeRecord(this as Tracked, true);
}

/** The request's one record, when its response finished or its connection closed first. */
function writeRecord(res: Tracked, aborted: boolean): void {
  const state = res[kRequest];
  if (state === undefined || state.done) return;
  state.done = true;
  // An error the response emits later is the app's again, as before the middleware ran.
  res.removeListener('error', onResponseError);
  const ms = Number(process.hrtime.bigint() - state.start) / 1e6;
  const { req, config } = state;
  const socket = req.socket as typeof req.socket & Marked;
  const read = socket.bytesRead ?? 0;
  const written = socket.bytesWritten ?? 0;
  // The socket's counters when its previous request ended: one pair per socket, reused.
  const mark = socket[kMark];
  let readBefore = 0;
  let writtenBefore = 0;
  if (mark === undefined) socket[kMark] = [read, written];
  else {
    readBefore = mark[0];
    writtenBefore = mark[1];
    mark[0] = read;
    mark[1] = written;
  }
  const err = state.failure ?? res.err;
  const reqFields: Record<string, unknown> = {
    method: req.method,
    url: state.url,
    remoteAddress: socket.remoteAddress,
    userAgent: req.headers['user-agent'],
    bytes: read - readBefore,
  };
  if (config.bodyOf !== undefined) {
    const body = (req as { body?: unknown }).body;
    if (body !== undefined) {
      const b = config.bodyOf(body);
      reqFields.body = b.body;
      if (b.truncated) reqFields.bodyTruncated = true;
    }
  }
  const rec: Record<string, unknown> = {
    req: reqFields,
    res: {
      statusCode: aborted && !res.headersSent ? undefined : res.statusCode,
      bytes: written - writtenBefore,
    },
    responseTime: Math.round(ms * 1000) / 1000,
  };
  if (aborted) rec.aborted = true;
  if (err !== undefined) rec.err = err;
  if (config.customFields !== undefined) Object.assign(rec, config.customFields(req, res));
  const level = aborted && err === undefined ? 'warn' : config.levelOf(req, res, err);
  if (level === 'silent') return;
  const log = (req as LoggedRequest).log;
  const method = (log as unknown as Record<string, (o: object, m: string) => void>)[level];
  if (typeof method !== 'function') return;
  method.call(
    log,
    rec,
    err !== undefined ? 'request errored' : aborted ? 'request aborted' : 'request completed',
  );
}

function defaultLevel(_req: IncomingMessage, res: ServerResponse, err: unknown): Level {
  if (err !== undefined || res.statusCode >= 500) return 'error';
  if (res.statusCode >= 400) return 'warn';
  return 'info';
}

function compileExclude(where: string, ex: HttpLoggerOptions['exclude']) {
  if (ex === undefined) return undefined;
  if (typeof ex === 'function') return ex;
  if (!Array.isArray(ex) || ex.some((p) => typeof p !== 'string' && !(p instanceof RegExp)))
    throw invalidOption(where, 'exclude', 'an array of paths and RegExps, or a function', ex);
  const exact = new Set(ex.filter((p): p is string => typeof p === 'string'));
  const patterns = ex.filter((p): p is RegExp => p instanceof RegExp);
  return (req: IncomingMessage) => {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    return exact.has(path) || patterns.some((re) => re.test(path));
  };
}

function compileBody(where: string, body: HttpLoggerOptions['body']) {
  if (body === undefined || body === false) return undefined;
  const o = body === true ? {} : body;
  if (o === null || typeof o !== 'object')
    throw invalidOption(where, 'body', 'true, false or { maxBytes, redact }', body);
  const maxBytes = o.maxBytes ?? 4096;
  if (!Number.isInteger(maxBytes) || maxBytes < 1)
    throw invalidOption(where, 'body.maxBytes', 'a positive integer', o.maxBytes);
  let redact: (v: unknown) => unknown;
  try {
    redact = redactor({
      paths: o.redact ?? DEFAULT_BODY_REDACT,
      censor: '[Redacted]',
      serialize: false,
      strict: false,
    }) as (v: unknown) => unknown;
  } catch (err) {
    throw invalidOption(
      where,
      'body.redact',
      `redaction paths (${(err as Error).message})`,
      o.redact,
    );
  }
  return (value: unknown): { body: unknown; truncated: boolean } => {
    let text: string | undefined;
    let clean: unknown;
    try {
      clean = value !== null && typeof value === 'object' ? redact(value) : value;
      text = JSON.stringify(clean);
    } catch (err) {
      return { body: `[body not serializable: ${(err as Error).message}]`, truncated: false };
    }
    if (text === undefined) return { body: undefined, truncated: false };
    if (Buffer.byteLength(text) <= maxBytes) return { body: clean, truncated: false };
    return { body: Buffer.from(text).subarray(0, maxBytes).toString(), truncated: true };
  };
}

/**
 * Logs one record per finished request and binds the request's id to everything logged while
 * it is handled.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { createLogger } from 'ringlog';
 * import { httpLogger } from 'ringlog/http';
 * const log = createLogger();
 * const app = express();
 * app.use(httpLogger({ logger: log }));
 * app.get('/', (req, res) => { req.log.info('hello'); res.send('ok'); });
 * ```
 */
export function httpLogger(options: HttpLoggerOptions): HttpLogger {
  const where = 'httpLogger';
  if (options === null || typeof options !== 'object')
    throw invalidOption(where, 'options', 'an object with a logger', options);
  const logger = options.logger;
  if (logger === null || typeof logger !== 'object' || typeof logger.child !== 'function')
    throw invalidOption(where, 'logger', 'a ringlog logger (createLogger())', logger);
  const header =
    options.requestIdHeader === false ? undefined : (options.requestIdHeader ?? 'x-request-id');
  if (header !== undefined && (typeof header !== 'string' || header === ''))
    throw invalidOption(where, 'requestIdHeader', 'a header name or false', header);
  const headerKey = header?.toLowerCase();
  const genReqId = options.genReqId;
  const setHeader = options.setResponseHeader !== false && header !== undefined;
  const idKey = options.idKey ?? 'reqId';
  // The context's fields as an object literal of one fixed shape, not a computed key each time.
  const idFields =
    idKey === 'reqId'
      ? (id: string): Record<string, unknown> => ({ reqId: id })
      : (id: string): Record<string, unknown> => ({ [idKey]: id });
  const contextFields = options.contextFields;
  const levelOf = options.level ?? defaultLevel;
  const excluded = compileExclude(where, options.exclude);
  const customFields = options.customFields;
  const bodyOf = compileBody(where, options.body);
  for (const k of ['genReqId', 'contextFields', 'level', 'customFields'] as const) {
    if (options[k] !== undefined && typeof options[k] !== 'function')
      throw invalidOption(where, k, 'a function', options[k]);
  }

  const config: Config = { levelOf, customFields, bodyOf };

  function begin(req: IncomingMessage, res: ServerResponse, run: () => unknown): void {
    const r = req as LoggedRequest;
    const s = res as ServerResponse & { log?: BaseLogger };
    if (excluded?.(req) === true) {
      r.log = s.log = logger;
      run();
      return;
    }
    const start = process.hrtime.bigint();
    const given = headerKey === undefined ? undefined : req.headers[headerKey];
    const id =
      typeof given === 'string' && SAFE_ID.test(given)
        ? given
        : genReqId === undefined
          ? randomUUID()
          : String(genReqId(req));
    r.id = id;
    if (setHeader) res.setHeader(header!, id);
    (res as Tracked)[kRequest] = new RequestState(config, req, start);
    // Shared listeners (module functions, `this` is the response): no closure per request.
    // 'finish' and 'close' stay (the response goes with the request; the second finds the
    // record written); 'error' is removed once the record is written.
    res.on('finish', onResponseFinish);
    res.on('close', onResponseClose);
    res.on('error', onResponseError);
    const fields: Record<string, unknown> =
      contextFields === undefined ? idFields(id) : { ...idFields(id), ...contextFields(req) };
    withContext(fields, () => {
      r.log = s.log = bindContext(logger);
      return run();
    });
  }

  const middleware = ((req, res, next) => {
    begin(req, res, next === undefined ? noop : next);
  }) as HttpLogger;
  middleware.wrap = (handler) => (req, res) => {
    begin(req, res, () => {
      try {
        const p = handler(req, res) as Promise<unknown> | undefined;
        if (p !== undefined && typeof (p as Promise<unknown>).then === 'function')
          (p as Promise<unknown>).catch((err) => fail(res, err));
      } catch (err) {
        fail(res, err);
      }
    });
  };
  return middleware;
}

function noop(): void {}

/** A handler of `wrap()` threw: record the error, answer 500 if nothing was sent. */
function fail(res: ServerResponse, err: unknown): void {
  (res as { err?: unknown }).err = err;
  if (!res.headersSent) {
    res.statusCode = 500;
    res.end();
  } else res.destroy();
}

/**
 * An Express error middleware that hands the error to the request's record (as `err`) and
 * passes it on: `app.use(httpErrors())` after the routes.
 */
export function httpErrors() {
  return (err: unknown, _req: IncomingMessage, res: ServerResponse, next: (e: unknown) => void) => {
    (res as { err?: unknown }).err = err;
    next(err);
  };
}
