/**
 * Level names and numbers (pino's), and a threshold turned into log functions or noops.
 */
import { invalidOption } from '../protocol/errors.js';

import { DEFAULT_LEVELS } from '../protocol/levels.js';

export { DEFAULT_LEVELS };

/** The threshold that disables every level. */
export const SILENT = Number.POSITIVE_INFINITY;

export interface LevelTable {
  /** name → number, including custom levels. */
  readonly values: Readonly<Record<string, number>>;
  /** number → name. */
  readonly labels: Readonly<Record<number, string>>;
  /** Names sorted by number, lowest first. */
  readonly names: readonly string[];
}

const NAME_RE = /^[A-Za-z_$][\w$]*$/;
// Names a custom level may not take, since its method would replace them: every member of
// the Logger, registered by logger.ts from the class itself (reserveLevelNames), so that a
// method added there is reserved without a second list to keep; 'silent' is the level that
// disables all, and Object.prototype's names are what every object answers to.
const RESERVED = new Set<string>(['silent', ...Object.getOwnPropertyNames(Object.prototype)]);

/** Reserves the names of `proto`'s members and its prototypes' (up to Object.prototype). */
export function reserveLevelNames(proto: object): void {
  for (let p: object | null = proto; p !== null; p = Object.getPrototypeOf(p)) {
    for (const name of Object.getOwnPropertyNames(p)) RESERVED.add(name);
  }
}

/** Whether a custom level may not take `name` (a Logger member, or 'silent'). */
export function isReservedLevelName(name: string): boolean {
  return RESERVED.has(name);
}

function buildTable(values: Record<string, number>): LevelTable {
  const names = Object.keys(values).sort((a, b) => values[a]! - values[b]!);
  const labels: Record<number, string> = {};
  for (const name of names) labels[values[name]!] = name;
  return { values, labels, names };
}

/** Shared by every logger without custom levels, so their level methods are built once. */
const DEFAULT_TABLE = buildTable({ ...DEFAULT_LEVELS });

/** Merges custom levels (name → number) into pino's defaults; `where` names the caller. */
export function compileLevels(custom: unknown, where: string): LevelTable {
  if (custom === undefined) return DEFAULT_TABLE;
  const values: Record<string, number> = { ...DEFAULT_LEVELS };
  if (custom === null || typeof custom !== 'object') {
    throw invalidOption(where, 'customLevels', 'an object of name → number', custom);
  }
  for (const [name, n] of Object.entries(custom)) {
    if (!NAME_RE.test(name)) {
      throw invalidOption(where, 'customLevels', 'names that are identifiers', name);
    }
    if (RESERVED.has(name)) {
      throw invalidOption(
        where,
        'customLevels',
        `names that are not already a Logger member (a level "${name}" would replace logger.${name})`,
        name,
      );
    }
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 255) {
      throw invalidOption(where, `customLevels.${name}`, 'an integer in 1..255', n);
    }
    values[name] = n;
  }
  return buildTable(values);
}

/** The threshold for a level given as a name or a number, or undefined if unknown. */
export function levelThreshold(table: LevelTable, level: unknown): number | undefined {
  if (level === 'silent') return SILENT;
  if (typeof level === 'string') return table.values[level];
  if (typeof level === 'number' && Number.isInteger(level) && level >= 0) return level;
  return undefined;
}

export function levelChoices(table: LevelTable): string {
  return [...table.names, 'silent'].join('|');
}

/** The no-op every disabled level method shares. */
export function noop(): void {}
