/**
 * The metrics entry points as a user installs them: ringlog/prometheus and ringlog/prom-client
 * resolved through package.json's exports map from ESM and CommonJS, and `import 'ringlog'`
 * loading neither (the core pays nothing for them at start-up).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runFixture } from './helpers.js';

const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
/** Our metrics builds, or prom-client itself. */
const METRICS_MODULE = /\/dist\/(?:prometheus|prom-client)\.c?js|\/node_modules\/prom-client\//;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ringlog-prom-pkg-'));
  dirs.push(d);
  return d;
}

/** The relative imports of a built file, followed to every file they reach. */
function reachable(entry: string, pattern: RegExp): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(join(dist, file), 'utf8').matchAll(pattern))
      visit(join(file, '..', m[1]!));
  };
  visit(entry);
  return [...seen];
}

describe('the metrics entry points', () => {
  it('the core build imports no metrics code, statically', () => {
    const esm = reachable('index.js', /(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g);
    const cjs = reachable('index.cjs', /require\(\s*"(\.{1,2}\/[^"]+)"\s*\)/g);
    for (const file of [...esm, ...cjs]) {
      const text = readFileSync(join(dist, file), 'utf8');
      expect(text, file).not.toMatch(/ringlog_records_|prom-client|prometheus/);
    }
    // The metrics builds are where that text is (the check above looks for the right thing).
    expect(readFileSync(join(dist, 'prometheus.js'), 'utf8')).toContain('ringlog_records_');
    expect(readFileSync(join(dist, 'prom-client.cjs'), 'utf8')).toMatch(/require\("prom-client"\)/);
  });

  it("import 'ringlog' loads neither module; import 'ringlog/prometheus' then works", async () => {
    const dir = tempDir();
    const urlsFile = join(dir, 'urls.txt');
    const r = await runFixture('prometheus-esm.mjs', [join(dir, 'esm.log'), urlsFile]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [core, later] = readFileSync(urlsFile, 'utf8').split('--- core done\n') as [
      string,
      string,
    ];
    expect(core).toContain(`file://${dist}index.js\n`);
    expect(core).not.toMatch(METRICS_MODULE);
    expect(later).toContain(`file://${dist}prometheus.js\n`);
    expect(r.stdout).toContain('ringlog_records_enqueued_total{logger="esm"} 5\n');
    expect(r.stdout).toContain('ringlog_records_written_total{logger="esm"} 5\n');
    expect(readFileSync(join(dir, 'esm.log'), 'utf8').trim().split('\n')).toHaveLength(5);
  });

  it("require('ringlog') loads neither; both entry points then work from CommonJS", async () => {
    const dir = tempDir();
    const r = await runFixture('prometheus-cjs.cjs', [join(dir, 'cjs.log')]);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as {
      coreLoaded: string[];
      metricsLoaded: string[];
      text: string;
      registry: string;
    };
    expect(out.coreLoaded).toContain(join(dist, 'index.cjs'));
    expect(out.coreLoaded.filter((f) => METRICS_MODULE.test(f))).toEqual([]);
    expect(out.metricsLoaded).toContain(join(dist, 'prometheus.cjs'));
    expect(out.metricsLoaded).toContain(join(dist, 'prom-client.cjs'));
    expect(out.text).toContain('ringlog_records_written_total{logger="cjs"} 3\n');
    expect(out.registry).toContain('ringlog_records_written_total{logger="cjs"} 3\n');
  });
});
