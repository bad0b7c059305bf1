/**
 * Every destination kind the application side knows: one line each. Each kind's folder says
 * the rest (its options, spec, name and counters, in options.ts); the sink's side is the
 * switch in index.ts. Imported by src/config/options.ts: nothing here runs in the worker.
 */
import { fileKind } from './file/options.js';
import { httpKind } from './http/options.js';
import { moduleKind } from './module/options.js';
import { pinoTransportKind } from './pino-transport/options.js';
import { prettyKind } from './pretty/options.js';
import { streamKind } from './stream/options.js';
import { syslogKind } from './syslog/options.js';

export const DESTINATION_KINDS = [
  streamKind,
  fileKind,
  moduleKind,
  syslogKind,
  prettyKind,
  pinoTransportKind,
  httpKind,
] as const;

/** The name of every extra counter some kind keeps ('sent', 'truncated', …). */
export type ExtraStat = (typeof DESTINATION_KINDS)[number]['extraStats'][number];
