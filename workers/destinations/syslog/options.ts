/**
 * `{ type: 'syslog', ... }`: the options, their defaults, and their validation, turned into
 * the SyslogSpec the sink worker's syslog destination runs from (workers/destinations/syslog/syslog.ts).
 * Runs once per createLogger(), never per call.
 */

import { hostname as osHostname } from 'node:os';
import {
  COMMON_FIELDS,
  type DestinationKind,
  type Plain,
  type ResolveContext,
  resolveWithKind,
  type SpecBase,
} from '../../../src/config/destination-kind.js';
import {
  type At,
  any,
  bool,
  custom,
  either,
  int,
  list,
  oneOf,
  type Resolved,
  str,
  table,
} from '../../../src/config/validate.js';
import type { LevelTable } from '../../../src/logger/levels.js';
import { invalidOption } from '../../../src/protocol/errors.js';

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

/** A syslog destination, resolved and validated here. */
export interface SyslogSpec extends SpecBase {
  kind: 'syslog';
  host: string;
  port: number;
  protocol: 'tcp' | 'udp';
  /** 0..23. */
  facility: number;
  /** Static APP-NAME, or null: the record's "name" field, else the process title. */
  appName: string | null;
  hostname: string;
  procid: string;
  /** Static MSGID ('-' for none), or the record field it is taken from. */
  msgid: { value: string } | { field: string };
  /** Severity (0..7) for each level number 0..255. */
  severityByLevel: number[];
  /** SD-ID of the element carrying the record's fields. */
  sdId: string;
  /** Keys written as SD-PARAMs: null = every key not in excludeFields. */
  fields: string[] | null;
  excludeFields: string[];
  structuredData: boolean;
  messageKey: string;
  /** 'msg': MSG is the record's message; 'json': MSG is the whole NDJSON line. */
  msgFormat: 'msg' | 'json';
  maxDatagramBytes: number;
  bufferBytes: number;
  bufferRecords: number;
  reconnectInitialMs: number;
  reconnectMaxMs: number;
  connectTimeoutMs: number;
  flushTimeoutMs: number;
}

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

/** A header field: 1 to `max` printable US-ASCII characters (RFC 5424 §6). */
function headerField(max: number) {
  return str({
    pattern: PRINTUSASCII,
    expected: `1 to ${max} printable US-ASCII characters, no spaces`,
  });
}

function checkLength(at: At, key: string, v: string | undefined, max: number): void {
  if (v !== undefined && v.length > max) {
    throw invalidOption(
      at.where,
      `${at.name}.${key}`,
      `1 to ${max} printable US-ASCII characters, no spaces`,
      v,
    );
  }
}

/** Replaces what a header field may not hold with '_' and cuts it to `max` characters. */
export function sanitizeHeaderField(s: string, max: number): string {
  const clean = s.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return clean.length === 0 ? '-' : clean;
}

const facilityRule = custom(
  'a facility name (user, daemon, local0..local7, …) or 0..23',
  (v) =>
    typeof v === 'string' && Object.hasOwn(FACILITIES, v)
      ? FACILITIES[v as SyslogFacilityName]
      : typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 23
        ? v
        : undefined,
  { default: FACILITIES.user },
);

function resolveSeverities(table: LevelTable, at: At, v: unknown): number[] {
  const { where: WHERE, name } = at;
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

const FIELDS = {
  ...COMMON_FIELDS,
  host: str({ default: '127.0.0.1' }),
  port: int({ min: 1, max: 65535, default: 514 }),
  protocol: oneOf(['tcp', 'udp'], { default: 'tcp' }),
  facility: facilityRule,
  appName: headerField(48),
  hostname: headerField(255),
  procid: either(headerField(128), int({ min: 0 })),
  msgid: either(headerField(32), table('an option of msgid', { field: str({ required: true }) })),
  severity: any(),
  sdId: str({
    default: DEFAULT_SD_ID,
    pattern: SD_ID,
    expected:
      'an SD-ID: name@<enterprise number>, at most 32 printable US-ASCII characters without = ] " or space',
  }),
  fields: list(str({ empty: true })),
  structuredData: bool({ default: true }),
  messageKey: str(),
  msgFormat: oneOf(['msg', 'json'], { default: 'msg' }),
  maxDatagramBytes: int({ min: 480, max: 65507, default: 2048 }),
  bufferBytes: int({ min: 1024, max: 2 ** 31 - 1, default: 8 << 20 }),
  bufferRecords: int({ min: 1, max: 2 ** 31 - 1, default: 100_000 }),
  reconnectInitialMs: int({ min: 1, max: 3_600_000, default: 100 }),
  /** Default: 30 s, or reconnectInitialMs when that is longer. */
  reconnectMaxMs: int({ min: 1, max: 3_600_000 }),
  connectTimeoutMs: int({ min: 1, max: 600_000, default: 5000 }),
  flushTimeoutMs: int({ min: 0, max: 600_000, default: 2000 }),
};

/** Counters of a syslog destination beyond the common four (UDP messages cut). */
export const SYSLOG_EXTRA_STATS = ['truncated'] as const;

function resolveSyslog(o: Resolved<typeof FIELDS>, ctx: ResolveContext): Plain<SyslogSpec> {
  const { at } = ctx;
  checkLength(at, 'appName', o.appName, 48);
  checkLength(at, 'hostname', o.hostname, 255);
  const procid = typeof o.procid === 'number' ? String(o.procid) : o.procid;
  checkLength(at, 'procid', procid, 128);
  if (typeof o.msgid === 'string') checkLength(at, 'msgid', o.msgid, 32);
  if (o.sdId.length > 32) {
    throw invalidOption(at.where, `${at.name}.sdId`, FIELDS.sdId.expected, o.sdId);
  }
  const reconnectMaxMs = o.reconnectMaxMs ?? Math.max(30_000, o.reconnectInitialMs);
  if (reconnectMaxMs < o.reconnectInitialMs) {
    throw invalidOption(
      at.where,
      `${at.name}.reconnectMaxMs`,
      `an integer in ${o.reconnectInitialMs}..3600000 (at least reconnectInitialMs)`,
      reconnectMaxMs,
    );
  }
  const messageKey = o.messageKey ?? ctx.messageKey;
  return {
    kind: 'syslog',
    minLevel: ctx.minLevel,
    host: o.host,
    port: o.port,
    protocol: o.protocol,
    facility: o.facility,
    appName: o.appName ?? null,
    hostname: o.hostname ?? sanitizeHeaderField(osHostname(), 255),
    procid: procid ?? String(process.pid),
    msgid:
      o.msgid === undefined
        ? { value: '-' }
        : typeof o.msgid === 'string'
          ? { value: o.msgid }
          : { field: o.msgid.field },
    severityByLevel: resolveSeverities(
      ctx.levels,
      { where: at.where, name: `${at.name}.severity` },
      o.severity,
    ),
    sdId: o.sdId,
    fields: o.fields === undefined ? null : [...o.fields],
    excludeFields: [...DEFAULT_EXCLUDED_FIELDS, messageKey],
    structuredData: o.structuredData,
    messageKey,
    msgFormat: o.msgFormat,
    maxDatagramBytes: o.maxDatagramBytes,
    bufferBytes: o.bufferBytes,
    bufferRecords: o.bufferRecords,
    reconnectInitialMs: o.reconnectInitialMs,
    reconnectMaxMs,
    connectTimeoutMs: o.connectTimeoutMs,
    flushTimeoutMs: o.flushTimeoutMs,
  };
}

export const syslogKind = {
  types: ['syslog'],
  options: table('a syslog option', FIELDS),
  resolve: resolveSyslog,
  name: (spec: Plain<SyslogSpec>) => `syslog:${spec.protocol}://${spec.host}:${spec.port}`,
  extraStats: SYSLOG_EXTRA_STATS,
} as const satisfies DestinationKind<SyslogSpec, Resolved<typeof FIELDS>>;

/** `{ type: 'syslog', ... }` at `name` (e.g. "destination[1]") resolved on its own. */
export function resolveSyslogDestination(
  levels: LevelTable,
  o: Record<string, unknown>,
  name: string,
  minLevel: number,
  messageKey = 'msg',
): SyslogSpec {
  const at = { where: 'createLogger', name };
  return resolveWithKind(syslogKind, o, { at, levels, minLevel, messageKey, errorKey: 'err' });
}
