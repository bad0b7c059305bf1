/**
 * Docs that run: every ```ts / ```js / ```sh block of README.md and docs/*.md is run against
 * the built package, unless it is marked `<!-- fragment: reason -->` (those are listed, with
 * their reason, in the test output). A block followed by an `<!-- output -->` block must print
 * exactly that (`…` for any text). The conventions are in test/e2e/doc-blocks.ts and in
 * docs/architecture.md ("Code blocks in the docs").
 *
 * Each block runs as its own process, in its own directory under one temp dir whose
 * node_modules links `ringlog` to this repository (so `import … from 'ringlog'` loads dist/)
 * and pino, winston, pino-pretty, express to the repository's own copies. TypeScript is
 * turned into JavaScript by esbuild (types stripped, nothing else).
 *
 * docs/migrating.md's before/after pairs (a `pino` or `winston` block, then a `ringlog` block)
 * are compared as well: the same records, field for field, apart from time, pid and hostname,
 * and the fields the `ringlog` block names in `differs=` (the doc says why each differs).
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { type Block, classify, matchLines, readBlocks } from './doc-blocks.js';
import { tempDir } from './helpers.js';

const root = resolve(import.meta.dirname, '../..');
const docFiles = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const all = docFiles.flatMap((f) => readBlocks(join(root, f), f));
const blocks = classify(all);

const work = tempDir('ringlog-docs-');
mkdirSync(join(work, 'node_modules'));
symlinkSync(root, join(work, 'node_modules', 'ringlog'), 'dir');
for (const dep of ['pino', 'winston', 'pino-pretty', 'express', 'fastify', 'prom-client']) {
  symlinkSync(join(root, 'node_modules', dep), join(work, 'node_modules', dep), 'dir');
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  dir: string;
}

function run(b: Block): Promise<Ran> {
  const dir = join(work, `${b.file.replace(/[/.]/g, '_')}-${b.line}`);
  mkdirSync(dir);
  let cmd: string;
  let args: string[];
  if (b.lang === 'sh') {
    cmd = 'bash';
    args = ['-euo', 'pipefail', '-c', b.code];
  } else {
    const js = transformSync(b.code, { loader: 'ts', format: 'esm', target: 'node20' }).code;
    writeFileSync(join(dir, 'block.mjs'), js);
    cmd = process.execPath;
    args = ['block.mjs'];
  }
  const child = spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((done) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr, dir });
    }),
  );
}

/** What a block wrote where its doc says it writes: stdout, or the file of `file=`. */
function printed(b: Block, r: Ran): string {
  const file = b.words.find((w) => w.startsWith('file='))?.slice(5);
  if (file === undefined) return r.stdout;
  const path = join(r.dir, file);
  return existsSync(path) ? readFileSync(path, 'utf8') : `(no file ${file})`;
}

const results = new Map<Block, Ran>();

// Blocks run three at a time: each is a process (most with a sink worker) on a 2-core machine
// shared with other tests; one at a time took ~45 s.
let running = 0;
const waiting: (() => void)[] = [];
async function limited<T>(f: () => Promise<T>): Promise<T> {
  // A finished block hands its slot straight to the next waiting one.
  if (running >= 3) await new Promise<void>((r) => waiting.push(r));
  else running++;
  try {
    return await f();
  } finally {
    const next = waiting.shift();
    if (next === undefined) running--;
    else next();
  }
}

describe('docs that run', () => {
  it('lists the blocks that are not run, each with its reason', () => {
    const list = blocks.fragments.map(
      ({ block, reason }) => `  ${block.file}:${block.line} (${reason})`,
    );
    console.log(
      `doc blocks: ${blocks.runnable.length} run, ${blocks.fragments.length} fragments, ` +
        `${blocks.outputs.length} outputs checked, ${blocks.notCode.length} not code\n` +
        `fragments:\n${list.join('\n')}`,
    );
    for (const { block, reason } of blocks.fragments) {
      expect(reason.trim().length, `${block.file}:${block.line}`).toBeGreaterThan(3);
    }
    // Every runnable-language block is either run or listed as a fragment.
    const code = all.filter((b) => ['ts', 'js', 'sh'].includes(b.lang));
    expect(blocks.runnable.length + blocks.fragments.length).toBe(code.length);
  });

  for (const b of blocks.runnable) {
    it.concurrent(`${b.file}:${b.line} (${b.lang}${b.words.length > 0 ? ` ${b.words.join(' ')}` : ''})`, async ({
      expect,
    }) => {
      const r = await limited(() => run(b));
      results.set(b, r);
      const exit = Number(b.words.find((w) => w.startsWith('exit='))?.slice(5) ?? 0);
      expect(r.code, `exit code; stderr:\n${r.stderr}\nstdout:\n${r.stdout}`).toBe(exit);
      if (b.output !== undefined) {
        const mismatch = matchLines(printed(b, r), b.output.code);
        expect(mismatch, `${b.file}:${b.output.line}: ${mismatch}`).toBeUndefined();
      }
    });
  }
});

type Rec = Record<string, unknown>;

const parse = (text: string): Rec[] =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Rec);

function drop(r: Rec, keys: string[]): Rec {
  const copy: Rec = JSON.parse(JSON.stringify(r));
  for (const k of keys) {
    const path = k.split('.');
    let o: Rec | undefined = copy;
    for (const p of path.slice(0, -1)) o = o?.[p] as Rec | undefined;
    if (o !== undefined) delete o[path.at(-1)!];
  }
  return copy;
}

describe('docs/migrating.md: each before/after pair writes the same records', () => {
  const mig = blocks.runnable.filter((b) => b.file === 'docs/migrating.md');
  const pairs: [Block, Block][] = [];
  for (let i = 1; i < mig.length; i++) {
    if (mig[i]!.words.includes('ringlog') && /pino|winston/.test(mig[i - 1]!.words.join(' ')))
      pairs.push([mig[i - 1]!, mig[i]!]);
  }
  // `compare=no`: the doc says why the pair's records differ; each output is still checked.
  const compared = pairs.filter(([, after]) => !after.words.includes('compare=no'));

  it('has pairs, each with its output documented', () => {
    expect(pairs.length).toBeGreaterThan(0);
    for (const [before, after] of pairs) {
      expect(before.output, `${before.file}:${before.line}`).toBeDefined();
      expect(after.output, `${after.file}:${after.line}`).toBeDefined();
    }
  });

  for (const [before, after] of compared) {
    const differs =
      after.words
        .find((w) => w.startsWith('differs='))
        ?.slice(8)
        .split(',') ?? [];
    it(`${before.line} (${before.words[0]}) and ${after.line}${differs.length > 0 ? `, differing in ${differs.join(', ')}` : ''}`, async () => {
      const b = results.get(before) ?? (await run(before));
      const a = results.get(after) ?? (await run(after));
      const ignore = ['time', 'pid', 'hostname', 'timestamp', ...differs];
      let want = parse(printed(before, b)).map((r) => drop(r, ignore));
      const got = parse(printed(after, a)).map((r) => drop(r, ignore));
      if (before.words.includes('winston')) {
        // winston's message and level name are ringlog's msg and level number (pino's numbers).
        const numbers: Rec = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
        want = want.map(({ message, level, ...rest }) => ({
          ...rest,
          ...(ignore.includes('level') ? {} : { level: numbers[level as string] }),
          ...(message === undefined || message === '' ? {} : { msg: message }),
        }));
      }
      expect(got).toEqual(want);
      // A documented difference is a field one side writes and the other does not, or
      // writes with another value: never a name that neither side has.
      const valueAt = (r: Rec, k: string): unknown => {
        let o: unknown = r;
        for (const p of k.split('.')) o = (o as Rec | undefined)?.[p];
        return o;
      };
      const beforeRecs = parse(printed(before, b));
      const afterRecs = parse(printed(after, a));
      for (const k of differs) {
        const differ = afterRecs.some(
          (r, i) =>
            JSON.stringify(valueAt(r, k)) !== JSON.stringify(valueAt(beforeRecs[i] ?? {}, k)),
        );
        expect(differ, `${k} differs between the two`).toBe(true);
      }
    });
  }
});
