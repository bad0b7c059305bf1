// `npm run bench` as a user runs it: the real harness (benchmarks/run.js) with --smoke, which
// runs every step with tiny counts. It must tell what it does as it goes, and leave the
// repository as it found it: no tracked file written, nothing new outside .gitignore.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { start } from './helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });

/** Every tracked file's mtime and size: any write to one of them changes its mtime. */
function trackedStamps(): Map<string, string> {
  const stamps = new Map<string, string>();
  for (const f of git('ls-files', '-z').split('\0')) {
    if (f === '') continue;
    try {
      const st = statSync(join(root, f));
      stamps.set(f, `${st.mtimeMs}:${st.size}`);
    } catch {
      stamps.set(f, 'missing');
    }
  }
  return stamps;
}

interface BenchRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** When each stdout line arrived, in ms from the start. */
  arrivals: number[];
}

async function runBench(args: string[]): Promise<BenchRun> {
  const t0 = Date.now();
  const arrivals: number[] = [];
  const r = await start(process.execPath, [join(root, 'benchmarks', 'run.js'), ...args], {
    cwd: root,
    onStdout: (d) => {
      for (const ch of d) if (ch === '\n') arrivals.push(Date.now() - t0);
    },
  }).ended;
  return { code: r.code, stdout: r.stdout, stderr: r.stderr, arrivals };
}

describe('npm run bench', () => {
  it('prints an estimate and a line at least every 10 s, and writes no tracked file', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ringlog-bench-test-'));
    try {
      const statusBefore = git('status', '--porcelain', '--untracked-files=all');
      const stampsBefore = trackedStamps();
      const file = join(out, 'results.json');
      const r = await runBench(['--smoke', '--out', file]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);

      // The repository is as it was: same status, and no tracked file touched.
      expect(git('status', '--porcelain', '--untracked-files=all')).toBe(statusBefore);
      const stampsAfter = trackedStamps();
      const touched = [...stampsBefore].filter(([f, s]) => stampsAfter.get(f) !== s);
      expect(touched).toEqual([]);

      // Progress: an estimate first, then stamped lines no more than 10 s apart, by the
      // harness's own clock and by when they arrived here (with 2 s for a loaded machine).
      const progress = r.stdout
        .split('\n')
        .map((l) => /^\[\s*(\d+)s\] (.*)$/.exec(l))
        .filter((m) => m !== null);
      expect(progress[0]![2]).toMatch(/^smoke run: 1 round × 5 contenders/);
      expect(progress[1]![2]).toMatch(/^estimate: about \d+ s on a quiet 2-core machine/);
      const stamps = progress.map((m) => Number(m[1]));
      for (let i = 1; i < stamps.length; i++)
        expect(stamps[i]! - stamps[i - 1]!, progress[i]![0]).toBeLessThanOrEqual(10);
      const firstSummaryLine = r.arrivals.findIndex(
        (_, i) => !r.stdout.split('\n')[i]!.startsWith('['),
      );
      const streamed = r.arrivals.slice(0, firstSummaryLine);
      for (let i = 1; i < streamed.length; i++)
        expect(streamed[i]! - streamed[i - 1]!).toBeLessThanOrEqual(12_000);
      // One line per contender and round, each saying its lines were all verified.
      for (const c of ['ringlog', 'pino-sync', 'pino-async', 'pino-transport', 'winston'])
        expect(r.stdout).toMatch(
          new RegExp(`round 1/1 ${c} +S2 paced .* all 2,000 lines verified$`, 'm'),
        );

      // A legend under the tables, and the raw figures where --out said.
      expect(r.stdout).toContain(
        "*×ringlog*: the\ncontender's time divided by ringlog's".replace('\n', '\n  '),
      );
      expect(r.stdout).toMatch(
        /Start-up of a hello world[\s\S]*ringlog's hello world takes [\d.]+× the time of pino \(/,
      );
      expect(r.stdout).toContain(`raw figures in ${file}`);
      const results = JSON.parse(readFileSync(file, 'utf8'));
      expect(results.config.mode).toBe('smoke');
      expect(Object.keys(results.summary.e2e.recordsPerSec).sort()).toEqual([
        'pino-async',
        'pino-sync',
        'pino-transport',
        'ringlog',
        'winston',
      ]);
      for (const v of Object.values(results.summary.e2e.recordsPerSec) as { median: number }[])
        expect(v.median).toBeGreaterThan(0);
      expect(results.startup.ms.ringlog.median).toBeGreaterThan(0);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 300_000);

  it('refuses --write-docs without --full, and unknown arguments, before measuring', async () => {
    const docs = await runBench(['--write-docs']);
    expect(docs.code).toBe(2);
    expect(docs.stderr).toContain('--write-docs needs --full');
    const typo = await runBench(['--ful']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown argument "--ful"');
    expect(docs.stdout + typo.stdout).toBe('');
  });
});
