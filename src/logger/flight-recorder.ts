/**
 * The flight recorder: the last N records below the logger's level (down to its own level,
 * e.g. debug while the logger logs info), kept as finished lines in a bounded ring on the
 * application thread. When a record at the trigger level (error by default) is logged, or on
 * demand, they are written before it, oldest first, each marked `"flightRecorder":true`.
 */
import { any, checkTable, int, table } from '../config/validate.js';
import { invalidOption } from '../protocol/errors.js';
import { type LevelTable, levelThreshold } from './levels.js';

export interface FlightRecorderOptions {
  /** Lowest level kept (default 'debug'). */
  level?: string | number;
  /** Records kept; the oldest is overwritten beyond this (default 1000). */
  size?: number;
  /** A record at or above this level writes the kept records first (default 'error'). */
  triggerLevel?: string | number;
}

const MARK = ',"flightRecorder":true}\n';
const EMPTY_MARKED = '{"flightRecorder":true}\n';

export class FlightRecorder {
  readonly minLevel: number;
  readonly triggerLevel: number;
  /** Records written out so far. */
  dumped = 0;
  /** Records overwritten before anything asked for them. */
  discarded = 0;
  private readonly lines: string[];
  private readonly levels: Uint8Array;
  private head = 0;
  private count = 0;

  constructor(size: number, minLevel: number, triggerLevel: number) {
    this.lines = new Array<string>(size).fill('');
    this.levels = new Uint8Array(size);
    this.minLevel = minLevel;
    this.triggerLevel = triggerLevel;
  }

  get held(): number {
    return this.count;
  }

  add(line: string, level: number): void {
    const cap = this.lines.length;
    let i = this.head + this.count;
    if (i >= cap) i -= cap;
    this.lines[i] = line;
    this.levels[i] = level;
    if (this.count < cap) this.count++;
    else {
      this.head = this.head + 1 === cap ? 0 : this.head + 1;
      this.discarded++;
    }
  }

  /**
   * Hands the kept records to `append`, oldest first, marked, and empties the ring. They are
   * routed at `routeLevel` (the trigger's level): a destination that takes the error that
   * triggered the dump also takes what led to it, whatever its own minimum level.
   */
  drain(append: (line: string, level: number) => void, routeLevel: number): void {
    const cap = this.lines.length;
    let i = this.head;
    for (let n = 0; n < this.count; n++) {
      const line = this.lines[i]!;
      this.lines[i] = '';
      // A record can be an empty object (a level formatter that writes nothing, no time).
      const marked = line === '{}\n' ? EMPTY_MARKED : line.slice(0, -2) + MARK;
      append(marked, Math.max(routeLevel, this.levels[i]!));
      i = i + 1 === cap ? 0 : i + 1;
    }
    this.dumped += this.count;
    this.head = 0;
    this.count = 0;
  }
}

const FLIGHT_RECORDER_OPTIONS = table('an option of flightRecorder', {
  level: any<string | number>(),
  size: int({ max: 1_000_000, default: 1000 }),
  triggerLevel: any<string | number>(),
});

export function resolveFlightRecorder(
  table: LevelTable,
  where: string,
  v: unknown,
): FlightRecorder | undefined {
  if (v === undefined || v === false) return undefined;
  const o = checkTable(FLIGHT_RECORDER_OPTIONS, v === true ? {} : v, {
    where,
    name: 'flightRecorder',
  });
  const level = levelThreshold(table, o.level ?? 'debug');
  if (level === undefined || !Number.isFinite(level))
    throw invalidOption(where, 'flightRecorder.level', 'a level name or number', o.level);
  const trigger = levelThreshold(table, o.triggerLevel ?? 'error');
  if (trigger === undefined || !Number.isFinite(trigger))
    throw invalidOption(
      where,
      'flightRecorder.triggerLevel',
      'a level name or number',
      o.triggerLevel,
    );
  return new FlightRecorder(o.size, level, trigger);
}
