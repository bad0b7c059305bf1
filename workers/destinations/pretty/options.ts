/**
 * `{ type: 'pretty', destination?, colorize? }`: human-readable lines formatted in the sink
 * (pretty.ts, format.ts).
 */
import {
  COMMON_FIELDS,
  type DestinationKind,
  type Plain,
  type SpecBase,
} from '../../../src/config/destination-kind.js';
import { bool, custom, type Resolved, table } from '../../../src/config/validate.js';
import { fdName } from '../stream/options.js';

export interface PrettyOptions {
  type: 'pretty';
  /** Where the text goes (default 'stdout'). */
  destination?: 'stdout' | 'stderr' | number;
  /** Colours; default: off under NO_COLOR, on under FORCE_COLOR, else when the fd is a TTY. */
  colorize?: boolean;
  level?: string | number;
}

export interface PrettySpec extends SpecBase {
  kind: 'pretty';
  fd: number;
  /** undefined: decided in the sink from NO_COLOR, FORCE_COLOR and isatty(fd). */
  colorize: boolean | undefined;
  /** Level number → label, custom levels included. */
  labels: Record<number, string>;
  messageKey: string;
}

/** 'stdout', 'stderr' or a descriptor number → the descriptor. */
export const fdRule = custom(
  '"stdout", "stderr" or a file descriptor',
  (v) =>
    v === 'stdout'
      ? 1
      : v === 'stderr'
        ? 2
        : typeof v === 'number' && Number.isInteger(v) && v >= 0
          ? v
          : undefined,
  { default: 1 },
);

const FIELDS = {
  ...COMMON_FIELDS,
  destination: fdRule,
  colorize: bool(),
};

export const prettyKind = {
  types: ['pretty'],
  options: table('an option of type "pretty"', FIELDS),
  resolve: (o, ctx): Plain<PrettySpec> => ({
    kind: 'pretty',
    fd: o.destination,
    colorize: o.colorize,
    labels: { ...ctx.levels.labels },
    messageKey: ctx.messageKey,
    minLevel: ctx.minLevel,
  }),
  name: (spec: Plain<PrettySpec>) => `pretty:${fdName(spec.fd)}`,
  extraStats: [],
} as const satisfies DestinationKind<PrettySpec, Resolved<typeof FIELDS>>;
