import { afterEach, describe, expect, it } from 'vitest';
import { nextPeriod, periodStamp, periodStart } from '../../workers/destinations/file/rotation.js';

const HOUR = 3_600_000;
const savedTz = process.env.TZ;
afterEach(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

/** Every period boundary from `from` for `count` periods. */
function boundaries(from: number, interval: 'daily' | 'hourly', utc: boolean, count: number) {
  const out: string[] = [];
  let start = periodStart(from, interval, utc);
  for (let k = 0; k < count; k++) {
    out.push(periodStamp(start, interval, utc));
    const next = nextPeriod(start, interval, utc);
    expect(next).toBeGreaterThan(start);
    start = next;
  }
  return out;
}

describe('rotation periods', () => {
  it('walks UTC hours and days', () => {
    const t = Date.UTC(2026, 11, 31, 22, 17);
    expect(boundaries(t, 'hourly', true, 3)).toEqual([
      '2026-12-31T22',
      '2026-12-31T23',
      '2027-01-01T00',
    ]);
    expect(boundaries(t, 'daily', true, 2)).toEqual(['2026-12-31', '2027-01-01']);
  });

  it('walks local hours through the night DST repeats an hour, each hour once', () => {
    process.env.TZ = 'Europe/Paris';
    // 2026-10-25: 03:00 CEST becomes 02:00 CET; 00:30 local is 22:30 UTC the day before.
    const t = Date.UTC(2026, 9, 24, 22, 30);
    const hours: number[] = [];
    let start = periodStart(t, 'hourly', false);
    for (let k = 0; k < 5; k++) {
      hours.push(start);
      start = nextPeriod(start, 'hourly', false);
    }
    // Five real hours, one after the other, whatever the wall clock says.
    expect(hours.map((h) => h - hours[0]!)).toEqual([0, HOUR, 2 * HOUR, 3 * HOUR, 4 * HOUR]);
    expect(hours.map((h) => periodStamp(h, 'hourly', false))).toEqual([
      '2026-10-25T00',
      '2026-10-25T01',
      '2026-10-25T02',
      '2026-10-25T02',
      '2026-10-25T03',
    ]);
    // The day itself lasts 25 hours.
    const day = periodStart(t, 'daily', false);
    expect(nextPeriod(day, 'daily', false) - day).toBe(25 * HOUR);
  });

  it('walks local days through the night DST skips an hour', () => {
    process.env.TZ = 'America/New_York';
    const t = new Date(2026, 2, 7, 12).getTime(); // 2026-03-08 loses 02:00-03:00
    expect(boundaries(t, 'daily', false, 3)).toEqual(['2026-03-07', '2026-03-08', '2026-03-09']);
    const d8 = nextPeriod(periodStart(t, 'daily', false), 'daily', false);
    expect(nextPeriod(d8, 'daily', false) - d8).toBe(23 * HOUR);
  });

  it('follows half-hour offsets for local hours', () => {
    process.env.TZ = 'Asia/Kolkata';
    const t = Date.UTC(2026, 0, 1, 0, 10); // 05:40 local
    const start = periodStart(t, 'hourly', false);
    expect(start).toBe(Date.UTC(2025, 11, 31, 23, 30)); // 05:00 local
    expect(periodStamp(start, 'hourly', false)).toBe('2026-01-01T05');
  });
});
