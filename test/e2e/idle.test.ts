import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runFixture, tempFile } from './helpers.js';

describe('an idle, flushed sink', () => {
  it('costs no CPU and does not keep the process alive', async () => {
    const file = tempFile('idle.log');
    const r = await runFixture('idle.mjs', [file]);
    expect(r.code).toBe(0);
    const { idleCpuUs } = JSON.parse(r.stdout) as { idleCpuUs: number };
    // A polling sink would burn a core: 1,000,000 µs in this second. A sleeping one, ~0.
    expect(idleCpuUs).toBeLessThan(50_000);
    // The process ended right after its 1 s timer: nothing of ours held it open.
    expect(r.ms).toBeLessThan(10_000);
    expect(readFileSync(file, 'utf8')).toContain('"msg":"one record"');
  });
});
