// Start-up: optional parts of ringlog load on first use, not on import. Checked in a fresh
// process against the built package, by asking Node's module cache what was loaded.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `body` after `import('ringlog')` in a new process; returns what it printed. */
function run(body: string, type: 'module' | 'commonjs' = 'module'): unknown {
  const load =
    type === 'module'
      ? "const { createLogger } = await import('ringlog');"
      : "const { createLogger } = require('ringlog');";
  const script = `
    const loaded = (name) => Object.keys(require.cache).some((k) => k.includes('/node_modules/' + name + '/'));
    (async () => {
      ${load}
      ${body}
    })();`;
  return JSON.parse(
    execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' }).trim(),
  );
}

describe('start-up', () => {
  for (const type of ['module', 'commonjs'] as const) {
    it(`loads fast-json-stringify on the first nested typed event only (${type})`, () => {
      const out = run(
        `
        const log = createLogger({ destination: 'stdout', level: 'silent' });
        const afterImport = loaded('fast-json-stringify');
        const flat = log.event('flat', { type: 'object', properties: { a: { type: 'string' } } });
        const afterFlat = loaded('fast-json-stringify');
        const nested = log.event('nested', {
          type: 'object',
          properties: { o: { type: 'object', properties: { b: { type: 'integer' } } } },
        });
        const afterNested = loaded('fast-json-stringify');
        await log.close();
        process.stdout.write(JSON.stringify({ afterImport, afterFlat, afterNested }));
      `,
        type,
      );
      expect(out).toEqual({ afterImport: false, afterFlat: false, afterNested: true });
    });
  }

  it('writes nested typed events through the lazily loaded compiler', () => {
    const out = run(`
      const log = createLogger({ capture: true, schemas: {
        order: { type: 'object', properties: { o: { type: 'object', properties: { b: { type: 'integer' } } } } },
      } });
      log.event('order').info({ o: { b: 7.9 } }, 'x');
      process.stdout.write(JSON.stringify(log.capture.records()));
    `);
    expect(out).toEqual([expect.objectContaining({ level: 30, o: { b: 7 }, msg: 'x' })]);
  });
});
