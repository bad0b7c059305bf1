/**
 * Sampling of records below a level (warn by default): a fixed rate, per message or per call
 * site, deterministic by trace id when the record has one; and adaptive sampling, which keeps
 * at most N records per window per message, always the first, and reports how many it left
 * out on the next record of that message it keeps.
 */
import { any, checkTable, int, num, oneOf, record, str, table } from '../config/validate.js';
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

const rate = num({ min: 0, max: 1 });

const SAMPLING_OPTIONS = table('an option of sampling', {
  rate: num({ min: 0, max: 1, default: 1 }),
  rates: record(rate, { default: {} }),
  adaptive: table(
    'an option of sampling.adaptive',
    { perWindow: int({ required: true }), windowMs: int({ default: 1000 }) },
    { optional: true },
  ),
  by: oneOf(['message', 'callsite'], { default: 'message' }),
  traceIdKey: str({ default: 'traceId' }),
  level: any<string | number>(),
});

export function resolveSampling(table: LevelTable, where: string, v: unknown): Sampler | undefined {
  if (v === undefined || v === false) return undefined;
  const o = checkTable(SAMPLING_OPTIONS, v, { where, name: 'sampling' });
  const maxLevel = levelThreshold(table, o.level ?? 'warn');
  if (maxLevel === undefined)
    throw invalidOption(where, 'sampling.level', 'a level name or number', o.level);
  return new Sampler({
    rate: o.rate,
    rates: new Map(Object.entries(o.rates)),
    perWindow: o.adaptive?.perWindow ?? 0,
    windowMs: o.adaptive?.windowMs ?? 1000,
    traceIdKey: o.traceIdKey,
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
