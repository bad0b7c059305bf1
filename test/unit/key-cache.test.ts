/**
 * The serializer's key cache is bounded in entries and in characters. Its own file: vitest
 * gives each file a fresh module, so the cache starts empty here.
 */
import { describe, expect, it } from 'vitest';
import { keyCacheStats, DEFAULT_LIMITS as L, serializeFields } from '../../src/logger/serialize.js';

describe('the key cache', () => {
  it('stays under its bound in characters after many huge and many small keys', () => {
    const filler = 'k'.repeat(100_000);
    for (let i = 0; i < 200; i++) serializeFields({ [`${i}${filler}`]: i }, L);
    expect(keyCacheStats().entries).toBe(0);
    // Keys just under the per-key cap, many of them: the total bound is what stops these.
    const long = 'q'.repeat(250);
    for (let i = 0; i < 5000; i++) serializeFields({ [`${long}${i}`]: i }, L);
    const stats = keyCacheStats();
    expect(stats.chars).toBeLessThanOrEqual(stats.maxChars);
    expect(stats.entries).toBeLessThanOrEqual(4096);
    // The character bound is what stopped it: far fewer entries than the count bound.
    expect(stats.chars).toBeGreaterThan(stats.maxChars * 0.9);
    expect(stats.entries).toBeLessThan(2000);
  });

  it('still writes keys it does not keep', () => {
    const key = `"odd"\n${'z'.repeat(100_000)}`;
    expect(JSON.parse(`{${serializeFields({ [key]: 1 }, L).slice(1)}}`)).toEqual({ [key]: 1 });
  });
});
