// node benchmarks/shipping.js [--records N] [--rounds N]   (npm run build first)
//
// HTTP shipping, measured:
//  1. N records (default 1,000,000) shipped as ndjson to a loopback receiver (a child
//     process), with gzip and without: records/s from the first call until the receiver has
//     every record, requests per record, bytes on the wire; every id checked once.
//  2. The per-call cost on the app thread of a logger shipping over HTTP against one writing
//     to a file, in the same process, rounds alternating, medians.
//  3. The backend down (connection refused) with a spool: N records logged unpaced and paced
//     at 200,000/s, onFull 'drop' so that a call that would wait shows as a ring drop; the
//     longest 1000 calls, ring drops, peak RSS growth, the spool's size against its budget,
//     and the same loops to a file for comparison.
import { fork } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../dist/index.js';
import { median } from './lib/stats.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const N = arg('records', 1_000_000);
const ROUNDS = arg('rounds', 7);
const PER_ROUND = 50_000;
const STEP = 50_000;
const dir = mkdtempSync(join(tmpdir(), 'ringlog-shipping-'));
const fmt = (n, d = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const MiB = 1024 * 1024;

function startReceiver() {
  const child = fork(join(here, 'lib/shipping-receiver.js'), [String(N)], { stdio: 'inherit' });
  const next = (key) =>
    new Promise((resolve) => {
      const on = (m) => {
        if (m[key] !== undefined) {
          child.off('message', on);
          resolve(m[key]);
        }
      };
      child.on('message', on);
    });
  return next('port').then((port) => ({
    url: `http://127.0.0.1:${port}/ingest`,
    stats: () => {
      child.send('stats');
      return next('stats');
    },
    reset: () => {
      child.send('reset');
      return next('reset');
    },
    mode: (m) => {
      child.send(m);
      return next('mode');
    },
    stop: () => child.send('exit'),
  }));
}

const record = (log, i) =>
  log.info(
    { id: i, user: 'ada', route: '/api/orders', status: 200, ms: i % 97 },
    'request handled',
  );

async function shipThroughput(receiver, compression) {
  await receiver.reset();
  const log = createLogger({
    destination: { type: 'http', url: receiver.url, compression, flushTimeoutMs: 120_000 },
    ringBytes: 8 * MiB,
    blockTimeoutMs: 120_000,
  });
  // Steps of STEP records, each waited for with flush(): a producer faster than the backend
  // would otherwise fill maxBufferBytes (16 MiB, ~100k records here) and drop the oldest
  // batches, as documented; this measures what the shipping path sustains.
  const t0 = performance.now();
  for (let i = 0; i < N; i += STEP) {
    for (let j = i; j < Math.min(N, i + STEP); j++) record(log, j);
    await log.flush();
  }
  let s = await receiver.stats();
  const deadline = Date.now() + 30_000;
  while (s.records < N && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    s = await receiver.stats();
  }
  const ms = performance.now() - t0;
  await log.close();
  return { ms, ...s };
}

async function perCall(receiver) {
  await receiver.mode('light');
  const http = createLogger({
    destination: { type: 'http', url: receiver.url },
    ringBytes: 16 * MiB,
    blockTimeoutMs: 60_000,
  });
  const file = createLogger({
    destination: join(dir, 'percall.log'),
    ringBytes: 16 * MiB,
    blockTimeoutMs: 60_000,
  });
  const ns = { http: [], file: [] };
  let id = 0;
  for (let round = 0; round < ROUNDS + 1; round++) {
    const order = round % 2 === 0 ? ['http', 'file'] : ['file', 'http'];
    for (const which of order) {
      const log = which === 'http' ? http : file;
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < PER_ROUND; i++) record(log, id++ % N);
      const t = Number(process.hrtime.bigint() - t0) / PER_ROUND;
      await log.flush();
      if (round > 0) ns[which].push(t); // round 0 warms up
    }
  }
  await http.close();
  await file.close();
  await receiver.mode('full');
  return { http: median(ns.http), file: median(ns.file), httpAll: ns.http, fileAll: ns.file };
}

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

function dirBytes(d) {
  let total = 0;
  for (const f of readdirSync(d)) total += statSync(join(d, f)).size;
  return total;
}

/**
 * N records logged as fast as the loop goes, or paced at `perSecond`, with onFull 'drop' so
 * that a call that would have waited shows up as a ring drop instead.
 */
async function logUnder(destination, perSecond) {
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const log = createLogger({ destination, ringBytes: 8 * MiB, onFull: 'drop' });
  let longest = 0;
  const t0 = performance.now();
  for (let i = 0; i < N; i += 1000) {
    const c0 = performance.now();
    for (let j = i; j < i + 1000; j++) record(log, j);
    longest = Math.max(longest, performance.now() - c0);
    if (perSecond !== undefined) {
      const due = t0 + ((i + 1000) / perSecond) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    } else if (i % 50_000 === 0) {
      await new Promise((r) => setImmediate(r));
    }
    if (i % 50_000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  const loopMs = performance.now() - t0;
  await log.flush();
  peak = Math.max(peak, process.memoryUsage().rss);
  const m = log.metrics();
  await log.close();
  return { loopMs, longest, rssGrowth: peak - rss0, ringDrops: m.dropped.total };
}

async function backendDown(perSecond) {
  const port = await freePort();
  const spoolDir = join(dir, `spool-${perSecond ?? 'max'}`);
  const spoolMax = 64 * MiB;
  const maxBufferBytes = 16 * MiB;
  const r = await logUnder(
    {
      type: 'http',
      url: `http://127.0.0.1:${port}/ingest`,
      maxBufferBytes,
      flushTimeoutMs: 1000,
      spool: { dir: spoolDir, maxBytes: spoolMax },
    },
    perSecond,
  );
  const file = await logUnder(join(dir, `down-${perSecond ?? 'max'}.log`), perSecond);
  return {
    ...r,
    file,
    spool: dirBytes(spoolDir),
    files: readdirSync(spoolDir).length,
    spoolMax,
    maxBufferBytes,
  };
}

const receiver = await startReceiver();
const out = [];
const say = (s) => {
  out.push(s);
  console.log(s);
};

say(`HTTP shipping, ${fmt(N)} records, node ${process.version}`);
for (const compression of ['gzip', 'none']) {
  const r = await shipThroughput(receiver, compression);
  say(
    `ship ndjson compression=${compression}: ${fmt(N / (r.ms / 1000))} records/s, ` +
      `${r.requests} requests (${(r.requests / N).toFixed(4)} per record), ` +
      `${fmt(r.wireBytes / MiB, 1)} MiB on the wire (${(r.wireBytes / N).toFixed(1)} B/record) ` +
      `for ${fmt(r.bodyBytes / MiB, 1)} MiB of NDJSON; ` +
      `ids: ${r.records} received, ${r.duplicates} duplicates, ${r.missing} missing`,
  );
}
const pc = await perCall(receiver);
say(
  `per call on the app thread (median of ${ROUNDS} rounds of ${fmt(PER_ROUND)}, alternating): ` +
    `http ${pc.http.toFixed(0)} ns, file ${pc.file.toFixed(0)} ns, ratio ${(pc.http / pc.file).toFixed(2)}`,
);
for (const rate of [undefined, 200_000]) {
  const d = await backendDown(rate);
  const pace = rate === undefined ? 'unpaced' : `paced at ${fmt(rate)}/s`;
  say(
    `backend down, ${fmt(N)} records logged ${pace}, with a spool: loop ${fmt(d.loopMs)} ms, ` +
      `longest 1000 calls ${d.longest.toFixed(1)} ms, ring drops ${d.ringDrops} ` +
      `(same loop to a file: ${d.file.ringDrops} drops, longest ${d.file.longest.toFixed(1)} ms), ` +
      `peak RSS growth ${fmt(d.rssGrowth / MiB, 1)} MiB (file: ${fmt(d.file.rssGrowth / MiB, 1)} MiB; ` +
      `maxBufferBytes ${d.maxBufferBytes / MiB} MiB), spool ${fmt(d.spool / MiB, 1)} MiB in ${d.files} files ` +
      `(budget ${d.spoolMax / MiB} MiB)`,
  );
}
receiver.stop();
rmSync(dir, { recursive: true, force: true });
