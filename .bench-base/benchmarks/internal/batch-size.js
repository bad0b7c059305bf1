// maxBatchBytes against per-call latency and end-to-end throughput: S2 records to a file,
// each size in turn, alternating over rounds. What the default was chosen from.
//
//   npm run build && node benchmarks/internal/batch-size.js [--rounds 3] [--sizes 8,16,32]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { createLogger } from '../../dist/index.js';
import { s2Fields } from '../lib/scenarios.js';
import { median } from '../lib/stats.js';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const ROUNDS = Number(arg('rounds', 3));
const SIZES = String(arg('sizes', '8,16,32')).split(',').map(Number);
const dir = mkdtempSync(join(tmpdir(), 'ringlog-batch-size-'));

async function latency(kb) {
  const log = createLogger({ destination: join(dir, `lat-${kb}.log`), maxBatchBytes: kb << 10 });
  await log.flush();
  const n = 200_000;
  const lat = new Float64Array(n);
  for (let i = 0; i < 20_000; i++) {
    log.info(s2Fields(i), 'request completed');
    if (i % 1000 === 999) await yieldToLoop();
  }
  for (let i = 0; i < n; i++) {
    const a = process.hrtime.bigint();
    log.info(s2Fields(i), 'request completed');
    lat[i] = Number(process.hrtime.bigint() - a);
    if (i % 1000 === 999) await yieldToLoop();
  }
  await log.close();
  lat.sort();
  const p = (q) => lat[Math.floor(q * (n - 1))];
  return { p50: p(0.5), p99: p(0.99), p999: p(0.999) };
}

async function throughput(kb) {
  const log = createLogger({ destination: join(dir, `e2e-${kb}.log`), maxBatchBytes: kb << 10 });
  await log.flush();
  const n = 500_000;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    log.info(s2Fields(i), 'request completed');
    if (i % 1000 === 999) await yieldToLoop();
  }
  await log.flush();
  const ns = Number(process.hrtime.bigint() - t0);
  const c = process.cpuUsage(c0);
  await log.close();
  return { recordsPerSec: n / (ns / 1e9), cpuNsPerRecord: ((c.user + c.system) * 1000) / n };
}

const rows = Object.fromEntries(SIZES.map((kb) => [kb, []]));
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 === 0 ? SIZES : [...SIZES].reverse();
  for (const kb of order) rows[kb].push({ ...(await latency(kb)), ...(await throughput(kb)) });
}
rmSync(dir, { recursive: true, force: true });
console.log('maxBatchBytes  p50      p99       p99.9     records/s  CPU/record (all threads)');
for (const kb of SIZES) {
  const m = (k) => median(rows[kb].map((x) => x[k]));
  console.log(
    `${`${kb} KiB`.padEnd(14)} ${`${(m('p50') / 1000).toFixed(2)} µs`.padEnd(8)} ${`${(m('p99') / 1000).toFixed(1)} µs`.padEnd(9)} ${`${(m('p999') / 1000).toFixed(1)} µs`.padEnd(9)} ${Math.round(m('recordsPerSec')).toLocaleString('en-US').padEnd(10)} ${(m('cpuNsPerRecord') / 1000).toFixed(2)} µs`,
  );
}
