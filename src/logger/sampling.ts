/**
 * Sampling of records below a level (warn by default): a fixed rate, per message or per call
 * site, deterministic by trace id when the record has one; and adaptive sampling, which keeps
 * at most N records per window per message, always the first, and reports how many it left
 * out on the next record of that message it keeps.
 */
import { invalidOption } from '../protocol/errors.js';
import { type LevelTable, levelThreshold } from './levels.js';

export interface SamplingOptions {
  /** Fraction of records kept, 0..1 (default 1: rate sampling off). */
  rate?: number;
  /** Rates for particular keys (message templates or call sites), overriding `rate`. */
  rates?: Record<string, number>;
  /** At most `perWindow` records per key in each window of `windowMs` (default 1000 ms). */
  adaptive?: { perWindow: number; windowMs?: number };
  /** What a key is: the message as written in the call, before `%s` arguments
   * ('message', default), or the call site (file:line:column; costs a stack capture). */
  by?: 'message' | 'callsite';
  /** A field holding a trace id: records with one are kept or dropped by its hash, so a
   * trace is kept whole or not at all (default 'traceId'). */
  traceIdKey?: string;
  /** Records at or above this level are never sampled (default 'warn'). */
  level?: string | number;
}

/** Keys tracked at once, and their total characters (2 MB at most: messages are user data
 * and may be long); records with further keys share one state. */
const MAX_KEYS = 10_000;
const MAX_KEY_CHARS = 1 << 20;
const OVERFLOW = '\0overflow';

interface KeyState {
  windowStart: number;
  inWindow: number;
  /** Left out since the last record of this key that was kept. */
  skipped: number;
}

/** FNV-1a over the UTF-16 code units: a stable 32-bit hash of a trace id. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class Sampler {
  readonly byCallsite: boolean;
  readonly maxLevel: number;
  /** Records left out so far, all keys. */
  sampledOut = 0;
  private readonly rate: number;
  private readonly rates: Map<string, number>;
  private readonly perWindow: number;
  private readonly windowMs: number;
  private readonly traceIdKey: string;
  private readonly keys = new Map<string, KeyState>();
  private keyChars = 0;
  now: () => number = Date.now;

  constructor(
    o: Required<Pick<SamplingOptions, 'rate' | 'traceIdKey'>> & {
      rates: Map<string, number>;
      perWindow: number;
      windowMs: number;
      byCallsite: boolean;
      maxLevel: number;
    },
  ) {
    this.rate = o.rate;
    this.rates = o.rates;
    this.perWindow = o.perWindow;
    this.windowMs = o.windowMs;
    this.traceIdKey = o.traceIdKey;
    this.byCallsite = o.byCallsite;
    this.maxLevel = o.maxLevel;
  }

  /**
   * -1: leave the record out. Otherwise the number of records of this key left out since
   * the last one kept (0 mostly), for the record to report.
   */
  decide(key: string, fields: object | undefined): number {
    let first = false;
    let state = this.keys.get(key);
    if (state === undefined) {
      if (this.keys.size >= MAX_KEYS || this.keyChars + key.length > MAX_KEY_CHARS) key = OVERFLOW;
      state = this.keys.get(key);
      if (state === undefined) {
        state = { windowStart: this.now(), inWindow: 0, skipped: 0 };
        this.keys.set(key, state);
        this.keyChars += key.length;
        first = true;
      }
    }
    if (this.perWindow > 0) {
      const now = this.now();
      if (now - state.windowStart >= this.windowMs) {
        state.windowStart = now;
        state.inWindow = 0;
      }
      if (state.inWindow >= this.perWindow) return this.skip(state);
    }
    const rate = this.rates.get(key) ?? this.rate;
    if (rate < 1) {
      const id = this.traceIdOf(fields);
      // A traced record is decided by its trace alone, the first of its key too, so that a
      // trace is kept or dropped whole; an untraced key always keeps its first record.
      if (id !== undefined) {
        if (hash32(id) / 0x1_0000_0000 >= rate) return this.skip(state);
      } else if (!first && Math.random() >= rate) return this.skip(state);
    }
    state.inWindow++;
    const skipped = state.skipped;
    state.skipped = 0;
    return skipped;
  }

  private traceIdOf(fields: object | undefined): string | undefined {
    if (fields === undefined) return undefined;
    try {
      const id = (fields as Record<string, unknown>)[this.traceIdKey];
      return typeof id === 'string' && id.length > 0 ? id : undefined;
    } catch {
      return undefined;
    }
  }

  private skip(state: KeyState): number {
    state.skipped++;
    this.sampledOut++;
    return -1;
  }
}

function rateOf(where: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !(v >= 0 && v <= 1))
    throw invalidOption(where, name, 'a number in 0..1', v);
  return v;
}

export function resolveSampling(table: LevelTable, where: string, v: unknown): Sampler | undefined {
  if (v === undefined || v === false) return undefined;
  if (v === null || typeof v !== 'object')
    throw invalidOption(
      where,
      'sampling',
      '{ rate?, rates?, adaptive?, by?, traceIdKey?, level? }',
      v,
    );
  const o = v as SamplingOptions;
  const rate = o.rate === undefined ? 1 : rateOf(where, 'sampling.rate', o.rate);
  const rates = new Map<string, number>();
  if (o.rates !== undefined) {
    if (o.rates === null || typeof o.rates !== 'object')
      throw invalidOption(where, 'sampling.rates', 'an object of key → rate', o.rates);
    for (const [k, r] of Object.entries(o.rates))
      rates.set(k, rateOf(where, `sampling.rates["${k}"]`, r));
  }
  let perWindow = 0;
  let windowMs = 1000;
  if (o.adaptive !== undefined) {
    const a = o.adaptive;
    if (a === null || typeof a !== 'object' || !Number.isInteger(a.perWindow) || a.perWindow < 1)
      throw invalidOption(where, 'sampling.adaptive.perWindow', 'an integer >= 1', a?.perWindow);
    perWindow = a.perWindow;
    if (a.windowMs !== undefined) {
      if (!Number.isInteger(a.windowMs) || a.windowMs < 1)
        throw invalidOption(where, 'sampling.adaptive.windowMs', 'an integer >= 1', a.windowMs);
      windowMs = a.windowMs;
    }
  }
  if (o.by !== undefined && o.by !== 'message' && o.by !== 'callsite')
    throw invalidOption(where, 'sampling.by', '"message" or "callsite"', o.by);
  const traceIdKey = o.traceIdKey ?? 'traceId';
  if (typeof traceIdKey !== 'string' || traceIdKey.length === 0)
    throw invalidOption(where, 'sampling.traceIdKey', 'a non-empty string', o.traceIdKey);
  const maxLevel = levelThreshold(table, o.level ?? 'warn');
  if (maxLevel === undefined)
    throw invalidOption(where, 'sampling.level', 'a level name or number', o.level);
  return new Sampler({
    rate,
    rates,
    perWindow,
    windowMs,
    traceIdKey,
    byCallsite: o.by === 'callsite',
    maxLevel,
  });
}

/** The caller of `fn` as "file:line:column", from a one-frame stack capture. */
export function callSite(fn: (...args: never[]) => unknown): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 1;
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, fn);
  Error.stackTraceLimit = limit;
  const frame = holder.stack ?? '';
  const nl = frame.indexOf('\n');
  const line = nl < 0 ? frame : frame.slice(nl + 1).trim();
  const open = line.lastIndexOf('(');
  return open < 0 ? line.replace(/^at /, '') : line.slice(open + 1, -1);
}
