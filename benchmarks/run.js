// npm run bench [-- --full] [--write-docs] [--smoke] [--rounds N] [--out FILE]
//
// ringlog against pino (sync, async, transport) and winston on the same scenarios, plus the
// start-up of a hello world. Every contender runs in a child process of its own
// (benchmarks/child.js); contenders alternate round by round, so a noisy neighbour slows all
// of them, not one. Prints medians with min–max, ratios taken round by round, a legend under
// each table and the verdicts against the targets.
//
// The default run takes about two and a half minutes (with a quick CPU profile) and writes
// nothing tracked by git: the console, and the raw figures in benchmarks/results/latest.json
// (ignored). `--full` runs longer (more rounds and records, a longer profile); `--full --write-docs` regenerates the generated
// sections of docs/benchmarks.md, docs/benchmarks.svg and benchmarks/results/<date>-<commit>.json.
// `--smoke` runs every step with tiny counts (seconds): it checks the harness, not the speed.
import { execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
  constants,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTENDERS, PINO_MODES } from './lib/contenders.js';
import { evaluate, machineInfo, printSummary, writeReport } from './lib/report.js';
import { PER_CALL_SCENARIOS } from './lib/scenarios.js';
import { spread } from './lib/stats.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

const USAGE = `usage: npm run bench [-- --full [--write-docs] | --smoke] [--rounds N] [--out FILE]
  (default)     about 2.5 minutes, a quick CPU profile; console and benchmarks/results/latest.json
                (ignored by git)
  --full        about 8 minutes on a quiet 2-core machine: more rounds and records, a CPU profile
  --write-docs  with --full: regenerate docs/benchmarks.md's tables, docs/benchmarks.svg and
                benchmarks/results/<date>-<commit>.json (tracked files: commit them)
  --smoke       every step with tiny counts, in seconds: checks the harness, not the speed
  --rounds N    rounds of the contender comparison
  --out FILE    where the raw figures go (default benchmarks/results/latest.json)
  --quick       the default run (kept for old scripts)`;

const args = process.argv.slice(2);
const FLAGS = new Set(['--full', '--write-docs', '--smoke', '--quick', '--help']);
const VALUED = new Set(['--rounds', '--out']);
for (let i = 0; i < args.length; i++) {
  if (VALUED.has(args[i])) {
    if (args[i + 1] === undefined || args[i + 1].startsWith('--')) {
      process.stderr.write(`npm run bench: ${args[i]} needs a value\n${USAGE}\n`);
      process.exit(2);
    }
    i++;
  } else if (!FLAGS.has(args[i])) {
    process.stderr.write(`npm run bench: unknown argument "${args[i]}"\n${USAGE}\n`);
    process.exit(2);
  }
}
if (args.includes('--help')) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const argValue = (name) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const MODE = args.includes('--smoke') ? 'smoke' : args.includes('--full') ? 'full' : 'default';
const WRITE_DOCS = args.includes('--write-docs');
if (WRITE_DOCS && MODE !== 'full') {
  process.stderr.write(
    'npm run bench: --write-docs needs --full (the documented figures come from full runs)\n',
  );
  process.exit(2);
}

// `seconds`: what each phase took on a quiet 2-core machine (AMD EPYC, Node 20), the base of
// the estimate printed at the start; each run records its own in results.phases.
const CONFIGS = {
  smoke: {
    rounds: 1,
    iterations: 2,
    warmup: 1,
    e2eRecords: 2_000,
    latRecords: 500,
    bursts: 5,
    memoryRounds: 1,
    memoryRecords: 100,
    blockAfterMs: 5_000,
    ringRecords: 5_000,
    ringRounds: 1,
    featureRounds: 1,
    featureIterations: 2,
    startupRuns: 1,
    profile: false,
    seconds: { rounds: 12, memory: 3, ring: 1, features: 1, startup: 1 },
  },
  default: {
    rounds: 2,
    iterations: 30,
    warmup: 5,
    e2eRecords: 100_000,
    latRecords: 20_000,
    bursts: 100,
    memoryRounds: 1,
    memoryRecords: 10_000,
    blockAfterMs: 5_000,
    ringRecords: 100_000,
    ringRounds: 2,
    featureRounds: 3,
    featureIterations: 30,
    startupRuns: 11,
    // A quick profile (300,000 records): the report explains a missed goal from it.
    profile: true,
    seconds: { rounds: 50, memory: 8, ring: 4, features: 6, startup: 5, profile: 15 },
  },
  full: {
    rounds: 4,
    iterations: 100,
    warmup: 10,
    e2eRecords: 500_000,
    latRecords: 100_000,
    bursts: 500,
    memoryRounds: 2,
    memoryRecords: 10_000,
    blockAfterMs: 8_000,
    ringRecords: 200_000,
    ringRounds: 5,
    featureRounds: 5,
    featureIterations: 60,
    startupRuns: 25,
    profile: true,
    seconds: { rounds: 300, memory: 20, ring: 15, features: 20, startup: 12, profile: 20 },
  },
};
const CFG = { ...CONFIGS[MODE] };
if (argValue('rounds') !== undefined) {
  const n = Number(argValue('rounds'));
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(
      `npm run bench: --rounds must be a whole number ≥ 1, got "${argValue('rounds')}"\n`,
    );
    process.exit(2);
  }
  CFG.seconds = { ...CFG.seconds, rounds: (CFG.seconds.rounds * n) / CFG.rounds };
  CFG.rounds = n;
}
const OUT = argValue('out') ?? join(root, 'benchmarks', 'results', 'latest.json');

const started = Date.now();
const dir = mkdtempSync(join(tmpdir(), 'ringlog-bench-'));
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)}s`.padStart(5);
let lastLine = Date.now();
// What the run is doing now, for the heartbeat: the stage, and the step a child reported.
let current = 'starting';
let childStep = '';
const setStage = (what) => {
  current = what;
  childStep = '';
};
const progress = (msg) => {
  lastLine = Date.now();
  process.stdout.write(`[${elapsed()}] ${msg}\n`);
};
// Whatever a step does, a line at least every 10 s, naming the step.
const HEARTBEAT_MS = 9_000;
const heartbeat = setInterval(() => {
  if (Date.now() - lastLine >= HEARTBEAT_MS)
    progress(`  … ${current}${childStep ? `: ${childStep}` : ''}`);
}, 1_000);
heartbeat.unref();
// Ctrl-C, a kill or a failed check ends the children still running and removes the scratch
// files.
const live = new Set();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    process.stderr.write(`\nnpm run bench: stopped by ${signal}; scratch files removed\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}
/** Spawns a node process that the signal handlers above will end. */
function spawnNode(nodeArgs) {
  const child = spawn(process.execPath, nodeArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}
const phases = {};
async function phase(name, fn) {
  const t0 = Date.now();
  const out = await fn();
  phases[name] = (Date.now() - t0) / 1000;
  return out;
}
const fmtS = (s) => (s >= 90 ? `${(s / 60).toFixed(1)} min` : `${Math.round(s)} s`);

/**
 * Runs benchmarks/child.js and returns its result. Its `{"step"}` lines name what it is doing
 * (the heartbeat shows them). With `blockAfterMs`, a child that has not answered by then is
 * killed and reported as blocked (pino's sync destination blocks the app thread for good
 * behind a destination that does not drain).
 */
function runChild(
  mode,
  contender,
  extra = [],
  { blockAfterMs, timeoutMs = 180_000, workDir = dir } = {},
) {
  return new Promise((resolve, reject) => {
    const child = spawnNode([
      '--expose-gc',
      join(here, 'child.js'),
      mode,
      contender,
      workDir,
      ...extra,
    ]);
    let out = '';
    let err = '';
    let settled = false;
    const finish = (fn, v) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn(v);
    };
    const limit = blockAfterMs ?? timeoutMs;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      if (blockAfterMs !== undefined) finish(resolve, { blocked: true });
      else finish(reject, new Error(`${mode} ${contender}: no answer within ${limit} ms\n${err}`));
    }, limit);
    child.stdout.on('data', (d) => {
      out += d;
      for (let nl = out.indexOf('\n'); nl !== -1; nl = out.indexOf('\n')) {
        const msg = JSON.parse(out.slice(0, nl));
        out = out.slice(nl + 1);
        if (msg.step !== undefined) {
          childStep = msg.step;
          continue;
        }
        // memory mode leaves writers stuck on a FIFO on purpose: no need to wait for its exit.
        if (mode === 'memory') child.kill('SIGKILL');
        finish(resolve, msg.result);
      }
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code, signal) => {
      if (code !== 0 && !settled) {
        finish(reject, new Error(`${mode} ${contender} failed (${code ?? signal}):\n${err}`));
      }
    });
  });
}

/**
 * Runs a benchmark script that prints one JSON object on stdout; the lines it writes on
 * stderr are progress, shown as they come.
 */
function runScript(script, scriptArgs) {
  return new Promise((resolve, reject) => {
    const child = spawnNode([join(here, script), ...scriptArgs]);
    let out = '';
    let err = '';
    let partial = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
      partial += d;
      for (let nl = partial.indexOf('\n'); nl !== -1; nl = partial.indexOf('\n')) {
        progress(`  ${partial.slice(0, nl).trim()}`);
        partial = partial.slice(nl + 1);
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) reject(new Error(`${script} failed (${code ?? signal}):\n${err}`));
      else resolve(JSON.parse(out));
    });
  });
}
/** The end-to-end check: every line parses and every reqId 0..n-1 is there exactly once. */
function verifyE2e(contender, path, n) {
  const text = readFileSync(path, 'utf8');
  const seen = new Uint8Array(n);
  let lines = 0;
  let start = 0;
  for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
    const line = text.slice(start, end);
    start = end + 1;
    lines++;
    let rec;
    try {
      rec = JSON.parse(line);
    } catch {
      throw new Error(`${contender}: line ${lines} is not JSON: ${line.slice(0, 120)}`);
    }
    const id = rec.reqId;
    if (!Number.isInteger(id) || id < 0 || id >= n)
      throw new Error(`${contender}: bad reqId in line ${lines}`);
    if (seen[id]) throw new Error(`${contender}: reqId ${id} written twice`);
    seen[id] = 1;
  }
  if (start !== text.length) throw new Error(`${contender}: the file ends with a partial line`);
  if (lines !== n) throw new Error(`${contender}: ${lines} lines on disk, ${n} logged`);
  rmSync(path, { force: true });
}

const results = {
  config: { mode: MODE, quick: MODE !== 'full', ...CFG },
  machine: machineInfo(),
  percall: {},
  e2e: {},
  latency: { S2: {}, S7: {} },
  memory: {},
};
for (const id of PER_CALL_SCENARIOS) results.percall[id] = { tight: {}, paced: {} };
const push = (obj, key, v) => {
  obj[key] ??= [];
  obj[key].push(v);
};

const estimate = Object.values(CFG.seconds).reduce((a, b) => a + b, 0);
const load = loadavg()[0];
const cores = cpus().length;
progress(
  `${MODE} run: ${CFG.rounds} round${CFG.rounds > 1 ? 's' : ''} × ${CONTENDERS.length} contenders ` +
    `(${CONTENDERS.join(', ')}), ${CFG.e2eRecords.toLocaleString('en-US')} records end to end, then ` +
    `memory, ring, optional features${CFG.profile ? ', profile' : ''} and start-up.`,
);
progress(
  `estimate: about ${fmtS(estimate)} on a quiet 2-core machine; load now ${load.toFixed(1)} on ${cores} cores` +
    // Other work shares the cores: a default run at a load of 15-17 on 2 cores took 8.8×
    // this estimate, close to load / cores.
    `${load > cores ? `, so expect about ${fmtS(estimate * (load / cores))}` : ''}. Scratch files in ${dir}`,
);

await phase('rounds', async () => {
  for (let round = 0; round < CFG.rounds; round++) {
    const t0 = Date.now();
    const order = CONTENDERS.map((_, i) => CONTENDERS[(i + round) % CONTENDERS.length]);
    for (const c of order) {
      setStage(`round ${round + 1}/${CFG.rounds} ${c}`);
      progress(`${current}: per call S1–S6, end to end, latency`);
      const pc = await runChild('percall', c, [
        `--iterations=${CFG.iterations}`,
        `--warmup=${CFG.warmup}`,
      ]);
      for (const id of PER_CALL_SCENARIOS) {
        push(results.percall[id].tight, c, pc[id].tight);
        push(results.percall[id].paced, c, pc[id].paced);
      }
      const e = await runChild('e2e', c, [`--records=${CFG.e2eRecords}`]);
      verifyE2e(c, e.path, e.records);
      for (const k of ['recordsPerSec', 'cpuNsPerRecord', 'peakRssMB', 'wallMs']) {
        results.e2e[c] ??= {};
        push(results.e2e[c], k, e[k]);
      }
      const lat = await runChild('latency', c, [
        `--records=${CFG.latRecords}`,
        `--bursts=${CFG.bursts}`,
      ]);
      for (const s of ['S2', 'S7']) {
        results.latency[s][c] ??= {};
        for (const k of ['p50', 'p99', 'p999', 'max']) push(results.latency[s][c], k, lat[s][k]);
      }
      progress(
        `${`round ${round + 1}/${CFG.rounds} ${c}`.padEnd(24)} S2 paced ${(pc.S2.paced / 1000).toFixed(2)} µs/call, ` +
          `end to end ${Math.round(e.recordsPerSec).toLocaleString('en-US')} rec/s, ` +
          `S2 p99.9 ${(lat.S2.p999 / 1000).toFixed(1)} µs; all ${e.records.toLocaleString('en-US')} lines verified`,
      );
    }
    // The estimate again, from what this round took on this machine now.
    const tookS = (Date.now() - t0) / 1000;
    const scale = tookS / (CFG.seconds.rounds / CFG.rounds);
    const left = tookS * (CFG.rounds - round - 1) + scale * (estimate - CFG.seconds.rounds);
    progress(`round ${round + 1}/${CFG.rounds} took ${fmtS(tookS)}: about ${fmtS(left)} left`);
  }
});

// (d) A FIFO that nobody reads, one per child: every contender's destination stops draining
// once the pipe's kernel buffer (64 KiB) is full. We hold the read end open so that writers
// can open it.
await phase('memory', async () => {
  const n = CFG.memoryRecords.toLocaleString('en-US');
  for (let round = 0; round < CFG.memoryRounds; round++) {
    for (const c of CONTENDERS) {
      setStage(`memory ${c}: ${n} records into a pipe nobody reads`);
      const workDir = join(dir, `memory-${c}-${round}`);
      mkdirSync(workDir);
      const fifo = join(workDir, 'fifo');
      execFileSync('mkfifo', [fifo]);
      const fifoFd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
      const m = await runChild('memory', c, [`--records=${CFG.memoryRecords}`], {
        blockAfterMs: CFG.blockAfterMs,
        workDir,
      }).finally(() => closeSync(fifoFd));
      results.memory[c] ??= [];
      results.memory[c].push(m);
      progress(
        `memory ${c.padEnd(14)} ${
          m.blocked
            ? `blocked: the app thread did not get through ${n} calls within ${CFG.blockAfterMs / 1000} s`
            : `${m.heldMB.toFixed(2)} MB held after ${n} records${
                m.dropped ? ` (${m.dropped.toLocaleString('en-US')} dropped by policy)` : ''
              }`
        }`,
      );
    }
  }
});

// (e) The ring against thread-stream, raw, in one process (benchmarks/internal/).
setStage('ring against thread-stream (100 B and 1 KB records)');
progress(current);
results.ring = await phase('ring', () =>
  runScript('internal/ring-vs-thread-stream.js', [
    '--json',
    '--records',
    String(CFG.ringRecords),
    '--rounds',
    String(CFG.ringRounds),
  ]),
);

// Optional features against the plain path: typed events, the flight recorder.
setStage('typed events and the flight recorder against the plain path');
progress(current);
results.features = await phase('features', () =>
  runScript('features.js', [
    '--json',
    '--rounds',
    String(CFG.featureRounds),
    '--iterations',
    String(CFG.featureIterations),
  ]),
);

// Where the time goes: a CPU profile of the S2 hot path and the floor on this machine.
if (CFG.profile) {
  setStage('profiling the S2 hot path (--cpu-prof) and measuring the floor');
  progress(current);
  results.profile = await phase('profile', () =>
    runScript('profile.js', [join(dir, 'prof'), MODE === 'full' ? '--full' : '--quick']),
  );
}

// Start-up of a hello world, whole process, against pino's.
setStage(`start-up: ${CFG.startupRuns} runs of each hello world`);
progress(current);
results.startup = await phase('startup', () =>
  runScript('startup.js', ['--json', '--runs', String(CFG.startupRuns)]),
);

rmSync(dir, { recursive: true, force: true });
clearInterval(heartbeat);

// Summaries: medians, min–max, and ratios taken round by round.
results.summary = summarize(results);
results.verdicts = evaluate(results.summary);
results.phases = phases;
results.durationSec = (Date.now() - started) / 1000;
printSummary(results);
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, `${JSON.stringify(results, null, 2)}\n`);
const shown = (p) => (relative(root, p).startsWith('..') ? p : relative(root, p));
progress(`raw figures in ${shown(OUT)}`);
if (WRITE_DOCS) {
  const written = writeReport(results, root);
  progress(`wrote ${written.map(shown).join(', ')}: tracked files, review and commit them`);
}

function summarize(r) {
  const rounds = r.config.rounds;
  const ratioRounds = (get) => {
    const xs = [];
    for (let i = 0; i < rounds; i++) xs.push(get(i));
    return spread(xs);
  };
  const bestPino = (series, i, pick) => pick(...PINO_MODES.map((m) => series[m][i]));
  const out = { percall: {}, e2e: {}, latency: {}, memory: {} };
  for (const id of PER_CALL_SCENARIOS) {
    out.percall[id] = {};
    for (const loop of ['tight', 'paced']) {
      const s = r.percall[id][loop];
      out.percall[id][loop] = {
        ns: Object.fromEntries(CONTENDERS.map((c) => [c, spread(s[c])])),
        // contender / ringlog per round: how many times ringlog's cost each one pays.
        vsRinglog: Object.fromEntries(
          CONTENDERS.map((c) => [c, ratioRounds((i) => s[c][i] / s.ringlog[i])]),
        ),
        ringlogVsBestPino: ratioRounds((i) => s.ringlog[i] / bestPino(s, i, Math.min)),
      };
    }
  }
  const e = r.e2e;
  const perKey = (k) => Object.fromEntries(CONTENDERS.map((c) => [c, spread(e[c][k])]));
  out.e2e = {
    recordsPerSec: perKey('recordsPerSec'),
    cpuNsPerRecord: perKey('cpuNsPerRecord'),
    peakRssMB: perKey('peakRssMB'),
    throughputVsBestPino: ratioRounds(
      (i) => e.ringlog.recordsPerSec[i] / Math.max(...PINO_MODES.map((m) => e[m].recordsPerSec[i])),
    ),
    throughputVsWinston: ratioRounds(
      (i) => e.ringlog.recordsPerSec[i] / e.winston.recordsPerSec[i],
    ),
    cpuVsBestPino: ratioRounds(
      (i) =>
        e.ringlog.cpuNsPerRecord[i] / Math.min(...PINO_MODES.map((m) => e[m].cpuNsPerRecord[i])),
    ),
  };
  for (const s of ['S2', 'S7']) {
    const l = r.latency[s];
    out.latency[s] = {
      ns: Object.fromEntries(
        CONTENDERS.map((c) => [
          c,
          Object.fromEntries(['p50', 'p99', 'p999', 'max'].map((k) => [k, spread(l[c][k])])),
        ]),
      ),
      p999VsPinoSync: ratioRounds((i) => l.ringlog.p999[i] / l['pino-sync'].p999[i]),
    };
  }
  for (const c of CONTENDERS) {
    const runs = r.memory[c];
    const blocked = runs.filter((m) => m.blocked).length;
    const held = runs.filter((m) => !m.blocked).map((m) => m.heldMB);
    const rss = runs.filter((m) => !m.blocked).map((m) => m.rssGrowthMB);
    const dropped = runs.filter((m) => !m.blocked && m.dropped !== null).map((m) => m.dropped);
    out.memory[c] = {
      blocked,
      runs: runs.length,
      heldMB: held.length ? spread(held) : null,
      rssGrowthMB: rss.length ? spread(rss) : null,
      dropped: dropped.length ? spread(dropped) : null,
    };
  }
  out.ring = r.ring;
  return out;
}
