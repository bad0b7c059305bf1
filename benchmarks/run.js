// npm run bench [-- --quick] [--rounds N] [--no-docs]
//
// ringlog against pino (sync, async, transport) and winston on the same scenarios. Every
// contender runs in a child process of its own (benchmarks/child.js); contenders alternate
// round by round, so a noisy neighbour slows all of them, not one. Reports medians with
// min–max and ratios taken round by round, verdicts against the targets, and rewrites
// docs/benchmarks.md, docs/benchmarks.svg and benchmarks/results/latest.json.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTENDERS, PINO_MODES } from './lib/contenders.js';
import { evaluate, machineInfo, printSummary, writeReport } from './lib/report.js';
import { PER_CALL_SCENARIOS } from './lib/scenarios.js';
import { spread } from './lib/stats.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const argValue = (name) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : undefined;
};

const CFG = QUICK
  ? {
      rounds: 2,
      iterations: 30,
      warmup: 5,
      e2eRecords: 100_000,
      latRecords: 20_000,
      bursts: 100,
      memoryRounds: 1,
      ringRecords: 100_000,
      ringRounds: 2,
    }
  : {
      rounds: 4,
      iterations: 100,
      warmup: 10,
      e2eRecords: 500_000,
      latRecords: 100_000,
      bursts: 500,
      memoryRounds: 2,
      ringRecords: 200_000,
      ringRounds: 5,
    };
CFG.rounds = argValue('rounds') ?? CFG.rounds;

const started = Date.now();
const dir = mkdtempSync(join(tmpdir(), 'ringlog-bench-'));
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)}s`.padStart(5);
const progress = (msg) => process.stdout.write(`[${elapsed()}] ${msg}\n`);

/**
 * Runs benchmarks/child.js and returns its result. With `blockAfterMs`, a child that has not
 * answered by then is killed and reported as blocked (pino's sync destination blocks the app
 * thread for good behind a destination that does not drain).
 */
function runChild(mode, contender, extra = [], { blockAfterMs, timeoutMs = 180_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', join(here, 'child.js'), mode, contender, dir, ...extra],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
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
      const nl = out.indexOf('\n');
      if (nl === -1) return;
      const { result } = JSON.parse(out.slice(0, nl));
      // memory mode leaves writers stuck on a FIFO on purpose: no need to wait for its exit.
      if (mode === 'memory') child.kill('SIGKILL');
      else child.once('exit', () => {});
      finish(resolve, result);
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
  config: { quick: QUICK, ...CFG },
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

progress(
  `${QUICK ? 'quick' : 'full'} run: ${CFG.rounds} rounds × ${CONTENDERS.length} contenders, ` +
    `${CFG.e2eRecords.toLocaleString('en-US')} records end to end; files in ${dir}`,
);

for (let round = 0; round < CFG.rounds; round++) {
  const order = CONTENDERS.map((_, i) => CONTENDERS[(i + round) % CONTENDERS.length]);
  for (const c of order) {
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
      `round ${round + 1}/${CFG.rounds} ${c.padEnd(14)} S2 paced ${(pc.S2.paced / 1000).toFixed(2)} µs/call, ` +
        `end to end ${Math.round(e.recordsPerSec).toLocaleString('en-US')} rec/s, ` +
        `S2 p99.9 ${(lat.S2.p999 / 1000).toFixed(1)} µs — all ${e.records.toLocaleString('en-US')} lines verified`,
    );
  }
}

// (d) A FIFO that nobody reads: every contender's destination stops draining once the pipe's
// kernel buffer (64 KiB) is full. We hold the read end open so that writers can open it.
const fifo = join(dir, 'fifo');
execFileSync('mkfifo', [fifo]);
const fifoFd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
for (let round = 0; round < CFG.memoryRounds; round++) {
  for (const c of CONTENDERS) {
    const m = await runChild('memory', c, ['--records=10000'], { blockAfterMs: 8_000 });
    results.memory[c] ??= [];
    results.memory[c].push(m);
    progress(
      `memory ${c.padEnd(14)} ${
        m.blocked
          ? 'blocked: the app thread did not get through 10,000 calls within 8 s'
          : `${m.heldMB.toFixed(2)} MB held after 10,000 records${
              m.dropped ? ` (${m.dropped.toLocaleString('en-US')} dropped by policy)` : ''
            }`
      }`,
    );
  }
}
closeSync(fifoFd);

// (e) The ring against thread-stream, raw, in one process (benchmarks/internal/).
progress('ring against thread-stream (100 B and 1 KB records)');
results.ring = JSON.parse(
  execFileSync(
    process.execPath,
    [
      join(here, 'internal', 'ring-vs-thread-stream.js'),
      '--json',
      '--records',
      String(CFG.ringRecords),
      '--rounds',
      String(CFG.ringRounds),
    ],
    { encoding: 'utf8' },
  ),
);

// Optional features against the plain path: typed events, the flight recorder.
progress('typed events and the flight recorder against the plain path');
results.features = JSON.parse(
  execFileSync(
    process.execPath,
    [
      join(here, 'features.js'),
      '--json',
      '--rounds',
      String(QUICK ? 3 : 5),
      '--iterations',
      String(QUICK ? 30 : 60),
    ],
    { encoding: 'utf8' },
  ),
);

// Where the time goes: a CPU profile of the S2 hot path and the floor on this machine.
progress('profiling the S2 hot path (--cpu-prof) and measuring the floor');
const profDir = join(dir, 'prof');
results.profile = JSON.parse(
  execFileSync(
    process.execPath,
    [join(here, 'profile.js'), profDir, QUICK ? '--quick' : '--full'],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  ),
);

rmSync(dir, { recursive: true, force: true });

// Summaries: medians, min–max, and ratios taken round by round.
results.summary = summarize(results);
results.verdicts = evaluate(results.summary);
results.durationSec = (Date.now() - started) / 1000;
printSummary(results);
if (!args.includes('--no-docs')) {
  writeReport(results, join(here, '..'));
  progress('wrote docs/benchmarks.md, docs/benchmarks.svg, benchmarks/results/latest.json');
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
