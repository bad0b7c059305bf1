/**
 * The sink worker starts with the app's Node options, less those Node refuses for a worker:
 * `node --input-type=module -e '…'` (a one-liner, a shell script's heredoc) logs through the
 * sink like any other process.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sinkExecArgv } from '../../src/host/sink-host.js';
import { tempFile } from './helpers.js';

const dist = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

describe('the sink worker under the Node options of the app', () => {
  it.each([
    ['--input-type=module', '-e'],
    ['--input-type', 'module', '--eval'],
    // A V8 flag a worker may not be given in an explicit list: the sink starts without them.
    ['--expose-gc', '--input-type=module', '-e'],
  ])('node %s … logs through the sink, with no crash and no fallback', (...flags) => {
    const file = tempFile('eval.log');
    const code = `import { createLogger } from ${JSON.stringify(dist)};
const log = createLogger({ destination: { type: 'file', path: ${JSON.stringify(file)} } });
for (let i = 0; i < 100; i++) log.info({ i }, 'from eval');
const m = log.metrics();
await log.flush();
console.log(JSON.stringify({ fallback: m.fallback, restarts: log.metrics().workerRestarts }));`;
    // spawnSync's timeout kills the child by its pid if it hangs.
    const r = spawnSync(process.execPath, [...flags, code], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual({ fallback: false, restarts: 0 });
    const records = readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { i: number; msg: string });
    expect(records.map((r) => r.i)).toEqual([...Array(100).keys()]);
    expect(records.every((r) => r.msg === 'from eval')).toBe(true);
  });

  it('drops --input-type in both spellings and keeps every other option', () => {
    expect(
      sinkExecArgv(['--input-type=module', '--max-old-space-size=64', '--input-type', 'commonjs']),
    ).toEqual(['--max-old-space-size=64']);
    // Nothing to drop: the worker inherits the options as Node passes them by default.
    expect(sinkExecArgv(['--enable-source-maps', '--expose-gc'])).toBeUndefined();
  });
});
