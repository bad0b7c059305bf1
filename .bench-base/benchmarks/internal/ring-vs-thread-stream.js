// Raw handoff between threads: our ring (batch per tick + SharedArrayBuffer frames) against
// thread-stream (pino.transport's channel), for 100-byte and 1 KB records. Both consumers
// only count what arrives. The two alternate, round by round, in this one process; we report
// medians and the ratio taken round by round.
//
//   node benchmarks/internal/ring-vs-thread-stream.js [--records N] [--rounds R] [--json]
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { Channel } from '../../dist/internal/channel.js';
import {
  createControlBuffer,
  createRingBuffer,
  RingWriter,
  SinkDoorbell,
} from '../../dist/internal/ring.js';

const require = createRequire(import.meta.url);
const ThreadStream = require('thread-stream');

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const RECORDS = opt('records', 200_000);
const ROUNDS = opt('rounds', 5);
const RING_BYTES = opt('ring-bytes', 1 << 20);

function makeLine(size) {
  const head = '{"level":30,"time":1700000000000,"msg":"';
  return `${head}${'x'.repeat(size - head.length - 3)}"}\n`;
}

async function runRing(line, records) {
  const ring = createRingBuffer(RING_BYTES);
  const control = createControlBuffer();
  const worker = new Worker(new URL('./ring-consumer.js', import.meta.url), {
    workerData: { ring, control, records },
  });
  await once(worker, 'online');
  const bell = new SinkDoorbell(control);
  const channel = new Channel(
    new RingWriter(ring),
    { published: () => bell.ring(), wake: () => bell.wake() },
    {
      maxBatchBytes: 32 * 1024,
      onFull: 'block',
      blockTimeoutMs: 60_000,
    },
  );
  const done = once(worker, 'message');
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < records; i++) channel.append(line, 30);
  channel.publish();
  const [{ got }] = await done;
  const ns = Number(process.hrtime.bigint() - t0);
  await worker.terminate();
  if (got !== records) throw new Error(`ring: ${got} of ${records} arrived`);
  return (records / ns) * 1e9;
}

async function runThreadStream(line, records) {
  const stream = new ThreadStream({
    filename: require.resolve('./thread-stream-consumer.cjs'),
    workerData: {},
    sync: false,
  });
  await once(stream, 'ready');
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < records; i++) {
    // thread-stream's own back-pressure: write() returns false when its buffer is full.
    if (!stream.write(line)) await once(stream, 'drain');
  }
  await new Promise((resolve, reject) => stream.flush((err) => (err ? reject(err) : resolve())));
  const ns = Number(process.hrtime.bigint() - t0);
  stream.end();
  await once(stream, 'close');
  return (records / ns) * 1e9;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const results = [];
for (const size of [100, 1024]) {
  const line = makeLine(size);
  const ring = [];
  const ts = [];
  const ratios = [];
  // One warm-up round each, not counted.
  await runRing(line, Math.min(RECORDS, 20_000));
  await runThreadStream(line, Math.min(RECORDS, 20_000));
  for (let r = 0; r < ROUNDS; r++) {
    const first = r % 2 === 0;
    const a = first ? await runRing(line, RECORDS) : undefined;
    const b = await runThreadStream(line, RECORDS);
    const c = first ? a : await runRing(line, RECORDS);
    ring.push(c);
    ts.push(b);
    ratios.push(c / b);
  }
  const row = {
    recordBytes: size,
    records: RECORDS,
    rounds: ROUNDS,
    ringRecordsPerSec: median(ring),
    ringMin: Math.min(...ring),
    ringMax: Math.max(...ring),
    threadStreamRecordsPerSec: median(ts),
    threadStreamMin: Math.min(...ts),
    threadStreamMax: Math.max(...ts),
    ratioMedian: median(ratios),
    ratioMin: Math.min(...ratios),
    ratioMax: Math.max(...ratios),
  };
  results.push(row);
  if (!args.includes('--json')) {
    const f = (x) => `${(x / 1e6).toFixed(2)} M/s`;
    console.log(
      `${String(size).padStart(5)} B records: ring ${f(row.ringRecordsPerSec)} (${f(row.ringMin)}–${f(row.ringMax)}), ` +
        `thread-stream ${f(row.threadStreamRecordsPerSec)} (${f(row.threadStreamMin)}–${f(row.threadStreamMax)}), ` +
        `ratio ${row.ratioMedian.toFixed(2)}×`,
    );
  }
}
if (args.includes('--json')) console.log(JSON.stringify(results));
