/**
 * A logger's `destination` option turned into the specs the sink runs from: the shorthands
 * ('stdout', a path, an fd, process.stdout), then each kind's own table and resolver, found
 * by its `type` in the registry of kinds (workers/destinations/kinds.ts).
 */
import { DESTINATION_KINDS } from '../../workers/destinations/kinds.js';
import { streamKind } from '../../workers/destinations/stream/options.js';
import { type LevelTable, levelChoices, levelThreshold } from '../logger/levels.js';
import { invalidOption } from '../protocol/errors.js';
import type { DestinationSpec } from '../protocol/messages.js';
import { MAX_EXTRA_STATS } from '../protocol/stats.js';
import { type DestinationKind, resolveWithKind, type SpecBase } from './destination-kind.js';
import { pinoDestination } from './pino-compat.js';
import { type At, isPlainObject } from './validate.js';

const WHERE = 'createLogger';

export function resolveMinLevel(
  table: LevelTable,
  where: string,
  name: string,
  v: unknown,
): number {
  const t = levelThreshold(table, v);
  if (t === undefined)
    throw invalidOption(where, name, `one of ${levelChoices(table)} or a number`, v);
  return t;
}

const KINDS_BY_TYPE = new Map<string, DestinationKind<SpecBase, Record<string, unknown>>>();
for (const kind of DESTINATION_KINDS as unknown as readonly DestinationKind<SpecBase, never>[]) {
  for (const type of kind.types)
    KINDS_BY_TYPE.set(type, kind as DestinationKind<SpecBase, Record<string, unknown>>);
  // A kind's counters must fit its slot of the stats block (src/protocol/stats.ts).
  if (kind.extraStats.length > MAX_EXTRA_STATS)
    throw new Error(`destination kind ${kind.types[0]} has more than ${MAX_EXTRA_STATS} counters`);
}
const TYPES = [...KINDS_BY_TYPE.keys()];

/** What a destination's `type` may be, for messages. */
export const DESTINATION_TYPES: readonly string[] = TYPES;

function resolveKind(
  type: string,
  o: Record<string, unknown>,
  at: At,
  levels: LevelTable,
  keys: { messageKey: string; errorKey: string },
): DestinationSpec {
  const kind = KINDS_BY_TYPE.get(type)!;
  const minLevel =
    o.level === undefined ? 0 : resolveMinLevel(levels, at.where, `${at.name}.level`, o.level);
  return resolveWithKind(kind, o, { at, levels, minLevel, ...keys }) as DestinationSpec;
}

function resolveDestination(
  levels: LevelTable,
  d: unknown,
  i: string,
  keys: { messageKey: string; errorKey: string },
): DestinationSpec {
  const at: At = { where: WHERE, name: `destination${i}` };
  if (d === 'stdout' || d === 1) return resolveKind('stdout', { type: 'stdout' }, at, levels, keys);
  if (d === 'stderr' || d === 2) return resolveKind('stderr', { type: 'stderr' }, at, levels, keys);
  if (typeof d === 'number' && Number.isInteger(d) && d >= 0) {
    const plain = { kind: 'fd', fd: d, minLevel: 0 } as const;
    return { ...plain, name: streamKind.name(plain), extraStats: streamKind.extraStats };
  }
  if (typeof d === 'string' && d.length > 0) {
    return resolveKind('file', { type: 'file', path: d }, at, levels, keys);
  }
  if (isPlainObject(d)) {
    const stream = pinoDestination(d, at);
    if (stream !== undefined) return resolveDestination(levels, stream, i, keys);
    if (typeof d.type === 'string' && KINDS_BY_TYPE.has(d.type))
      return resolveKind(d.type, d, at, levels, keys);
    throw invalidOption(
      WHERE,
      `${at.name}.type`,
      `one of ${TYPES.map((t) => `"${t}"`).join(', ')}`,
      d.type,
    );
  }
  throw invalidOption(
    WHERE,
    at.name,
    `"stdout", "stderr", a file path, a file descriptor or { type: ${TYPES.map((t) => `"${t}"`).join('|')}, ... }`,
    d,
  );
}

/** The logger's destinations; `keys` are its messageKey and errorKey, the defaults of
 * destinations that read them. */
export function resolveDestinations(
  levels: LevelTable,
  input: unknown,
  keys: { messageKey: string; errorKey: string } = { messageKey: 'msg', errorKey: 'err' },
): DestinationSpec[] {
  if (input === undefined) return [resolveDestination(levels, 'stderr', '', keys)];
  if (Array.isArray(input)) {
    if (input.length === 0) throw invalidOption(WHERE, 'destination', 'a non-empty array', input);
    return input.map((d, i) => resolveDestination(levels, d, `[${i}]`, keys));
  }
  return [resolveDestination(levels, input, '', keys)];
}
