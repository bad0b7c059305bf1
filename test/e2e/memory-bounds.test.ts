/**
 * Memory stays bounded under hostile keys: records whose keys (or, under sampling, messages)
 * are 100 kB and all different leave no more than a few MB behind after a full GC. Before
 * the byte bounds, 1,000 such keys left ~110 MB and 4,096 left ~450 MB. What is held is the
 * heap in use (plus external memory) after GC: Node 24's V8 keeps freed large-object pages
 * mapped (RSS 165 MB with 5 MB of heap in use after 1,000 such keys), so RSS there says
 * nothing about what ringlog keeps.
 */
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { runFixture } from './helpers.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0))
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

async function heldAfterGc(mode: string, count: number): Promise<number> {
  const r = await runFixture('huge-keys.mjs', [mode, String(count)], (c) => children.push(c));
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { held: number }).held;
}

const MB = 1 << 20;

describe('memory under hostile keys', () => {
  it('1,000 distinct 100 kB field keys and messages leave < 40 MB held after GC', async () => {
    const base = await heldAfterGc('none', 1000);
    const fields = await heldAfterGc('fields', 1000);
    const messages = await heldAfterGc('messages', 1000);
    // 1,000 keys of 100 kB are ~100 MB of key text: keeping even a third of it would fail.
    expect((fields - base) / MB).toBeLessThan(40);
    expect((messages - base) / MB).toBeLessThan(40);
  }, 120_000);
});
