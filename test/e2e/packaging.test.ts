import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runFixture, tempFile } from './helpers.js';

const dist = fileURLToPath(new URL('../../dist/', import.meta.url));

describe('the built package', () => {
  it('works from require() through the CommonJS build, finding the sink beside it', async () => {
    const file = tempFile('cjs.log');
    const r = await runFixture('cjs-require.cjs', [file]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ enqueued: 1, written: 1 });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      level: 30,
      from: 'cjs',
      msg: 'required',
    });
  });

  it('starts the sink from the path a bundler gives in __bundlerPathsOverrides', async () => {
    const file = tempFile('bundled.log');
    // A sink file elsewhere, which leaves a mark when it is the one started.
    const dir = join(dist, 'relocated-test');
    mkdirSync(dir, { recursive: true });
    const marker = `${file}.sink-started`;
    const moved = join(dir, 'sink.mjs');
    writeFileSync(
      moved,
      `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, '');\nawait import('../sink.js');\n`,
    );
    try {
      const r = await runFixture('bundler-override.mjs', [file, moved]);
      expect(r.code).toBe(0);
      expect(existsSync(marker)).toBe(true);
      expect(readFileSync(file, 'utf8')).toContain('through the relocated sink');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('falls back to stderr when the sink cannot load at all, and flush() still resolves', async () => {
    const file = tempFile('unloadable.log');
    const broken = `${file}.broken-sink.mjs`;
    writeFileSync(broken, "throw new Error('this sink cannot load');\n");
    const r = await runFixture('bundler-override.mjs', [file, broken]);
    // Without the fallback settling the flush, the awaited flush() would never resolve (exit 13).
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/failed 4 times .*this sink cannot load.*RINGLOG_SINK_FALLBACK/);
    expect(r.stderr).toContain('"msg":"through the relocated sink"');
  });
});
