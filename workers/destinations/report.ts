/**
 * Destination failures reported on stderr at a bounded rate: the first failure of a kind at
 * once, then at most one line per destination and code every REPORT_INTERVAL_MS, with the
 * number of failures folded into it. A failing destination never floods the console.
 */

import { writeSync } from 'node:fs';

const REPORT_INTERVAL_MS = 10_000;

interface Slot {
  last: number;
  suppressed: number;
}

const slots = new Map<string, Slot>();

/** Writes `ringlog: <destination>: <message> (<code>)` to stderr unless one was written for
 * this destination and code within the interval. Never throws. */
export function reportDestinationError(
  destination: string,
  code: string,
  message: string,
  now: number = Date.now(),
): boolean {
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
  try {
    // Straight to fd 2: a worker's process.stderr is relayed through the app thread's event
    // loop, which is not running while the app blocks on a full ring or ends the process.
    writeSync(2, `ringlog: ${destination}: ${message} [${code}]${folded}\n`);
  } catch {
    // stderr itself is gone: nothing left to tell.
  }
  return true;
}
