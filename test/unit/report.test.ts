import { isMainThread } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { reportDestinationError } from '../../workers/destinations/report.js';

// The format docs/errors.md gives for a destination's reports, whole line.
const LINE = /^ringlog: (.+?): (.*) \[(RINGLOG_[A-Z_]+)\]( \(\+(\d+) more since last report\))?\n$/;

let written: string[] = [];
beforeEach(() => {
  written = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    written.push(String(s));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('destination reports on stderr', () => {
  it('run on the main thread here, where they go through process.stderr', () => {
    // In a worker they go to fd 2 with writeSync, which this file cannot capture.
    expect(isMainThread).toBe(true);
  });

  it('are one line: ringlog, the destination, the message, the code in brackets', () => {
    expect(
      reportDestinationError(
        'file:/tmp/a.log',
        'RINGLOG_DESTINATION_FAILED',
        'write failed: EIO',
        1000,
      ),
    ).toBe(true);
    expect(written).toEqual([
      'ringlog: file:/tmp/a.log: write failed: EIO [RINGLOG_DESTINATION_FAILED]\n',
    ]);
    const m = LINE.exec(written[0]!);
    expect(m?.slice(1, 4)).toEqual([
      'file:/tmp/a.log',
      'write failed: EIO',
      'RINGLOG_DESTINATION_FAILED',
    ]);
    expect(m?.[4]).toBeUndefined();
  });

  it('hold back repeats of a destination and code for 10 s, then fold their count into the next', () => {
    const d = 'syslog:tcp://127.0.0.1:1';
    const code = 'RINGLOG_SYSLOG_CONNECTION';
    expect(reportDestinationError(d, code, 'first', 0)).toBe(true);
    expect(reportDestinationError(d, code, 'second', 5_000)).toBe(false);
    expect(reportDestinationError(d, code, 'third', 9_999)).toBe(false);
    // Another code, or another destination, has its own interval.
    expect(reportDestinationError(d, 'RINGLOG_SYSLOG_DROPPED', 'other code', 9_999)).toBe(true);
    expect(reportDestinationError(`${d}0`, code, 'other destination', 9_999)).toBe(true);
    expect(reportDestinationError(d, code, 'fourth', 10_000)).toBe(true);
    expect(reportDestinationError(d, code, 'fifth', 20_000)).toBe(true);
    expect(written).toEqual([
      `ringlog: ${d}: first [${code}]\n`,
      `ringlog: ${d}: other code [RINGLOG_SYSLOG_DROPPED]\n`,
      `ringlog: ${d}0: other destination [${code}]\n`,
      `ringlog: ${d}: fourth [${code}] (+2 more since last report)\n`,
      `ringlog: ${d}: fifth [${code}]\n`,
    ]);
    for (const line of written) expect(line).toMatch(LINE);
    expect(LINE.exec(written[3]!)?.[5]).toBe('2');
  });

  it('never throw, even when stderr does', () => {
    vi.mocked(process.stderr.write).mockImplementation(() => {
      throw new Error('EPIPE');
    });
    expect(reportDestinationError('stderr', 'RINGLOG_DESTINATION_FAILED', 'gone', 0)).toBe(true);
  });
});
