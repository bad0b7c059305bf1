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

describe('the runs of repeated entries', () => {
  it('hold at most 32 positions of entries of at most 160 characters', () => {
    // Forty keys with values just under the caps, each record twice so every run is reused.
    const wide: Record<string, unknown> = {};
    for (let i = 0; i < 40; i++) wide[`k${i}`] = `${'r'.repeat(120)}${i}`;
    serializeFields(wide, L);
    serializeFields(wide, L);
    const stats = keyCacheStats();
    expect(stats.runChars).toBeGreaterThan(32 * 33 * 60);
    expect(stats.runChars).toBeLessThanOrEqual(stats.maxRunChars);
    // A value too long to be kept ends the run: nothing from it on is held.
    const before = stats.runChars;
    serializeFields({ k0: wide.k0, big: 'b'.repeat(10_000), k1: 'x' }, L);
    serializeFields({ k0: wide.k0, big: 'b'.repeat(10_000), k1: 'x' }, L);
    expect(keyCacheStats().runChars).toBeLessThanOrEqual(before);
  });
});
