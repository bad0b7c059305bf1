// Start-up, whole process: how long `node -e "<hello world>"` takes from spawn to exit, for
// ringlog and for pino, side by side. Runs alternate (each round runs every command once, in
// an order rotated from round to round) and ratios are taken inside each round, so a noisy
// neighbour slows every command alike. Every hello world must print its one line, which is
// parsed: a command that exits without writing fails the run.
//
//   node benchmarks/startup.js [--runs N] [--json] [--write-docs]
//
// The commands run in the repository's root, where `import('ringlog')` resolves to the built
// package (dist/index.js) through package.json's exports, as it does in an application.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spread } from './lib/stats.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The commands, each a `node -e` script; `line` says where its one log line goes. */
export const STARTUP_COMMANDS = [
  { name: 'node alone', code: '0', line: null },
  { name: 'import ringlog', code: "import('ringlog')", line: null },
  {
    name: 'ringlog',
    code: "import('ringlog').then(({ createLogger }) => createLogger().info('hi'))",
    line: 'stderr',
  },
  { name: 'import pino', code: "import('pino')", line: null },
  {
    name: 'pino',
    code: "import('pino').then(({ default: pino }) => pino().info('hi'))",
    line: 'stdout',
  },
  {
    name: 'pino.transport',
    code: "import('pino').then(({ default: pino }) => pino(pino.transport({ target: 'pino/file', options: { destination: 2 } })).info('hi'))",
    line: 'stderr',
  },
];

function runOnce(cmd) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['-e', cmd.code], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0)
    throw new Error(`${cmd.name}: exit ${r.status ?? r.signal}\n${r.stderr.slice(0, 500)}`);
  if (cmd.line !== null) {
    const out = cmd.line === 'stdout' ? r.stdout : r.stderr;
    const lines = out.split('\n').filter((l) => l.length > 0);
    if (lines.length !== 1) throw new Error(`${cmd.name}: ${lines.length} lines, expected 1`);
    const rec = JSON.parse(lines[0]);
    if (rec.msg !== 'hi' || rec.level !== 30)
      throw new Error(`${cmd.name}: unexpected line ${lines[0]}`);
  }
  return ms;
}

/**
 * Runs every command `runs` times, alternating. `onRound(i, msByName)` is called after each
 * round. Returns medians with min–max per command and, per round, ringlog's time over pino's
 * and over pino.transport's.
 */
export function measureStartup({ runs = 21, onRound } = {}) {
  const loadBefore = loadavg()[0];
  const ms = Object.fromEntries(STARTUP_COMMANDS.map((c) => [c.name, []]));
  for (let i = 0; i < runs; i++) {
    const n = STARTUP_COMMANDS.length;
    const order = STARTUP_COMMANDS.map((_, k) => STARTUP_COMMANDS[(k + i) % n]);
    const round = {};
    for (const cmd of order) {
      round[cmd.name] = runOnce(cmd);
      ms[cmd.name].push(round[cmd.name]);
    }
    onRound?.(i, round);
  }
  const perRound = (f) => spread(ms.ringlog.map((_, i) => f(i)));
  return {
    runs,
    ms: Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, spread(v)])),
    ringlogVsPino: perRound((i) => ms.ringlog[i] / ms.pino[i]),
    ringlogVsPinoTransport: perRound((i) => ms.ringlog[i] / ms['pino.transport'][i]),
    // What each command adds to Node's own start-up, round by round.
    aboveNode: Object.fromEntries(
      Object.entries(ms).map(([k, v]) => [k, spread(v.map((t, i) => t - ms['node alone'][i]))]),
    ),
    date: new Date().toISOString(),
    // The 1-minute load average before and after, and the cores: absolute times scale with it.
    load: { before: loadBefore, after: loadavg()[0], cores: cpus().length },
  };
}

const f0 = (v) => `${v.toFixed(0)} ms`;
const x = (v) => `${v.toFixed(2)}×`;

export function startupRows(s) {
  return STARTUP_COMMANDS.map((c) => [
    c.name,
    `${f0(s.ms[c.name].median)} (${f0(s.ms[c.name].min)}–${f0(s.ms[c.name].max)})`,
    c.name === 'node alone' ? '—' : f0(s.aboveNode[c.name].median),
  ]);
}

export const STARTUP_HEADER = ['command', 'whole process (min–max)', 'above node alone'];

/** The lines under the table: what each row runs and what the figures say. */
export function startupLegend(s) {
  const verdict = (r, who) =>
    `ringlog's hello world takes ${x(r.median)} the time of ${who} (rounds ${x(r.min)}–${x(r.max)}): ${
      r.median <= 1 ? 'met' : 'missed'
    } (target: ≤ 1×)`;
  const load = s.load
    ? ` Load average ${s.load.before.toFixed(1)} → ${s.load.after.toFixed(1)} on ${s.load.cores} cores: absolute times grow with it, ratios much less.`
    : '';
  return [
    `${s.runs} runs of each command, alternating; medians, with the fastest and slowest run.${load}`,
    '*node alone* is `node -e 0`; *import ringlog* and *import pino* only load the package; *ringlog* is',
    "`createLogger().info('hi')` (stderr, through the sink worker); *pino* is `pino().info('hi')`",
    '(stdout, written on the main thread, no worker); *pino.transport* is pino with `pino/file` to',
    'fd 2 in a worker thread, the same shape as ringlog. *above node alone* is the median, round',
    "by round, of the command's time minus `node -e 0`'s.",
    `- ${verdict(s.ringlogVsPino, 'pino')}`,
    `- ${verdict(s.ringlogVsPinoTransport, 'pino.transport')}`,
  ];
}

function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function renderStartupMarkdown(
  s,
  machine,
  command = 'node benchmarks/startup.js --write-docs',
) {
  return [
    `Measured by \`${command}\` on ${s.date.slice(0, 10)}${
      machine
        ? ` (${machine.cores} cores, Node ${machine.node}${machine.commit ? `, commit ${machine.commit}` : ''})`
        : ''
    }.`,
    '',
    `| ${STARTUP_HEADER.join(' | ')} |`,
    `| ${STARTUP_HEADER.map(() => '---').join(' | ')} |`,
    ...startupRows(s).map((r) => `| ${r.join(' | ')} |`),
    '',
    ...startupLegend(s),
  ].join('\n');
}

export const STARTUP_START = '<!-- startup:start -->';
export const STARTUP_END = '<!-- startup:end -->';

/** Replaces the start-up section of docs/benchmarks.md (between its markers). */
export function writeStartupDocs(s, machine) {
  const md = join(root, 'docs', 'benchmarks.md');
  const text = readFileSync(md, 'utf8');
  const a = text.indexOf(STARTUP_START);
  const b = text.indexOf(STARTUP_END);
  if (a < 0 || b < a) throw new Error(`docs/benchmarks.md has no ${STARTUP_START} section`);
  writeFileSync(
    md,
    `${text.slice(0, a + STARTUP_START.length)}\n${renderStartupMarkdown(s, machine)}\n${text.slice(b)}`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const i = args.indexOf('--runs');
  const runs = i >= 0 ? Number(args[i + 1]) : 25;
  const json = args.includes('--json');
  const log = (m) => (json ? process.stderr : process.stdout).write(`${m}\n`);
  log(`start-up: ${runs} runs of ${STARTUP_COMMANDS.length} commands, alternating`);
  const s = measureStartup({
    runs,
    onRound: (k, round) => {
      if ((k + 1) % 5 === 0 || k + 1 === runs)
        log(
          `  run ${k + 1}/${runs}: ringlog ${f0(round.ringlog)}, pino ${f0(round.pino)}, pino.transport ${f0(round['pino.transport'])}`,
        );
    },
  });
  if (json) process.stdout.write(`${JSON.stringify(s)}\n`);
  else log(`\n${table(STARTUP_HEADER, startupRows(s))}\n${startupLegend(s).join('\n')}`);
  if (args.includes('--write-docs')) {
    // Not report.js's machineInfo(): report.js imports this module, which is still running.
    let commit = null;
    try {
      commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
        cwd: root,
        encoding: 'utf8',
      }).trim();
    } catch {
      // not a git checkout
    }
    writeStartupDocs(s, { cores: cpus().length, node: process.version, commit });
    log('wrote the start-up section of docs/benchmarks.md');
  }
}
