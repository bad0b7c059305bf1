// The bench report's account of a missed goal (benchmarks/lib/report.js gapLines): how far
// the run is from each *next:* goal, and where S2's time goes by part when the run has a
// profile. The figures below are made up for the arithmetic; nothing here measures.
import { describe, expect, it } from 'vitest';
import { gapLines } from '../../benchmarks/lib/report.js';

const spread = (median: number) => ({ median, min: median, max: median, values: [median] });
const MODES = ['ringlog', 'pino-sync', 'pino-async', 'pino-transport', 'winston'];

function summary(ringlogNs: { S1: number; S2: number }, e2eRatio: number) {
  const percall = (ringlog: number, pinoBest: number) => ({
    paced: {
      ns: Object.fromEntries(
        MODES.map((m) => [
          m,
          spread(m === 'ringlog' ? ringlog : m === 'pino-transport' ? pinoBest : pinoBest * 2),
        ]),
      ),
      ringlogVsBestPino: spread(ringlog / pinoBest),
    },
  });
  return {
    percall: {
      S1: percall(ringlogNs.S1, 1000),
      S2: percall(ringlogNs.S2, 3000),
      S4: percall(5, 5),
    },
    e2e: {
      recordsPerSec: { ringlog: spread(600_000 * (e2eRatio / 2)) },
      throughputVsBestPino: spread(e2eRatio),
    },
  };
}

function run(s: ReturnType<typeof summary>, profile?: unknown) {
  return { summary: s, verdicts: [] as unknown, profile };
}

describe('the bench report explains a missed next: goal', () => {
  it('says how many ns a call S1 and S2 have to go, against 0.25 and 0.33 × pino best', () => {
    const r = run(summary({ S1: 400, S2: 1500 }, 2.5));
    r.verdicts = [
      { id: 's1-stretch', met: false, bound: 0.25, ratio: 0.4 },
      { id: 's2-stretch', met: false, bound: 0.33, ratio: 0.5 },
      { id: 'e2e-stretch', met: false, bound: 3, ratio: 2.5 },
    ];
    const lines: string[] = gapLines(r);
    // S1: 400 ns against 0.25 × 1,000 = 250 ns; S2: 1,500 against 0.33 × 3,000 = 990.
    expect(lines[0]).toMatch(
      /^S1 per call: 0\.40× pino best, the goal 0\.25×: .* 0\.63× of what it does \(400 ns .*: 150 ns a call to go\)/,
    );
    expect(lines[1]).toMatch(
      /^S2 per call: 0\.50× pino best, the goal 0\.33×: .* 0\.66× of what it does \(1\.50 µs .*: 510 ns a call to go\)/,
    );
    // 750,000 records/s at 2.5× pino best: the goal (3×) is 900,000.
    expect(lines[2]).toMatch(/^S2 end to end: ringlog 750,000 records\/s, the goal 900,000/);
    expect(lines.at(-1)).toMatch(/No profile in this run/);
  });

  it("takes the gap from the verdict's ratio, even when the medians of the times fall the other side", () => {
    // The medians of the absolute times say 1,890 ns against a goal of 0.33 × 5,750 = 1,898 ns,
    // while the median of the round-by-round ratios (the verdict) is 0.37×: still 11 % to go.
    const r = run(summary({ S1: 400, S2: 1890 }, 3.5));
    r.verdicts = [{ id: 's2-stretch', met: false, bound: 0.33, ratio: 0.37 }];
    const lines: string[] = gapLines(r);
    expect(lines[0]).toMatch(
      /^S2 per call: 0\.37× pino best, the goal 0\.33×: .* 0\.89× of what it does \(1\.89 µs .*: 204 ns a call to go\)/,
    );
  });

  it('splits S2 into the profile parts, largest first, when the run has a profile', () => {
    const r = run(summary({ S1: 400, S2: 1500 }, 2.5), {
      records: 300_000,
      parts: [
        { part: 'garbage collection', share: 0.2, nsPerRecord: 200 },
        { part: 'building the line', share: 0.5, nsPerRecord: 500 },
        { part: 'other', share: 0.3, nsPerRecord: 300 },
      ],
    });
    r.verdicts = [{ id: 's2-stretch', met: false, bound: 0.33, ratio: 0.5 }];
    const lines: string[] = gapLines(r);
    expect(lines[1]).toMatch(/Where an S2 call's 1\.00 µs go/);
    expect(lines.slice(2)).toEqual([
      '  - building the line: 500 ns (50 %)',
      '  - other: 300 ns (30 %)',
      '  - garbage collection: 200 ns (20 %)',
    ]);
  });

  it('says nothing when every next: goal is met', () => {
    const r = run(summary({ S1: 200, S2: 900 }, 3.5));
    r.verdicts = [
      { id: 's1-stretch', met: true, bound: 0.25, ratio: 0.2 },
      { id: 's2-stretch', met: true, bound: 0.33, ratio: 0.3 },
      { id: 'e2e-stretch', met: true, bound: 3, ratio: 3.5 },
    ];
    expect(gapLines(r)).toEqual([]);
  });
});
