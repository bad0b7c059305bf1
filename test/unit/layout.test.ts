/**
 * The import rule of docs/architecture.md, checked on every source file:
 * - src/logger/ (the application thread's hot path) never imports workers/;
 * - src/ reaches into workers/ only for a destination's options.ts (validated on the app side)
 *   and the registry of kinds (workers/destinations/kinds.ts);
 * - a destination's options.ts and the registry import no code that runs in the worker;
 * - the worker never imports the app side (src/logger, src/config, src/host), only src/protocol,
 *   and a destination's options.ts for its types alone;
 * - nothing outside src/metrics (the ringlog/prometheus and ringlog/prom-client entry points)
 *   imports it, and it takes only types from the rest.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** Every relative import, re-export and dynamic import of a file, resolved to a path. */
function importsOf(file: string): Edge[] {
  const text = readFileSync(join(root, file), 'utf8');
  const edges: Edge[] = [];
  const re =
    /(import\s+type\b|import\b|export\b)[^'";]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(re)) {
    const spec = m[2] ?? m[3]!;
    const to = relative(root, resolve(root, dirname(file), spec)).replace(/\.js$/, '.ts');
    edges.push({ from: file, to, typeOnly: m[1] === 'import type' });
  }
  return edges;
}

const files = [...sourceFiles('src'), ...sourceFiles('workers')];
const edges = files.flatMap(importsOf);
const isDestinationOptions = (p: string) => /^workers\/destinations\/[^/]+\/options\.ts$/.test(p);
// The app side's registry of destination kinds: it imports every kind's options.ts, and is
// imported by src/config/options.ts. Like options.ts, it never runs in the worker.
const REGISTRY = 'workers/destinations/kinds.ts';
const isAppSide = (p: string) => isDestinationOptions(p) || p === REGISTRY;
const isWorkerCode = (p: string) => p.startsWith('workers/') && !isAppSide(p);

describe('the import rule', () => {
  it('finds the source files and their imports', () => {
    // A parser that found nothing would pass every rule below.
    expect(files.length).toBeGreaterThan(40);
    expect(edges.length).toBeGreaterThan(100);
    expect(
      edges.some((e) => e.from === 'src/logger/logger.ts' && e.to === 'src/logger/channel.ts'),
    ).toBe(true);
  });

  it('every relative import names a file that exists', () => {
    const known = new Set(files);
    const missing = edges.filter((e) => !known.has(e.to)).map((e) => `${e.from} -> ${e.to}`);
    expect(missing).toEqual([]);
  });

  it('the hot path (src/logger) never imports workers/', () => {
    const bad = edges.filter(
      (e) => e.from.startsWith('src/logger/') && e.to.startsWith('workers/'),
    );
    expect(bad.map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it('the core never imports ringlog/http (src/http is an entry point of its own)', () => {
    const bad = edges.filter(
      (e) => !e.from.startsWith('src/http/') && e.to.startsWith('src/http/'),
    );
    expect(bad.map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
    expect(files).toContain('src/http/index.ts');
  });

  it('src/ imports from workers/ only destination options and the registry of kinds', () => {
    const bad = edges.filter((e) => e.from.startsWith('src/') && isWorkerCode(e.to));
    expect(bad.map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it("a destination's options.ts and the registry import nothing that runs in the worker", () => {
    const bad = edges.filter((e) => isAppSide(e.from) && isWorkerCode(e.to) && !e.typeOnly);
    expect(bad.map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it('the worker imports only src/protocol from src/, and options.ts for types', () => {
    const bad = edges.filter(
      (e) =>
        isWorkerCode(e.from) &&
        ((e.to.startsWith('src/') && !e.to.startsWith('src/protocol/')) ||
          (isAppSide(e.to) && !e.typeOnly)),
    );
    expect(bad.map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it('nothing outside src/metrics imports it: the core never loads the metrics entry points', () => {
    const bad = edges.filter(
      (e) => !e.from.startsWith('src/metrics/') && e.to.startsWith('src/metrics/'),
    );
    expect(bad.map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it('src/metrics takes only types from the rest of ringlog', () => {
    // It reads loggers through metrics(); a value import would pull core code into its bundle.
    expect(edges.some((e) => e.from.startsWith('src/metrics/'))).toBe(true);
    const bad = edges.filter(
      (e) => e.from.startsWith('src/metrics/') && !e.to.startsWith('src/metrics/') && !e.typeOnly,
    );
    expect(bad.map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it('src/protocol imports nothing of either side', () => {
    const bad = edges.filter(
      (e) =>
        e.from.startsWith('src/protocol/') &&
        !e.to.startsWith('src/protocol/') &&
        !(isAppSide(e.to) && e.typeOnly),
    );
    expect(bad.map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });
});
