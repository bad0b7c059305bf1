/**
 * The checker of the ring tests: the text a sink wrote for records { seq, reps, pad } where
 * pad is UNIT repeated reps times (multi-byte characters and a surrogate pair, so a cut in
 * the wrong place shows), logged with seq = 0..logged-1.
 */

/** 6 UTF-16 units, 11 bytes of UTF-8. */
export const UNIT = 'aé€😀b';
export const UNIT_BYTES = Buffer.byteLength(UNIT);

/** A record's line as the tests that drive a Channel directly write it. */
export function recordLine(seq: number, reps: number): string {
  return `${JSON.stringify({ level: 30, seq, reps, pad: UNIT.repeat(reps) })}\n`;
}

export interface RingOutcome {
  /** Everything the sink wrote. */
  text: string;
  /** Records handed to the logger. */
  logged: number;
  /** Records the ring says were written (metrics().written). */
  written: number;
  /** Records counted as dropped, every reason (metrics().dropped.total). */
  dropped: number;
}

/**
 * Parses every line and returns what is wrong, or [] when every line is whole JSON with its
 * pad intact, every seq appears at most once and in order, the lines are exactly the records
 * counted as written, and the drop counters account for every missing one.
 */
export function checkRingOutput({ text, logged, written, dropped }: RingOutcome): string[] {
  const problems: string[] = [];
  if (text.length > 0 && !text.endsWith('\n')) problems.push('the output ends in a partial line');
  const lines = text.split('\n');
  lines.pop();
  const seen = new Uint8Array(logged);
  let broken = 0;
  let firstBroken = '';
  let last = -1;
  for (const line of lines) {
    let rec: { seq?: unknown; reps?: unknown; pad?: unknown };
    try {
      rec = JSON.parse(line) as typeof rec;
    } catch {
      if (broken++ === 0) firstBroken = line;
      continue;
    }
    const { seq, reps, pad } = rec;
    if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0 || seq >= logged) {
      problems.push(`a line has no valid seq: ${line.slice(0, 120)}`);
      continue;
    }
    if (typeof reps !== 'number' || pad !== UNIT.repeat(reps))
      problems.push(`seq ${seq}: its pad is not ${reps} whole units`);
    if (seen[seq] === 1) problems.push(`seq ${seq} is written twice`);
    else if (seq < last) problems.push(`seq ${seq} comes after seq ${last}`);
    seen[seq] = 1;
    last = Math.max(last, seq);
  }
  if (broken > 0)
    problems.push(
      `${broken} of ${lines.length} lines are not JSON; the first: ${firstBroken.slice(0, 120)}…`,
    );
  if (lines.length !== written)
    problems.push(`${lines.length} lines written, the ring counted ${written}`);
  let present = 0;
  for (const s of seen) present += s;
  if (present + dropped !== logged)
    problems.push(
      `${present} records present + ${dropped} counted as dropped !== ${logged} logged`,
    );
  return problems;
}
