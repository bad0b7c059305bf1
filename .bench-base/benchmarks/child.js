// One contender in one process: `node benchmarks/child.js <mode> <contender> <dir> [options]`.
// Modes: percall, e2e, latency, memory. Prints `{"step": ...}` lines as it goes, then one
// JSON line `{"mode", "contender", "result"}` on stdout.
// Started by benchmarks/run.js; each contender gets a fresh process so none inherits
// another's heap, JIT state or worker threads.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Bench } from 'tinybench';
import { createContender, preload } from './lib/contenders.js';
import { PER_CALL_SCENARIOS, SCENARIOS } from './lib/scenarios.js';

const [mode, contender, dir, ...rest] = process.argv.slice(2);
const opts = Object.fromEntries(
  rest.map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, Number(v)];
  }),
);
const PACE = 1000; // calls between yields to the event loop

/** One line on stdout that run.js shows as the current step (its heartbeat names it). */
const step = (what) => process.stdout.write(`${JSON.stringify({ step: what })}\n`);

function countLines(path) {
  if (!existsSync(path)) return 0;
  const buf = readFileSync(path);
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

/** (a) main-thread cost per call, tight and paced, for S1–S6. */
async function percall() {
  const out = {};
  for (const id of PER_CALL_SCENARIOS) {
    const sc = SCENARIOS[id];
    out[id] = {};
    for (const loop of ['tight', 'paced']) {
      step(`per call ${id} ${loop}`);
      const path = join(dir, `${contender}-${id}-${loop}.log`);
      rmSync(path, { force: true });
      const { logger, end } = await createContender(contender, path);
      const l = sc.prepare ? sc.prepare(logger) : logger;
      const call = sc.call;
      let seq = 0;
      // A fixed number of calls, not a time budget: a logger that defers its work (winston
      // queues records in memory) would otherwise pile up a backlog it then takes minutes
      // to write, and every contender gets the same amount of work.
      const bench = new Bench({
        time: 0,
        iterations: opts.iterations ?? 100,
        warmupTime: 0,
        warmupIterations: opts.warmup ?? 10,
        throws: true,
      });
      if (loop === 'tight') {
        bench.add(id, () => {
          for (let k = 0; k < PACE; k++) call(l, seq++, contender);
        });
      } else {
        bench.add(id, async () => {
          for (let k = 0; k < PACE; k++) call(l, seq++, contender);
          await yieldToLoop();
        });
      }
      await bench.run();
      const task = bench.tasks[0];
      if (task.result.state !== 'completed') throw new Error(`${id} ${loop}: ${task.result.state}`);
      await end(sc.disabled ? 0 : seq);
      const lines = countLines(path);
      const expected = sc.disabled ? 0 : seq;
      if (lines !== expected) {
        throw new Error(`${contender} ${id} ${loop}: ${lines} lines on disk, ${expected} logged`);
      }
      rmSync(path, { force: true });
      // latency.mean is ms per task run of PACE calls: ×1e6/PACE gives ns per call.
      out[id][loop] = (task.result.latency.mean * 1e6) / PACE;
    }
  }
  return out;
}

/** (b) N records of S2 from the first call to the last byte on disk. */
async function e2e() {
  const n = opts.records ?? 500_000;
  step(`end to end, ${n.toLocaleString('en-US')} records`);
  const path = join(dir, `${contender}-e2e.log`);
  rmSync(path, { force: true });
  const { logger, end } = await createContender(contender, path);
  const call = SCENARIOS.S2.call;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    call(logger, i, contender);
    if ((i + 1) % PACE === 0) await yieldToLoop();
  }
  const tCalls = process.hrtime.bigint();
  await end(n);
  const t1 = process.hrtime.bigint();
  const cpu = process.cpuUsage(cpu0);
  const wallNs = Number(t1 - t0);
  return {
    records: n,
    path,
    wallMs: wallNs / 1e6,
    callsMs: Number(tCalls - t0) / 1e6,
    recordsPerSec: (n / wallNs) * 1e9,
    // process.cpuUsage() is getrusage(RUSAGE_SELF): every thread of the process.
    cpuNsPerRecord: ((cpu.user + cpu.system) * 1e3) / n,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summarize(samples) {
  const s = Float64Array.from(samples).sort();
  return {
    count: s.length,
    p50: percentile(s, 50),
    p99: percentile(s, 99),
    p999: percentile(s, 99.9),
    max: s[s.length - 1],
  };
}

/** (c) per-call latency: S2 paced, and S7 bursts of 20 then 2 ms idle. */
async function latency() {
  const now = process.hrtime.bigint;
  const call = SCENARIOS.S2.call;
  const result = {};
  {
    const n = opts.records ?? 100_000;
    step('latency S2');
    const path = join(dir, `${contender}-lat-s2.log`);
    rmSync(path, { force: true });
    const { logger, end } = await createContender(contender, path);
    const samples = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const t = now();
      call(logger, i, contender);
      samples[i] = Number(now() - t);
      if ((i + 1) % PACE === 0) await yieldToLoop();
    }
    await end(n);
    if (countLines(path) !== n) throw new Error(`${contender} S2 latency: lines missing`);
    rmSync(path, { force: true });
    result.S2 = summarize(samples);
  }
  {
    const bursts = opts.bursts ?? 500;
    step('latency S7');
    const path = join(dir, `${contender}-lat-s7.log`);
    rmSync(path, { force: true });
    const { logger, end } = await createContender(contender, path);
    const samples = new Float64Array(bursts * 20);
    let k = 0;
    for (let b = 0; b < bursts; b++) {
      for (let j = 0; j < 20; j++) {
        const t = now();
        call(logger, k, contender);
        samples[k++] = Number(now() - t);
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    await end(k);
    if (countLines(path) !== k) throw new Error(`${contender} S7 latency: lines missing`);
    rmSync(path, { force: true });
    result.S7 = summarize(samples);
  }
  return result;
}

function memoryNow() {
  const m = process.memoryUsage();
  // On Node 20 `external` counts ArrayBuffers but not SharedArrayBuffers, which only
  // `arrayBuffers` counts: the larger of the two growths is what buffers took.
  return { rss: m.rss, heap: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}

/**
 * (d) memory held with 10,000 S2 records behind a destination that does not drain: a FIFO
 * whose reader (run.js) never reads. The baseline is taken after the logger's module is
 * loaded and before the logger exists, so the growth includes its ring or buffers; heap and
 * external memory are read after a full GC, on the application thread's isolate.
 */
async function memory() {
  const n = opts.records ?? 10_000;
  const fifo = join(dir, 'fifo');
  await preload(contender);
  globalThis.gc?.();
  const before = memoryNow();
  const { logger } = await createContender(contender, fifo);
  const call = SCENARIOS.S2.call;
  call(logger, -1, contender);
  await new Promise((r) => setTimeout(r, 300));
  globalThis.gc?.();
  const ready = memoryNow();
  const t0 = Date.now();
  for (let i = 0; i < n; i++) {
    call(logger, i, contender);
    if ((i + 1) % PACE === 0) await yieldToLoop();
  }
  const callsMs = Date.now() - t0;
  await new Promise((r) => setTimeout(r, 300));
  globalThis.gc?.();
  const after = memoryNow();
  const dropped = contender === 'ringlog' ? logger.metrics().dropped.total : null;
  const MB = 2 ** 20;
  return {
    records: n,
    callsMs,
    heldMB:
      (after.heap -
        before.heap +
        Math.max(after.external - before.external, after.arrayBuffers - before.arrayBuffers)) /
      MB,
    rssGrowthMB: (after.rss - ready.rss) / MB,
    dropped,
  };
}

const modes = { percall, e2e, latency, memory };
if (!(mode in modes)) throw new Error(`mode must be one of ${Object.keys(modes).join(', ')}`);
const result = await modes[mode]();
process.stdout.write(`${JSON.stringify({ mode, contender, result })}\n`);
// memory mode leaves writers blocked on the FIFO by design; the others end cleanly.
if (mode === 'memory') process.exit(0);
