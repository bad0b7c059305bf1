/**
 * One NDJSON line turned into one RFC 5424 message:
 *
 *   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD-ID PARAM="VALUE" ...] MSG
 *
 * The line is parsed with JSON.parse: this runs in the sink worker, never on the application
 * thread, and the record's level, time, message and fields are what the header and the
 * STRUCTURED-DATA are made of. A line that is not a JSON object is sent whole as MSG at
 * severity info. No BOM is written before MSG (RFC 5424 §6.4 allows MSG-ANY).
 */
import type { SyslogSpec } from '../../../src/protocol/messages.js';

const NIL = '-';
// RFC 5424 §6.3.3: inside PARAM-VALUE, '"', '\' and ']' MUST be escaped with '\'.
const PARAM_VALUE_ESCAPE = /["\\\]]/g;
// SD-NAME (PARAM-NAME): PRINTUSASCII except '=', ' ', ']', '"'; at most 32 characters.
const NOT_SD_NAME = /[^\x21\x23-\x3c\x3e-\x5c\x5e-\x7e]/g;
const NOT_PRINTUSASCII = /[^\x21-\x7e]/g;
const MAX_PARAM_NAME = 32;
const MAX_CACHED_KEYS = 4096;
// Longer keys are never cached: the cache is bounded in bytes as well as in entries.
const MAX_CACHED_KEY_CHARS = 256;
// `time` below this is taken as seconds since 1970 (timestamp: 'unix'), above as ms.
const SECONDS_LIMIT = 1e11;

const NEEDS_ESCAPE = /["\\\]]/;

export function escapeParamValue(s: string): string {
  // Most values need no escape: a test without the g flag is ~5x cheaper than a replace.
  return NEEDS_ESCAPE.test(s) ? s.replace(PARAM_VALUE_ESCAPE, '\\$&') : s;
}

/** Each character a PARAM-NAME may not hold becomes '_', then it is cut to 32 characters;
 * an empty key gives '' (the caller drops the param). */
export function sanitizeParamName(key: string): string {
  return key.replace(NOT_SD_NAME, '_').slice(0, MAX_PARAM_NAME);
}

export function sanitizeHeader(s: string, max: number): string {
  const clean = s.replace(NOT_PRINTUSASCII, '_').slice(0, max);
  return clean.length === 0 ? NIL : clean;
}

function paramValue(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === undefined) return undefined;
  // The sink's records came out of JSON.parse: JSON.stringify cannot throw on them.
  return JSON.stringify(v);
}

// Records come many to a millisecond: the text of the last one is kept.
let lastMs = Number.NaN;
let lastText = NIL;

/** RFC 3339 with milliseconds in UTC, or NIL for a time a 4-digit year cannot hold. */
export function formatTimestamp(time: unknown, now: number): string {
  let ms = now;
  if (typeof time === 'number' && Number.isFinite(time)) {
    ms = time < SECONDS_LIMIT ? time * 1000 : time;
  } else if (typeof time === 'string') {
    const parsed = Date.parse(time);
    if (!Number.isNaN(parsed)) ms = parsed;
  }
  if (ms === lastMs) return lastText;
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  lastMs = ms;
  lastText = Number.isNaN(year) || year < 0 || year > 9999 ? NIL : d.toISOString();
  return lastText;
}

/** Formats one line. `parts` tells where, in the last message formatted, STRUCTURED-DATA
 * and MSG start (character offsets; msgStart is the length when there is no MSG). */
export type SyslogFormatter = ((line: string, now: number) => string) & {
  readonly parts: { sdStart: number; msgStart: number };
};

export function createSyslogFormatter(spec: SyslogSpec): SyslogFormatter {
  const facility8 = spec.facility * 8;
  const { severityByLevel, sdId, fields, messageKey, msgFormat, structuredData } = spec;
  const excluded = new Set(spec.excludeFields);
  const hostAndAfter = ` ${spec.hostname} `;
  const procid = spec.procid;
  const defaultApp = sanitizeHeader(process.title.split('/').pop() ?? 'node', 48);
  // A logger's "name" repeats on every record: keep its sanitized form.
  let lastName = '';
  let lastApp = defaultApp;
  const staticMsgid = 'value' in spec.msgid ? spec.msgid.value : null;
  const msgidField = 'field' in spec.msgid ? spec.msgid.field : '';

  function appName(rec: Record<string, unknown>): string {
    if (spec.appName !== null) return spec.appName;
    const n = rec.name;
    if (typeof n !== 'string' || n.length === 0) return defaultApp;
    if (n !== lastName) {
      lastName = n;
      lastApp = sanitizeHeader(n, 48);
    }
    return lastApp;
  }

  function msgid(rec: Record<string, unknown>): string {
    if (staticMsgid !== null) return staticMsgid;
    const v = rec[msgidField];
    if (typeof v === 'string' && v.length > 0) return sanitizeHeader(v, 32);
    if (typeof v === 'number' || typeof v === 'boolean') return sanitizeHeader(String(v), 32);
    return NIL;
  }

  // Record keys repeat from record to record: ' name="' per key, bounded like the
  // serializer's key cache.
  const paramPrefixes = new Map<string, string>();

  function param(key: string, v: unknown): string {
    const value = paramValue(v);
    if (value === undefined) return '';
    let prefix = paramPrefixes.get(key);
    if (prefix === undefined) {
      const name = sanitizeParamName(key);
      prefix = name.length === 0 ? '' : ` ${name}="`;
      if (paramPrefixes.size < MAX_CACHED_KEYS && key.length <= MAX_CACHED_KEY_CHARS)
        paramPrefixes.set(key, prefix);
    }
    if (prefix.length === 0) return '';
    return `${prefix}${escapeParamValue(value)}"`;
  }

  function sd(rec: Record<string, unknown>): string {
    if (!structuredData) return NIL;
    let params = '';
    if (fields !== null) {
      for (const k of fields) if (Object.hasOwn(rec, k)) params += param(k, rec[k]);
    } else {
      for (const k in rec) if (!excluded.has(k)) params += param(k, rec[k]);
    }
    return params.length === 0 ? NIL : `[${sdId}${params}]`;
  }

  const parts = { sdStart: 0, msgStart: 0 };

  const format = (line: string, now: number): string => {
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      rec = undefined;
    }
    if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) {
      const head = `<${facility8 + 6}>1 ${formatTimestamp(undefined, now)}${hostAndAfter}${defaultApp} ${procid} ${staticMsgid ?? NIL} `;
      parts.sdStart = head.length;
      parts.msgStart = head.length + 2;
      return `${head}- ${line}`;
    }
    const r = rec as Record<string, unknown>;
    const level = r.level;
    const severity =
      typeof level === 'number' && level >= 0 && level <= 255
        ? severityByLevel[Math.floor(level)]!
        : 6;
    let msg: string | undefined;
    if (msgFormat === 'json') msg = line;
    else {
      const m = r[messageKey];
      msg = typeof m === 'string' ? m : m === undefined ? undefined : JSON.stringify(m);
    }
    const header = `<${facility8 + severity}>1 ${formatTimestamp(r.time, now)}${hostAndAfter}${appName(r)} ${procid} ${msgid(r)} `;
    const head = header + sd(r);
    parts.sdStart = header.length;
    if (msg === undefined) {
      parts.msgStart = head.length;
      return head;
    }
    parts.msgStart = head.length + 1;
    return `${head} ${msg}`;
  };
  return Object.assign(format, { parts });
}

/**
 * `text` (just formatted by `f`) within `max` bytes: MSG is cut first (never inside a UTF-8
 * character); if the header and STRUCTURED-DATA alone do not fit, STRUCTURED-DATA becomes '-'
 * so the message stays well-formed, and only a header longer than `max` is itself cut.
 */
export function fitDatagram(f: SyslogFormatter, text: string, max: number): Buffer {
  const buf = Buffer.from(text);
  if (buf.length <= max) return buf;
  const { sdStart, msgStart } = f.parts;
  if (Buffer.byteLength(text.slice(0, msgStart)) < max) return truncateUtf8(buf, max);
  const msg = msgStart < text.length ? text.slice(msgStart) : undefined;
  const noSd = `${text.slice(0, sdStart)}-${msg === undefined ? '' : ` ${msg}`}`;
  return truncateUtf8(Buffer.from(noSd), max);
}

/** The longest prefix of `buf` within `max` bytes that does not cut a UTF-8 sequence. */
export function truncateUtf8(buf: Buffer, max: number): Buffer {
  if (buf.length <= max) return buf;
  let end = max;
  // Step back over continuation bytes (10xxxxxx) to the start of the cut character.
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(0, end);
}
