/**
 * `{ type: 'pino-transport', target, options? }`: a pino transport module run in the sink and
 * fed our lines (pino-transport.ts). pino's own `transport` option maps here
 * (src/config/pino-compat.ts).
 */
import {
  COMMON_FIELDS,
  type DestinationKind,
  type Plain,
  type SpecBase,
} from '../../../src/config/destination-kind.js';
import { any, int, type Resolved, str, table } from '../../../src/config/validate.js';
import { anchorPath } from '../module/options.js';

export interface PinoTransportOptions {
  type: 'pino-transport';
  /** A pino transport: package name ('pino-pretty'), path or file: URL. */
  target: string;
  /** Passed to the transport's factory as it is. */
  options?: unknown;
  level?: string | number;
  /** Bytes held for the transport while it is slow before records for it are dropped (default 1 MiB). */
  maxBufferBytes?: number;
}

export interface PinoTransportSpec extends SpecBase {
  kind: 'pino-transport';
  /** Absolute path, file: URL or package name as the caller wrote it. */
  target: string;
  options: unknown;
  /** Most bytes held for the transport while it applies backpressure. */
  maxBufferBytes: number;
  /** What pino sends transports built with `expectPinoConfig` (pino.js, PINO_CONFIG). */
  pinoConfig: {
    levels: { labels: Record<number, string>; values: Record<string, number> };
    messageKey: string;
    errorKey: string;
  };
}

/** 1 MiB: a transport that stalls holds at most this much of our text before we drop. */
export const DEFAULT_TRANSPORT_BUFFER_BYTES = 1 << 20;

const FIELDS = {
  ...COMMON_FIELDS,
  target: str({ required: true, expected: 'a package name, a path or a file: URL' }),
  options: any(),
  maxBufferBytes: int({ min: 1024, default: DEFAULT_TRANSPORT_BUFFER_BYTES }),
};

export const pinoTransportKind = {
  types: ['pino-transport'],
  options: table('an option of type "pino-transport"', FIELDS, {
    hints: { targets: 'one destination per target: pass an array of destinations' },
  }),
  resolve: (o, ctx): Plain<PinoTransportSpec> => ({
    kind: 'pino-transport',
    target: anchorPath(o.target),
    options: o.options,
    maxBufferBytes: o.maxBufferBytes,
    minLevel: ctx.minLevel,
    pinoConfig: {
      levels: { labels: { ...ctx.levels.labels }, values: { ...ctx.levels.values } },
      messageKey: ctx.messageKey,
      errorKey: ctx.errorKey,
    },
  }),
  name: (spec: Plain<PinoTransportSpec>) => `pino-transport:${spec.target}`,
  extraStats: [],
} as const satisfies DestinationKind<PinoTransportSpec, Resolved<typeof FIELDS>>;
