/**
 * `{ type: 'syslog', ... }`: the options, their defaults, and their validation, turned into
 * the SyslogSpec the sink worker's syslog destination runs from (workers/destinations/syslog/syslog.ts).
 * Runs once per createLogger(), never per call.
 */

import { hostname as osHostname } from 'node:os';
import { optionalInt, rejectUnknownKeys } from '../../../src/config/validate.js';
import type { LevelTable } from '../../../src/logger/levels.js';
import { invalidOption } from '../../../src/protocol/errors.js';
import type { SyslogSpec } from '../../../src/protocol/messages.js';

export type SyslogFacilityName =
  | 'kern'
  | 'user'
  | 'mail'
  | 'daemon'
  | 'auth'
  | 'syslog'
  | 'lpr'
  | 'news'
  | 'uucp'
  | 'cron'
  | 'authpriv'
  | 'ftp'
  | 'ntp'
  | 'security'
  | 'console'
  | 'clock'
  | 'local0'
  | 'local1'
  | 'local2'
  | 'local3'
  | 'local4'
  | 'local5'
  | 'local6'
  | 'local7';

export type SyslogSeverityName =
  | 'emerg'
  | 'alert'
  | 'crit'
  | 'err'
  | 'error'
  | 'warning'
  | 'warn'
  | 'notice'
  | 'info'
  | 'debug';

export interface SyslogOptions {
  type: 'syslog';
  level?: string | number;
  /** Server host name or address (default '127.0.0.1'). */
  host?: string;
  /** Server port (default 514). */
  port?: number;
  /** 'tcp' (octet-counted frames, RFC 6587 §3.4.1; default) or 'udp' (one message a datagram). */
  protocol?: 'tcp' | 'udp';
  /** Facility name or number 0..23 (default 'user'). */
  facility?: SyslogFacilityName | number;
  /** APP-NAME (default: the record's "name" field, else the process title). */
  appName?: string;
  /** HOSTNAME (default os.hostname()). */
  hostname?: string;
  /** PROCID (default the process id). */
  procid?: string | number;
  /** MSGID: a fixed string, or `{ field }` to take it from a record field (default none). */
  msgid?: string | { field: string };
  /** Level name or number → severity name or number 0..7, over the defaults. */
  severity?: Record<string, SyslogSeverityName | number>;
  /** SD-ID of the element that carries the record's fields (default 'ringlog@32473'). */
  sdId?: string;
  /** Only these keys become SD-PARAMs (default: every key but level, time, the message, pid,
   * hostname and name). */
  fields?: string[];
  /** Write no STRUCTURED-DATA at all (default true: write it). */
  structuredData?: boolean;
  /** Key of the message in the record (default: the logger's messageKey). */
  messageKey?: string;
  /** 'msg' (default): MSG is the record's message; 'json': MSG is the whole JSON line. */
  msgFormat?: 'msg' | 'json';
  /** UDP: longer messages are cut to this many bytes and counted (default 2048). */
  maxDatagramBytes?: number;
  /** Bytes held while the server is away or slow; beyond, records are dropped (default 8 MiB). */
  bufferBytes?: number;
  /** Records held while the server is away or slow (default 100000). */
  bufferRecords?: number;
  /** First reconnect delay; doubles up to reconnectMaxMs, with jitter (default 100). */
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
  /** A TCP connect that takes longer fails and is retried (default 5000). */
  connectTimeoutMs?: number;
  /** Bound on the destination's flush(): it resolves then even if records are still held
   * (default 2000). */
  flushTimeoutMs?: number;
}

const WHERE = 'createLogger';

export const FACILITIES: Readonly<Record<SyslogFacilityName, number>> = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  authpriv: 10,
  ftp: 11,
  ntp: 12,
  security: 13,
  console: 14,
  clock: 15,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
};

export const SEVERITIES: Readonly<Record<SyslogSeverityName, number>> = {
  emerg: 0,
  alert: 1,
  crit: 2,
  err: 3,
  error: 3,
  warning: 4,
  warn: 4,
  notice: 5,
  info: 6,
  debug: 7,
};

/** pino's level numbers → severity; any other level takes the severity of the nearest
 * level below it that has one. */
export const DEFAULT_SEVERITY_BY_LEVEL: Readonly<Record<number, number>> = {
  10: 7,
  20: 7,
  30: 6,
  40: 4,
  50: 3,
  60: 2,
};

export const DEFAULT_SD_ID = 'ringlog@32473';
export const DEFAULT_EXCLUDED_FIELDS = ['level', 'time', 'pid', 'hostname', 'name'];

// RFC 5424 §6: PRINTUSASCII is %d33-126; an SD-NAME also excludes '=', ' ', ']' and '"'.
// An SD-ID without '@' is reserved for IANA-registered names, so ours takes the form
// name@<private enterprise number> (§7.2.2); its name part holds no '@'.
const PRINTUSASCII = /^[\x21-\x7e]+$/;
const SD_ID = /^[\x21\x23-\x3c\x3e-\x3f\x41-\x5c\x5e-\x7e]+@[0-9]+(?:\.[0-9]+)*$/;

function headerField(name: string, v: unknown, max: number): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max || !PRINTUSASCII.test(v)) {
    throw invalidOption(WHERE, name, `1 to ${max} printable US-ASCII characters, no spaces`, v);
  }
  return v;
}

/** Replaces what a header field may not hold with '_' and cuts it to `max` characters. */
export function sanitizeHeaderField(s: string, max: number): string {
  const clean = s.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return clean.length === 0 ? '-' : clean;
}

function resolveFacility(name: string, v: unknown): number {
  if (v === undefined) return FACILITIES.user;
  if (typeof v === 'string' && Object.hasOwn(FACILITIES, v)) {
    return FACILITIES[v as SyslogFacilityName];
  }
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 23) return v;
  throw invalidOption(WHERE, name, `a facility name (user, daemon, local0..local7, …) or 0..23`, v);
}

function resolveSeverities(table: LevelTable, name: string, v: unknown): number[] {
  const byLevel = new Map<number, number>();
  for (const [level, sev] of Object.entries(DEFAULT_SEVERITY_BY_LEVEL))
    byLevel.set(Number(level), sev);
  if (v !== undefined) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      throw invalidOption(WHERE, name, 'an object of level → severity', v);
    }
    for (const [key, sev] of Object.entries(v as Record<string, unknown>)) {
      const level = Object.hasOwn(table.values, key) ? table.values[key] : Number(key);
      if (level === undefined || !Number.isInteger(level) || level < 0 || level > 255) {
        throw invalidOption(WHERE, `${name} key`, 'a level name or a number 0..255', key);
      }
      let s: number | undefined;
      if (typeof sev === 'string' && Object.hasOwn(SEVERITIES, sev)) {
        s = SEVERITIES[sev as SyslogSeverityName];
      } else if (typeof sev === 'number' && Number.isInteger(sev) && sev >= 0 && sev <= 7) {
        s = sev;
      }
      if (s === undefined) {
        throw invalidOption(
          WHERE,
          `${name}.${key}`,
          'a severity name (emerg alert crit err warning notice info debug) or 0..7',
          sev,
        );
      }
      byLevel.set(level, s);
    }
  }
  const levels = [...byLevel.keys()].sort((a, b) => a - b);
  const out = new Array<number>(256);
  // Below the lowest mapped level: that level's severity (debug by default).
  let current = byLevel.get(levels[0]!)!;
  for (let n = 0; n < 256; n++) {
    const s = byLevel.get(n);
    if (s !== undefined) current = s;
    out[n] = current;
  }
  return out;
}

const KNOWN_KEYS = new Set([
  'type',
  'level',
  'host',
  'port',
  'protocol',
  'facility',
  'appName',
  'hostname',
  'procid',
  'msgid',
  'severity',
  'sdId',
  'fields',
  'structuredData',
  'messageKey',
  'msgFormat',
  'maxDatagramBytes',
  'bufferBytes',
  'bufferRecords',
  'reconnectInitialMs',
  'reconnectMaxMs',
  'connectTimeoutMs',
  'flushTimeoutMs',
]);

/** Validates `{ type: 'syslog', ... }` (`name` is its place, e.g. "destination[1]"). */
export function resolveSyslogDestination(
  table: LevelTable,
  o: Record<string, unknown>,
  name: string,
  minLevel: number,
  loggerMessageKey = 'msg',
): SyslogSpec {
  rejectUnknownKeys(WHERE, name, o, KNOWN_KEYS, 'not a syslog option');
  const host = o.host === undefined ? '127.0.0.1' : o.host;
  if (typeof host !== 'string' || host.length === 0) {
    throw invalidOption(WHERE, `${name}.host`, 'a non-empty string', host);
  }
  const protocol = o.protocol ?? 'tcp';
  if (protocol !== 'tcp' && protocol !== 'udp') {
    throw invalidOption(WHERE, `${name}.protocol`, '"tcp" or "udp"', protocol);
  }
  let msgid: SyslogSpec['msgid'] = { value: '-' };
  if (typeof o.msgid === 'string') {
    msgid = { value: headerField(`${name}.msgid`, o.msgid, 32) };
  } else if (o.msgid !== undefined) {
    const f = (o.msgid as { field?: unknown } | null)?.field;
    if (typeof f !== 'string' || f.length === 0) {
      throw invalidOption(WHERE, `${name}.msgid`, 'a string or { field: "<record key>" }', o.msgid);
    }
    msgid = { field: f };
  }
  const sdId = o.sdId ?? DEFAULT_SD_ID;
  if (typeof sdId !== 'string' || sdId.length > 32 || !SD_ID.test(sdId)) {
    throw invalidOption(
      WHERE,
      `${name}.sdId`,
      'an SD-ID: name@<enterprise number>, at most 32 printable US-ASCII characters without = ] " or space',
      sdId,
    );
  }
  let fields: string[] | null = null;
  if (o.fields !== undefined) {
    if (!Array.isArray(o.fields) || o.fields.some((f) => typeof f !== 'string')) {
      throw invalidOption(WHERE, `${name}.fields`, 'an array of record keys', o.fields);
    }
    fields = [...(o.fields as string[])];
  }
  const messageKey = o.messageKey ?? loggerMessageKey;
  if (typeof messageKey !== 'string' || messageKey.length === 0) {
    throw invalidOption(WHERE, `${name}.messageKey`, 'a non-empty string', messageKey);
  }
  const msgFormat = o.msgFormat ?? 'msg';
  if (msgFormat !== 'msg' && msgFormat !== 'json') {
    throw invalidOption(WHERE, `${name}.msgFormat`, '"msg" or "json"', msgFormat);
  }
  const structuredData = o.structuredData ?? true;
  if (typeof structuredData !== 'boolean') {
    throw invalidOption(WHERE, `${name}.structuredData`, 'true or false', structuredData);
  }
  const procid =
    o.procid === undefined
      ? String(process.pid)
      : headerField(
          `${name}.procid`,
          typeof o.procid === 'number' ? String(o.procid) : o.procid,
          128,
        );
  const reconnectInitialMs = optionalInt(
    WHERE,
    `${name}.reconnectInitialMs`,
    o.reconnectInitialMs,
    100,
    1,
    3_600_000,
  );
  return {
    kind: 'syslog',
    minLevel,
    host,
    port: optionalInt(WHERE, `${name}.port`, o.port, 514, 1, 65535),
    protocol,
    facility: resolveFacility(`${name}.facility`, o.facility),
    appName: o.appName === undefined ? null : headerField(`${name}.appName`, o.appName, 48),
    hostname:
      o.hostname === undefined
        ? sanitizeHeaderField(osHostname(), 255)
        : headerField(`${name}.hostname`, o.hostname, 255),
    procid,
    msgid,
    severityByLevel: resolveSeverities(table, `${name}.severity`, o.severity),
    sdId,
    fields,
    excludeFields: [...DEFAULT_EXCLUDED_FIELDS, messageKey],
    structuredData,
    messageKey,
    msgFormat,
    maxDatagramBytes: optionalInt(
      WHERE,
      `${name}.maxDatagramBytes`,
      o.maxDatagramBytes,
      2048,
      480,
      65507,
    ),
    bufferBytes: optionalInt(
      WHERE,
      `${name}.bufferBytes`,
      o.bufferBytes,
      8 << 20,
      1024,
      2 ** 31 - 1,
    ),
    bufferRecords: optionalInt(
      WHERE,
      `${name}.bufferRecords`,
      o.bufferRecords,
      100_000,
      1,
      2 ** 31 - 1,
    ),
    reconnectInitialMs,
    reconnectMaxMs: optionalInt(
      WHERE,
      `${name}.reconnectMaxMs`,
      o.reconnectMaxMs,
      Math.max(30_000, reconnectInitialMs),
      reconnectInitialMs,
      3_600_000,
    ),
    connectTimeoutMs: optionalInt(
      WHERE,
      `${name}.connectTimeoutMs`,
      o.connectTimeoutMs,
      5000,
      1,
      600_000,
    ),
    flushTimeoutMs: optionalInt(
      WHERE,
      `${name}.flushTimeoutMs`,
      o.flushTimeoutMs,
      2000,
      0,
      600_000,
    ),
  };
}
