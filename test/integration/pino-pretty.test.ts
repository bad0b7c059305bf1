import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { runFixture, tempFile } from '../e2e/helpers.js';

const require = createRequire(import.meta.url);
const prettyBin = require.resolve('pino-pretty/bin.js');

describe("pino's tools read our output unchanged", () => {
  it('pino-pretty formats level, message, fields and error stack', async () => {
    const file = tempFile('pretty.log');
    const r = await runFixture('pretty-source.mjs', [file]);
    expect(r.code).toBe(0);
    const out = spawnSync(process.execPath, [prettyBin, '--colorize', 'false'], {
      input: readFileSync(file),
      encoding: 'utf8',
    });
    expect(out.status).toBe(0);
    const lines = out.stdout.split('\n');
    expect(lines.find((l) => l.includes('INFO') && l.includes('hello from ringlog'))).toBeDefined();
    expect(lines.find((l) => l.includes('WARN') && l.includes('(svc/'))).toBeDefined();
    expect(out.stdout).toMatch(/userId: 42/);
    expect(lines.find((l) => l.includes('ERROR') && l.includes('it failed'))).toBeDefined();
    expect(out.stdout).toMatch(/Error: kaboom\n\s+at /);
    // pino-pretty leaves lines it cannot parse as they are; every one of ours parsed.
    expect(out.stdout).not.toContain('{"level"');
  });
});
