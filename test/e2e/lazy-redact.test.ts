/**
 * @pinojs/redact is loaded only when `redact` paths are configured: importing ringlog, or a
 * logger with key redaction only (the production preset), never loads it.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const dist = new URL('../../dist/', import.meta.url).href;

/** Whether @pinojs/redact is in the module cache after `code` ran, from ESM or CJS. */
function loadsRedact(code: string, format: 'esm' | 'cjs'): boolean {
  const script =
    format === 'esm'
      ? `import { createRequire } from 'node:module';
         const r = await import('${dist}index.js');
         ${code}
         const cache = createRequire(import.meta.url).cache;
         console.log(Object.keys(cache).some((p) => p.includes('@pinojs')));`
      : `const r = require(${JSON.stringify(new URL('index.cjs', dist).pathname)});
         ${code}
         console.log(Object.keys(require.cache).some((p) => p.includes('@pinojs')));`;
  const out = execFileSync(
    process.execPath,
    format === 'esm' ? ['--input-type=module', '-e', script] : ['-e', script],
    { encoding: 'utf8', timeout: 30_000 },
  );
  return out.trim() === 'true';
}

describe('@pinojs/redact loads lazily', () => {
  for (const format of ['esm', 'cjs'] as const) {
    it(`${format}: not on import, nor for redactKeys; on the first logger with redact paths`, () => {
      expect(loadsRedact('', format)).toBe(false);
      expect(
        loadsRedact(
          "r.createLogger({ preset: 'production', capture: true }).info({ password: 1 });",
          format,
        ),
      ).toBe(false);
      expect(
        loadsRedact(
          "r.createLogger({ capture: true, redact: ['a.b'] }).info({ a: { b: 1 } });",
          format,
        ),
      ).toBe(true);
    });
  }
});
