/**
 * The checks every options resolver shares (createLogger and each destination kind's):
 * absent means the default, anything else must be what is asked for, and the error says
 * where, what was expected and what came in (invalidOption).
 */
import { invalidOption } from '../protocol/errors.js';

/** An integer in min..max, or `fallback` when absent. */
export function optionalInt(
  where: string,
  name: string,
  v: unknown,
  fallback: number,
  min = 1,
  max = Number.POSITIVE_INFINITY,
): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    const expected =
      max === Number.POSITIVE_INFINITY ? `an integer >= ${min}` : `an integer in ${min}..${max}`;
    throw invalidOption(where, name, expected, v);
  }
  return v;
}

/** true or false, or `fallback` when absent. */
export function optionalBool(where: string, name: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw invalidOption(where, name, 'true or false', v);
  return v;
}

/** Refuses keys a destination does not know, so that a misspelt option is not ignored. */
export function rejectUnknownKeys(
  where: string,
  name: string,
  o: Record<string, unknown>,
  known: ReadonlySet<string>,
  what: string,
): void {
  for (const k of Object.keys(o)) {
    if (!known.has(k)) throw invalidOption(where, `${name}.${k}`, `absent (${what})`, o[k]);
  }
}
