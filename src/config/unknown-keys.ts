/**
 * A key an options object does not take is refused by name, with the nearest valid key
 * ("did you mean ...?") or a hint of the table's own (pino's names and ringlog's for them),
 * so that a misspelt option is never silently ignored.
 */
import { describeValue, ErrorCodes, RinglogError } from '../protocol/errors.js';
import type { At } from './validate.js';

/** Keys a table does not take but that users write (pino's names): key → what to say. */
export type Hints = Record<string, string>;

/**
 * Refuses a key that is not in `known`: pino's names get their hint, a misspelt key the
 * nearest known one. `what` names the object ("an option of createLogger").
 */
export function rejectUnknownKeys(
  at: At,
  o: Record<string, unknown>,
  known: readonly string[],
  what: string,
  hints: Hints = {},
): void {
  for (const k of Object.keys(o)) {
    // A key set to undefined is absent, as for the known keys: Fastify hands child() its own
    // options with `logger` and `genReqId` set to undefined.
    if (known.includes(k) || o[k] === undefined) continue;
    const name = at.name === '' ? k : `${at.name}.${k}`;
    const got = `got ${describeValue(o[k])}`;
    const hint = Object.hasOwn(hints, k) ? hints[k] : undefined;
    if (hint !== undefined) {
      throw new RinglogError(
        ErrorCodes.INVALID_OPTION,
        `${at.where}: "${name}" is not ${what}: ${hint} (${got})`,
      );
    }
    const near = nearest(k, known);
    const tail =
      near === undefined
        ? `the options are ${known.map((x) => `"${x}"`).join(', ')}`
        : `did you mean "${near}"?`;
    throw new RinglogError(
      ErrorCodes.INVALID_OPTION,
      `${at.where}: "${name}" is not ${what} (${got}); ${tail}`,
    );
  }
}

/** The known key nearest to `key` (case ignored, Levenshtein distance ≤ 2), if any. */
export function nearest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: string | undefined;
  let bestD = 3;
  for (const k of known) {
    const d = distance(lower, k.toLowerCase());
    // A distance as long as the shorter key is no resemblance ("ab" and "xy").
    if (d < bestD && d < Math.min(key.length, k.length)) {
      best = k;
      bestD = d;
    }
  }
  return best;
}

/** Levenshtein distance (insert, delete, substitute), with a swap of two neighbours as 1. */
export function distance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) rows.push([i]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}
