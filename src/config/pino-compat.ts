/**
 * pino's options as ringlog reads them. Where the meaning is the same, they are taken:
 * `enabled: false`, `transport` (one target or several, each with its level; pino/file
 * becomes ringlog's own file or stdout destination), and `process.stdout`/`process.stderr`
 * as a destination. pino's other names get a message naming ringlog's equivalent, or why
 * there is none, instead of being ignored.
 */
import { ErrorCodes, invalidOption, RinglogError } from '../protocol/errors.js';
import { type At, any, checkTable, isPlainObject, list, str, table } from './validate.js';

/** pino's top-level options that ringlog does not take, and what to write instead. */
export const PINO_OPTION_HINTS: Readonly<Record<string, string>> = {
  depthLimit: 'ringlog\'s is "maxDepth"',
  edgeLimit: 'ringlog\'s is "maxBreadth"',
  levelComparison: "levels are numbers and a higher number is more severe, as pino's default",
  useOnlyCustomLevels: "custom levels are added to pino's six, which stay",
  mixinMergeStrategy: 'the call\'s own fields win over mixin\'s; write the merge inside "mixin"',
  hooks: 'ringlog has no logMethod or streamWrite hooks; use "mixin" or "formatters.log"',
  crlf: 'every line ends with "\\n"',
  nestedKey: 'fields are written at the top level; pass them under a key of your own',
  browser: 'ringlog runs in Node.js only',
  prettyPrint: 'use destination: { type: "pretty" }',
  safe: 'ringlog always writes cycles and BigInts safely',
  levelKey: 'use formatters.level: (label, number) => ({ severity: label })',
  changeLevelName: 'use formatters.level: (label, number) => ({ severity: label })',
  useLevelLabels: 'use formatters.level: (label) => ({ level: label })',
  dest: 'use "destination"',
};

const TARGET_FIELDS = {
  target: str({ required: true, expected: 'a package name, a path or a file: URL' }),
  options: any(),
  level: any<string | number>(),
};

const TRANSPORT_HINTS = {
  pipeline:
    'pipelines are not supported: use one destination per target, or a destination module ({ type: "module" }) that chains them',
  dedupe: 'every destination whose level a record reaches writes it; there is no dedupe',
  worker: 'ringlog runs every destination in its one sink worker',
  levels: 'custom levels come from the logger\'s "customLevels"',
  caller: 'paths are resolved from the current directory',
};

const ONE_TARGET = table('an option of transport', TARGET_FIELDS, { hints: TRANSPORT_HINTS });
const MANY_TARGETS = table(
  'an option of transport',
  {
    targets: list(
      table('an option of a transport target', TARGET_FIELDS, { hints: TRANSPORT_HINTS }),
      { min: 1, required: true },
    ),
  },
  { hints: TRANSPORT_HINTS },
);

type Target = { target: string; options: unknown; level: string | number | undefined };

/** pino/file's options that ringlog's file and stdout destinations mean the same way. */
const PINO_FILE_KEYS = new Set(['destination', 'mkdir', 'append']);

function targetDestination(t: Target): Record<string, unknown> {
  const level = t.level === undefined ? {} : { level: t.level };
  const o = t.options;
  // pino/file: ringlog's own destinations do the same work without loading pino in the sink.
  if (
    t.target === 'pino/file' &&
    (o === undefined || (isPlainObject(o) && Object.keys(o).every((k) => PINO_FILE_KEYS.has(k))))
  ) {
    const f = (o ?? {}) as { destination?: unknown; mkdir?: unknown; append?: unknown };
    const d = f.destination ?? 1;
    if (d === 1 || d === 2 || d === '1' || d === '2')
      return { type: Number(d) === 1 ? 'stdout' : 'stderr', ...level };
    if (typeof d === 'string' && d.length > 0) {
      return {
        type: 'file',
        path: d,
        ...(f.mkdir === undefined ? {} : { mkdir: f.mkdir }),
        ...(f.append === undefined ? {} : { append: f.append }),
        ...level,
      };
    }
  }
  return {
    type: 'pino-transport',
    target: t.target,
    ...(o === undefined ? {} : { options: o }),
    ...level,
  };
}

/** pino's `transport: { target, options, level }` or `{ targets: [...] }` as destinations. */
export function transportDestinations(v: unknown, at: At): Record<string, unknown>[] {
  if (isPlainObject(v) && v.targets !== undefined) {
    const { targets } = checkTable(MANY_TARGETS, v, at);
    return targets.map(targetDestination);
  }
  if (isPlainObject(v) && v.pipeline !== undefined) {
    throw new RinglogError(
      ErrorCodes.INVALID_OPTION,
      `${at.where}: "${at.name}.pipeline" is not supported: ${TRANSPORT_HINTS.pipeline}`,
    );
  }
  if (!isPlainObject(v))
    throw invalidOption(at.where, at.name, '{ target, options?, level? } or { targets: [...] }', v);
  return [targetDestination(checkTable(ONE_TARGET, v, at))];
}

/**
 * A stream given as a destination, as pino takes it: process.stdout and process.stderr are
 * their descriptors (written by the sink, as 'stdout' and 'stderr'). Any other stream would
 * put writing back on the application thread, which ringlog exists to avoid: the error says
 * what to write instead. Undefined when `d` is not a stream.
 */
export function pinoDestination(
  d: Record<string, unknown>,
  at: At,
): 'stdout' | 'stderr' | undefined {
  if (d === (process.stdout as unknown)) return 'stdout';
  if (d === (process.stderr as unknown)) return 'stderr';
  if (typeof d.write !== 'function') return undefined;
  // pino.destination('/path') (sonic-boom) and fs.createWriteStream('/path') know their file.
  const file =
    typeof d.file === 'string' ? d.file : typeof d.path === 'string' ? d.path : undefined;
  const fd = typeof d.fd === 'number' && d.fd >= 0 ? d.fd : undefined;
  const instead =
    file !== undefined
      ? `its file as a path (destination: ${JSON.stringify(file)})`
      : fd !== undefined
        ? `its file descriptor (destination: ${fd})`
        : 'a path, a file descriptor, or a destination module that runs in the sink ({ type: "module", module })';
  throw new RinglogError(
    ErrorCodes.INVALID_OPTION,
    `${at.where}: "${at.name}" must be "stdout", "stderr", a path, a file descriptor or destination options, got a stream: ringlog writes from its sink worker, never from the application thread, so pass ${instead}`,
  );
}
