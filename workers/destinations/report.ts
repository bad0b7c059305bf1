/**
 * Destination failures reported on stderr at a bounded rate: the first failure of a kind at
 * once, then at most one line per destination and code every REPORT_INTERVAL_MS, with the
 * number of failures folded into it. A failing destination never floods the console.
 */

import { writeSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { ErrorCodes, errnoIn } from '../../src/protocol/errors.js';

const REPORT_INTERVAL_MS = 10_000;

interface Slot {
  last: number;
  suppressed: number;
}

const slots = new Map<string, Slot>();

/** A destination's last reported failure, for health() (written to the stats block). */
export interface LastError {
  code: string;
  /** The system error code in the message (ENOSPC, EPIPE, …), if any. */
  errno: string | undefined;
  at: number;
}

// Reports that are good news, not failures.
const NOT_FAILURES = new Set<string>([ErrorCodes.WRITE_RESUMED]);
const lastErrors = new Map<string, LastError>();

/** Records a failure for health() without printing it (a stand-in's own name). */
export function noteLastError(destination: string, code: string, message: string): void {
  lastErrors.set(destination, { code, errno: errnoIn(message), at: Date.now() });
}

/** The last failure reported for `destination` (by name), whether or not it was printed. */
export function lastErrorOf(destination: string): LastError | undefined {
  return lastErrors.get(destination);
}

/**
 * Writes `ringlog: <destination>: <message> [<code>]` to stderr (the destination's form in
 * docs/errors.md; the logger's own reports put the code in parentheses) unless one was
 * written for this destination and code within the interval. The next line written after
 * some were held back ends with ` (+<n> more since last report)`. Returns whether it wrote.
 * Never throws.
 */
export function reportDestinationError(
  destination: string,
  code: string,
  message: string,
  now: number = Date.now(),
): boolean {
  if (!NOT_FAILURES.has(code))
    lastErrors.set(destination, { code, errno: errnoIn(message), at: now });
  const key = `${destination}\0${code}`;
  const slot = slots.get(key);
  if (slot !== undefined && now - slot.last < REPORT_INTERVAL_MS) {
    slot.suppressed++;
    return false;
  }
  const folded =
    slot !== undefined && slot.suppressed > 0
      ? ` (+${slot.suppressed} more since last report)`
      : '';
  slots.set(key, { last: now, suppressed: 0 });
  const line = `ringlog: ${destination}: ${message} [${code}]${folded}\n`;
  try {
    // A worker's process.stderr reaches fd 2 through the parent thread, asynchronously: a
    // report made while the parent waits in its exit flush would be lost with the process.
    if (isMainThread) process.stderr.write(line);
    else writeSync(2, line);
  } catch {
    // stderr itself is gone: nothing left to tell.
  }
  return true;
}

let ending = false;

/** Set by the sink when it serves the exit flush: what a destination still holds then is lost
 * with the process, and its reports say so rather than "queued". */
export function markProcessEnding(): void {
  ending = true;
}

export function processEnding(): boolean {
  return ending;
}
