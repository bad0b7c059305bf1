// Producer threads against one sink (issue 14): 1, 2, 4 and 8 worker threads logging to one
// file, with the process's one sink worker against one sink per thread (what ringlog did
// before), side by side in one run, alternating the order every round.
//
//   npm run bench:threads           (npm run build && node benchmarks/threads.js)
//   node benchmarks/threads.js --rounds 3 --records 50000 --threads 1,2,4,8 --drop-runs 8
//   node benchmarks/threads.js --main-logs ...   the main thread logs one record first, so it
//                                                owns the sink (as in an app whose main thread
//                                                logs); without it a worker owns it and hands
//                                                it over when it ends, while others still log
//
// Each measurement is a fresh child process: the main thread loads ringlog (so the workers
// share its process block) but does not log; T workers wait on an Atomics barrier, are
// released together (each has logged one warm-up record and flushed it, so its sink is
// running), each logs `records` records (S2-like: a few fields and a message) to
// the same file and awaits flush(). Timed from the release to the last flush, for
// records/s end to end. CPU per record is process.cpuUsage() over the same span (user +
// system, every thread of the process: producers and sinks) divided by records written.
// Every line of the file is parsed and each (thread, seq) checked once; a lost or doubled
// record fails the run. Per-thread sinks are forced with RINGLOG_SINK_PER_THREAD=1 (an
// internal switch kept for this comparison only).
//
// Then the observation again: 8 threads × 50,000 records to one file under the
// default onFull 'block' (blockTimeoutMs 1000), `--drop-runs` runs per mode, counting the
// records dropped (metrics().dropped.total summed over the threads, checked against the
// lines in the file).
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  getEnvironmentData,
  isMainThread,
  threadId,
  Worker,
  workerData,
} from 'node:worker_threads';

const here = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);
const arg = (k, d) => {
  const i = args.indexOf(`--${k}`);
  return i === -1 ? d : args[i + 1];
};
const MODES = ['one sink', 'sink per thread'];

async function child() {
  const [, threads, records, file, defaults, mainLogs] = args;
  const T = Number(threads);
  const R = Number(records);
  // Publishes the process block, as an app's import does.
  const { createLogger } = await import('../dist/index.js');
  if (mainLogs === '1') {
    const log = createLogger({ destination: file });
    log.info({ t: -1, seq: -1 }, 'the main thread first');
    await log.flush();
  }
  const barrier = new Int32Array(new SharedArrayBuffer(8));
  const workers = [];
  const results = [];
  for (let t = 0; t < T; t++) {
    const w = new Worker(here, {
      workerData: { t, R, file, barrier: barrier.buffer, defaults: defaults === '1' },
    });
    workers.push(
      new Promise((resolve, reject) => {
        w.once('message', (m) => {
          results.push(m);
          resolve();
        });
        w.once('error', reject);
      }),
    );
  }
  while (Atomics.load(barrier, 0) < T) await new Promise((r) => setTimeout(r, 1));
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  Atomics.store(barrier, 1, 1);
  Atomics.notify(barrier, 1);
  await Promise.all(workers);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  // Every line parsed; every (thread, seq) once.
  const seen = Array.from({ length: T }, () => new Uint8Array(R));
  let lines = 0;
  let doubled = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue;
    const rec = JSON.parse(line);
    if (rec.seq === -1) continue; // a warm-up record, before the clock
    lines++;
    if (seen[rec.t][rec.seq]++ !== 0) doubled++;
  }
  const dropped = results.reduce((s, r) => s + r.dropped, 0);
  const sinkThreads = new Set(results.map((r) => r.sinkStarts)).size;
  process.send({
    ms,
    cpuUs: cpu.user + cpu.system,
    lines,
    doubled,
    dropped,
    sinkThreads,
    blocks: results.map((r) => r.block),
  });
}

async function producer() {
  const { t, R, file, barrier, defaults } = workerData;
  const { createLogger } = await import('../dist/index.js');
  const log = createLogger({ destination: file, ...(defaults ? {} : { blockTimeoutMs: 60_000 }) });
  // Started and attached before the clock runs: measured is the steady state, not start-up.
  log.info({ t, seq: -1 }, 'warm-up');
  await log.flush();
  const b = new Int32Array(barrier);
  Atomics.add(b, 0, 1);
  Atomics.wait(b, 1, 0);
  const child = log.child({ service: 'bench', region: 'eu-west-1' });
  for (let seq = 0; seq < R; seq++) {
    child.info({ t, seq, user: 'ada', path: '/api/orders', status: 200, ms: 12.5 }, 'request done');
    // Yield now and then, as a real producer does: the batch goes out at the end of a tick.
    if ((seq & 1023) === 1023) await new Promise((r) => setImmediate(r));
  }
  await log.flush();
  const block = getEnvironmentData('ringlog:process-block:1');
  const { parentPort } = await import('node:worker_threads');
  parentPort.postMessage({
    dropped: log.metrics().dropped.total,
    // Which block (and so which sink) this thread used: its CHANNEL_ID word, or the thread's.
    block: block === undefined ? `thread ${threadId}` : new Int32Array(block)[136],
  });
}

const MAIN_LOGS = args.includes('--main-logs');

function runChild(T, R, mode, dir, defaults = false) {
  const file = join(dir, `t${T}-${mode === MODES[0] ? 'one' : 'per'}.log`);
  rmSync(file, { force: true });
  const env = { ...process.env };
  if (mode === MODES[1]) env.RINGLOG_SINK_PER_THREAD = '1';
  else delete env.RINGLOG_SINK_PER_THREAD;
  return new Promise((resolve, reject) => {
    const c = fork(
      here,
      ['--child', String(T), String(R), file, defaults ? '1' : '0', MAIN_LOGS ? '1' : '0'],
      { env },
    );
    let result;
    c.on('message', (m) => {
      result = m;
    });
    c.on('exit', (code) => {
      rmSync(file, { force: true });
      if (code !== 0 || result === undefined)
        reject(new Error(`child ${T} ${mode} exited ${code}`));
      else {
        result.sinks = new Set(result.blocks).size;
        resolve(result);
      }
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function main() {
  const rounds = Number(arg('rounds', '3'));
  const R = Number(arg('records', '50000'));
  const counts = (arg('threads', '1,2,4,8') ?? '').split(',').map(Number);
  const dropRuns = Number(arg('drop-runs', '8'));
  const dir = mkdtempSync(join(tmpdir(), 'ringlog-threads-'));
  const started = Date.now();
  const runs = counts.length * MODES.length * rounds + 2 * dropRuns;
  console.log(
    `${runs} child processes, ${R} records per thread; about ${Math.ceil(runs * 1.5)} s on 2 idle cores`,
  );
  const by = new Map();
  try {
    for (let round = 0; round < rounds; round++) {
      for (const T of counts) {
        const order = (round + T) % 2 === 0 ? MODES : [...MODES].reverse();
        for (const mode of order) {
          const r = await runChild(T, R, mode, dir);
          const total = T * R;
          if (r.lines !== total - r.dropped || r.doubled !== 0)
            throw new Error(
              `${T} threads, ${mode}: ${r.lines} lines of ${total} (${r.dropped} dropped, ${r.doubled} twice)`,
            );
          const key = `${T}|${mode}`;
          if (!by.has(key)) by.set(key, []);
          by.get(key).push({
            rps: (r.lines / r.ms) * 1000,
            cpuPerRecUs: r.cpuUs / r.lines,
            sinks: r.sinks,
          });
          console.log(
            `round ${round + 1} ${T} threads ${mode}: ${Math.round((r.lines / r.ms) * 1000)} records/s, ${(r.cpuUs / r.lines).toFixed(2)} µs CPU/record, ${r.sinks} sink(s) (${Math.round((Date.now() - started) / 1000)} s)`,
          );
        }
      }
    }
    console.log(
      '\n| producer threads | one sink: records/s | sink per thread: records/s | ratio | one sink: CPU µs/record | sink per thread: CPU µs/record | ratio |',
    );
    console.log('|---:|---:|---:|---:|---:|---:|---:|');
    for (const T of counts) {
      const a = by.get(`${T}|${MODES[0]}`);
      const b = by.get(`${T}|${MODES[1]}`);
      const ra = median(a.map((x) => x.rps));
      const rb = median(b.map((x) => x.rps));
      const ca = median(a.map((x) => x.cpuPerRecUs));
      const cb = median(b.map((x) => x.cpuPerRecUs));
      console.log(
        `| ${T} | ${Math.round(ra).toLocaleString('en')} | ${Math.round(rb).toLocaleString('en')} | ${(ra / rb).toFixed(2)} | ${ca.toFixed(2)} | ${cb.toFixed(2)} | ${(ca / cb).toFixed(2)} |`,
      );
    }
    if (dropRuns > 0) {
      console.log(
        `\n8 threads × 50,000 records to one file, default onFull 'block' (blockTimeoutMs 1000), ${dropRuns} runs per mode, alternating:`,
      );
      const drops = { [MODES[0]]: [], [MODES[1]]: [] };
      for (let i = 0; i < dropRuns; i++)
        for (const mode of i % 2 ? [...MODES].reverse() : MODES) {
          const r = await runChild(8, 50_000, mode, dir, true);
          if (r.lines !== 400_000 - r.dropped || r.doubled !== 0)
            throw new Error(
              `drop run, ${mode}: ${r.lines} lines, ${r.dropped} dropped, ${r.doubled} twice`,
            );
          drops[mode].push(r.dropped);
        }
      for (const mode of MODES) {
        const d = drops[mode];
        console.log(
          `| ${mode} | runs that dropped: ${d.filter((x) => x > 0).length} of ${d.length} | dropped per run: ${d.join(', ')} |`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!isMainThread) await producer();
else if (args[0] === '--child') await child();
else await main();
