import { describe, expect, it } from 'vitest';
import { PendingAge } from '../../src/logger/pending-age.js';

describe('PendingAge', () => {
  it('dates the oldest batch the read position has not passed, and 0 once all are released', () => {
    const p = new PendingAge();
    expect(p.ageMs(0, 1000)).toBe(0);
    p.published(100, 0, 1000);
    p.published(200, 0, 1100);
    p.published(300, 0, 1200);
    expect(p.ageMs(0, 1500)).toBe(500);
    // The first batch ends at 100: released once the read position reaches it.
    expect(p.ageMs(100, 1500)).toBe(400);
    expect(p.ageMs(250, 1500)).toBe(300);
    expect(p.ageMs(300, 1500)).toBe(0);
  });

  it('compares positions across the uint32 wrap', () => {
    const p = new PendingAge();
    const near = 0xffff_ff00 | 0;
    p.published((near + 0x80) | 0, near, 10);
    p.published((near + 0x200) | 0, near, 20); // past 2^32
    expect(p.ageMs((near + 0x80) | 0, 100)).toBe(80);
    expect(p.ageMs((near + 0x1ff) | 0, 100)).toBe(80);
    expect(p.ageMs((near + 0x200) | 0, 100)).toBe(0);
  });

  it('with every mark taken, extends the newest: the age is never under-stated', () => {
    const p = new PendingAge();
    for (let i = 1; i <= 40; i++) p.published(i * 10, 0, i);
    expect(p.ageMs(0, 100)).toBe(99);
    // Past the 15 first marks (positions 10..150), the 16th holds batches 16..40 from time 16.
    expect(p.ageMs(150, 100)).toBe(84);
    expect(p.ageMs(399, 100)).toBe(84);
    expect(p.ageMs(400, 100)).toBe(0);
  });
});
