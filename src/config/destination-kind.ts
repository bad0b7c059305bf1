/**
 * What a destination kind tells the application side, in its own folder
 * (workers/destinations/<kind>/options.ts): the `type`s users write for it, the table its
 * options are checked against, how they become the spec the sink runs from, the name it goes
 * by, and the counters it keeps beyond written/dropped/errors/buffered. The kinds are listed
 * once, in workers/destinations/kinds.ts; the sink's side is workers/destinations/index.ts.
 */
import type { LevelTable } from '../logger/levels.js';
import { type At, any, checkTable, type Fields, type TableRule } from './validate.js';

/** What every spec carries whatever its kind; each kind's spec extends it. */
export interface SpecBase {
  kind: string;
  /** Records below this level are not written there. */
  minLevel: number;
  /** The name in metrics() and stderr reports (DestinationKind.name, set by the app side). */
  name: string;
  /** Names of this destination's extra counters, in the order of its stats slot. */
  extraStats: readonly string[];
}

/** What a resolver knows besides the options themselves. */
export interface ResolveContext {
  /** Where the options sit: `{ where: 'createLogger', name: 'destination[1]' }`. */
  at: At;
  levels: LevelTable;
  minLevel: number;
  /** The logger's messageKey and errorKey, the defaults of destinations that read them. */
  messageKey: string;
  errorKey: string;
}

/** A spec as a kind's resolver returns it: the app side adds its name and extraStats. */
export type Plain<S extends SpecBase> = Omit<S, 'name' | 'extraStats'>;

/** The options every kind takes; its own table spreads them in. `level` is resolved against
 * the logger's levels before the kind's resolver runs (ResolveContext.minLevel). */
export const COMMON_FIELDS = { type: any<string>(), level: any<string | number>() };

export interface DestinationKind<S extends SpecBase, R = Record<string, unknown>> {
  /** The `type` values users write (`'stdout'` and `'stderr'` for the stream kind). */
  readonly types: readonly string[];
  /** The options' table: every key the kind takes, `type` and `level` included. */
  readonly options: TableRule<Fields, R>;
  /** The spec from options already checked against `options` (minLevel in `ctx`). */
  resolve(o: R, ctx: ResolveContext): Plain<S>;
  /** The name it goes by, from its spec alone. */
  name(spec: Plain<S>): string;
  /** Counters beyond written/dropped/errors/buffered that its stats() returns. */
  readonly extraStats: readonly string[];
}

/**
 * `o` (one destination's options, `type` included) checked against the kind's table and
 * resolved to the spec the sink runs from, its name and counters filled in. `ctx.minLevel`
 * is the destination's level, already resolved against the logger's levels.
 */
export function resolveWithKind<S extends SpecBase, R>(
  kind: DestinationKind<S, R>,
  o: unknown,
  ctx: ResolveContext,
): S {
  const checked = checkTable(kind.options, o, ctx.at) as R;
  const plain = kind.resolve(checked, ctx);
  return { ...plain, name: kind.name(plain), extraStats: kind.extraStats } as S;
}
