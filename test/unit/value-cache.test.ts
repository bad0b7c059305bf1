/**
 * The serializer keeps each cached key's last short string value and its JSON text: bounded
 * by the key cache's entries and the per-value caps. Its own file, so the caches start empty.
 */
import { describe, expect, it } from 'vitest';
import { keyCacheStats, DEFAULT_LIMITS as L, serializeFields } from '../../src/logger/serialize.js';

describe("a key's last value", () => {
  it('is kept only when short, so the values held stay under their bound', () => {
    const huge = 'v'.repeat(10_000);
    for (let i = 0; i < 100; i++) serializeFields({ [`big${i}`]: `${huge}${i}` }, L);
    const before = keyCacheStats().valueChars;
    for (let i = 0; i < 100; i++) serializeFields({ [`big${i}`]: `${huge}${i}` }, L);
    expect(keyCacheStats().valueChars).toBe(before);
    // A value that needs escaping can grow 6× as text: its text is bounded too.
    serializeFields({ ctl: '\u0001'.repeat(100) }, L);
    expect(keyCacheStats().valueChars).toBe(before);
    // Short values of many keys: kept, and within the bound of every key holding one.
    const short = 'w'.repeat(128);
    for (let i = 0; i < 5000; i++) serializeFields({ [`s${i}`]: `${short.slice(4)}${i}` }, L);
    const stats = keyCacheStats();
    expect(stats.valueChars).toBeGreaterThan(before + 1000 * 128);
    expect(stats.valueChars).toBeLessThanOrEqual(stats.maxValueChars);
  });
});
