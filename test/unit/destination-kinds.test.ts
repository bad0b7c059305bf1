/**
 * The two registries of destination kinds agree: every kind the app side resolves (kinds.ts)
 * has a factory in the sink's switch (index.ts) and the other way round, and each kind's
 * name and counters fit what the sink and metrics() expect.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveDestinations } from '../../src/config/options.js';
import { compileLevels } from '../../src/logger/levels.js';
import { MAX_EXTRA_STATS } from '../../src/protocol/stats.js';
import { DESTINATION_KINDS } from '../../workers/destinations/kinds.js';

const levels = compileLevels(undefined, 'test');

// The least each `type` needs to resolve; a kind added without a line here fails below.
const MINIMAL: Record<string, Record<string, unknown>> = {
  stdout: {},
  stderr: {},
  file: { path: '/var/log/app.log' },
  module: { module: '/opt/dest.mjs' },
  syslog: {},
  pretty: {},
  'pino-transport': { target: 'pino-pretty' },
  http: { url: 'http://127.0.0.1:9/ingest' },
};

describe('the registries of destination kinds', () => {
  const types = DESTINATION_KINDS.flatMap((k) => [...k.types]);

  it("every type resolves to a spec with its kind's name and counters", () => {
    expect(Object.keys(MINIMAL).sort()).toEqual([...types].sort());
    for (const kind of DESTINATION_KINDS) {
      for (const type of kind.types) {
        const [spec] = resolveDestinations(levels, { type, ...MINIMAL[type] });
        expect(spec!.name.length).toBeGreaterThan(0);
        expect(spec!.extraStats).toEqual(kind.extraStats);
        expect(kind.extraStats.length).toBeLessThanOrEqual(MAX_EXTRA_STATS);
        expect(new Set(kind.extraStats).size).toBe(kind.extraStats.length);
      }
    }
  });

  it("the sink's switch has a case for every spec kind the app side makes, and no other", () => {
    const specKinds = new Set(
      types.map((type) => resolveDestinations(levels, { type, ...MINIMAL[type] })[0]!.kind),
    );
    const source = readFileSync(
      new URL('../../workers/destinations/index.ts', import.meta.url),
      'utf8',
    );
    const cases = new Set([...source.matchAll(/case '([^']+)':/g)].map((m) => m[1]!));
    expect([...cases].sort()).toEqual([...specKinds].sort());
    // Each case loads its implementation on first use.
    expect([...source.matchAll(/await import\('\.\/[^']+'\)/g)].length).toBe(cases.size);
  });
});
