/**
 * `'stdout'`, `'stderr'`, a file descriptor, or `{ type: 'stdout' | 'stderr', level? }`:
 * lines written as they are to an open descriptor (stream.ts, in the sink).
 */
import {
  COMMON_FIELDS,
  type DestinationKind,
  type Plain,
  type SpecBase,
} from '../../../src/config/destination-kind.js';
import { table } from '../../../src/config/validate.js';

export interface StreamOptions {
  type: 'stdout' | 'stderr';
  level?: string | number;
}

export interface FdSpec extends SpecBase {
  kind: 'fd';
  fd: number;
}

/** "stdout", "stderr", or "fd:3". */
export const fdName = (fd: number): string => ['stdin', 'stdout', 'stderr'][fd] ?? `fd:${fd}`;

const STREAM_OPTIONS = table('an option of type "stdout" or "stderr"', { ...COMMON_FIELDS });

export const streamKind = {
  types: ['stdout', 'stderr'],
  options: STREAM_OPTIONS,
  resolve: (o, ctx): Plain<FdSpec> => ({
    kind: 'fd',
    fd: o.type === 'stdout' ? 1 : 2,
    minLevel: ctx.minLevel,
  }),
  name: (spec: Plain<FdSpec>) => fdName(spec.fd),
  extraStats: [],
} as const satisfies DestinationKind<FdSpec, { type: unknown }>;
