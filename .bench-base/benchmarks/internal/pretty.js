// Pretty printing in the sink: pino-pretty's formatter (prettyFactory, the function its
// transport and CLI run per line) against ours (workers/destinations/pretty/format.ts), on
// the same ringlog lines, with and without colours. Also the install weight of pino-pretty.
//
//   npm run build && node benchmarks/internal/pretty.js [--quick]
//
// Prints records/s (median of the rounds) per formatter and the ratio. One thread, one core.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { s2Fields } from '../lib/scenarios.js';

const require = createRequire(import.meta.url);
const quick = process.argv.includes('--quick');
const LINES = 10_000;
const ROUNDS = quick ? 5 : 15;

// The input: what a service logs, written by ringlog itself. 1 in 50 carries an error with a
// stack (the formatters' slowest path), the rest S2's ten fields and a message.
const { createLogger, DEFAULT_LEVELS } = await import('../../dist/index.js');
const { formatPrettyLine } = await import('../../dist/internal/pretty-format.js');
const dir = mkdtempSync(join(tmpdir(), 'ringlog-pretty-'));
const file = join(dir, 'input.log');
const log = createLogger({ destination: file, name: 'api' });
for (let i = 0; i < LINES; i++) {
  if (i % 50 === 49)
    log.error({ err: new Error(`payment declined ${i}`), reqId: i }, 'charge failed');
  else log.info(s2Fields(i), 'request completed');
}
await log.close();
const lines = readFileSync(file, 'utf8')
  .split('\n')
  .filter((l) => l !== '');
rmSync(dir, { recursive: true });
if (lines.length !== LINES) throw new Error(`expected ${LINES} input lines, got ${lines.length}`);

const { prettyFactory } = require('pino-pretty');
const labels = Object.fromEntries(Object.entries(DEFAULT_LEVELS).map(([k, v]) => [v, k]));

const contenders = {
  'pino-pretty': (colorize) => {
    const pretty = prettyFactory({ colorize });
    return (line) => pretty(line);
  },
  ringlog: (colorize) => {
    const format = { colorize, labels, messageKey: 'msg' };
    return (line) => formatPrettyLine(line, format);
  },
};

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** records/s of `fn` over every line, median of ROUNDS, contenders interleaved per round. */
function measure(colorize) {
  const fns = Object.fromEntries(Object.entries(contenders).map(([k, f]) => [k, f(colorize)]));
  const rates = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
  let sink = 0;
  for (let round = -2; round < ROUNDS; round++) {
    for (const [name, fn] of Object.entries(fns)) {
      const t0 = process.hrtime.bigint();
      for (const l of lines) sink += fn(l).length;
      const ns = Number(process.hrtime.bigint() - t0);
      if (round >= 0) rates[name].push(lines.length / (ns / 1e9)); // rounds < 0 warm up
    }
  }
  if (sink === 0) throw new Error('nothing formatted');
  return Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, Math.round(median(v))]));
}

/** Disk used by a package and everything it depends on, each counted once (du -sk). */
function installWeightKb(name) {
  const seen = new Set();
  const walk = (pkg, from) => {
    let manifest;
    try {
      manifest = createRequire(join(from, 'noop.js')).resolve(`${pkg}/package.json`);
    } catch {
      return; // optional or exports-hidden manifest: not installed here
    }
    const root = dirname(manifest);
    if (seen.has(root)) return;
    seen.add(root);
    const deps = JSON.parse(readFileSync(manifest, 'utf8')).dependencies ?? {};
    for (const d of Object.keys(deps)) walk(d, root);
  };
  walk(name, process.cwd());
  const out = execFileSync('du', ['-skc', ...seen], { encoding: 'utf8' });
  return { packages: seen.size, kb: Number(out.trim().split('\n').at(-1).split('\t')[0]) };
}

const plain = measure(false);
const colored = measure(true);
const weight = installWeightKb('pino-pretty');
const result = {
  node: process.version,
  lines: LINES,
  rounds: ROUNDS,
  recordsPerSecond: { plain, colored },
  ratio: {
    plain: +(plain.ringlog / plain['pino-pretty']).toFixed(2),
    colored: +(colored.ringlog / colored['pino-pretty']).toFixed(2),
  },
  pinoPrettyInstall: weight,
};
console.log(JSON.stringify(result, null, 2));
