/**
 * The line a plain logger (no hooks) wrote for one log call before the hot path's caches (the
 * last-shape key lookup, the last value per key, the last message per logger, the short-string
 * scan threshold) went in: the log method of src/logger/logger.ts at commit 561927a, rewritten
 * as a function over the frozen serializer next to it (serialize-v0.ts and format-v0.ts are
 * copies of that commit's src/logger/serialize.ts and format.ts, imports aside). Nothing here
 * may change with the code under test: it is the reference test/unit/line-identity.test.ts
 * compares the logger's output with.
 */
import { formatMessage } from './format-v0.js';
import {
  isError,
  messageOfError,
  quoteString,
  type SerializeLimits,
  serializeError,
  serializeFields,
} from './serialize-v0.js';

export interface ReferenceLogger {
  /** `{"level":N` for each level value is built per call from it. */
  chindings: string;
  limits: SerializeLimits;
  /** `,"time":…` as the logger under test writes it; '' with `timestamp: false`. */
  time: string;
  msgKey: string;
  errKey: string;
}

/** The bindings text of a root logger (options.ts: serializeFields of `base`, then name). */
export function referenceChindings(base: Record<string, unknown>, limits: SerializeLimits): string {
  return serializeFields(base, limits);
}

/** A child's bindings text appended to its parent's (logger.ts child(), no hooks). */
export function referenceChild(
  parent: ReferenceLogger,
  bindings: Record<string, unknown>,
): ReferenceLogger {
  return { ...parent, chindings: parent.chindings + serializeFields(bindings, parent.limits) };
}

/** The line, '\n' included, that `logger[level](...args)` wrote. */
export function referenceLine(ref: ReferenceLogger, levelValue: number, args: unknown[]): string {
  const { limits } = ref;
  const n = args.length;
  const a = args[0];
  const b = args[1];
  let fields = '';
  let msg: string | undefined;
  if (typeof a === 'string') {
    msg = n > 1 ? formatMessage(a, args, 1, limits) : a;
  } else if (typeof a === 'object' && a !== null) {
    if (isError(a)) {
      fields = `${ref.errKey}${serializeError(a, limits)}`;
      if (typeof b !== 'string') msg = messageOfError(a, limits);
    } else {
      fields = serializeFields(a, limits);
    }
    if (typeof b === 'string') msg = n > 2 ? formatMessage(b, args, 2, limits) : b;
  } else if (n > 0) {
    msg = formatMessage('%s', args, 0, limits);
  }
  const prefix = `{"level":${levelValue}`;
  return msg === undefined
    ? `${prefix}${ref.time}${ref.chindings}${fields}}\n`
    : `${prefix}${ref.time}${ref.chindings}${fields}${ref.msgKey}${quoteString(msg, limits)}}\n`;
}
