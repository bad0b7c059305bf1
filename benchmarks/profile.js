// Where the time goes in an S2 call: a CPU profile of ringlog's application thread (self
// time per function, from --cpu-prof) and the floor on this machine (what building the line,
// copying it into shared memory, reading the clock and one Atomics.store cost alone).
//
//   node benchmarks/profile.js <dir> [--quick|--full]     prints one JSON object
//   node benchmarks/profile.js --target <file> <records>  the profiled program itself
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { s2Fields } from './lib/scenarios.js';

const args = process.argv.slice(2);

if (args[0] === '--target') {
  const { createLogger } = await import('../dist/index.js');
  const log = createLogger({ destination: args[1] });
  const n = Number(args[2]);
  for (let i = 0; i < n; i++) {
    log.info(s2Fields(i), 'request completed');
    if ((i + 1) % 1000 === 0) await yieldToLoop();
  }
  await log.close();
  process.exit(0);
}

const dir = args[0];
const quick = args.includes('--quick');
mkdirSync(dir, { recursive: true });

// 1. The profile. Node writes one .cpuprofile per thread; the application thread is tid 0.
const records = quick ? 300_000 : 1_000_000;
execFileSync(process.execPath, [
  '--cpu-prof',
  `--cpu-prof-dir=${dir}`,
  '--cpu-prof-interval=100',
  fileURLToPath(import.meta.url),
  '--target',
  join(dir, 'profile.log'),
  String(records),
]);
const mainProfile = readdirSync(dir).find((f) =>
  /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(f),
);
if (mainProfile === undefined) throw new Error(`no main-thread profile in ${dir}`);
const prof = JSON.parse(readFileSync(join(dir, mainProfile), 'utf8'));

const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const selfUs = new Map();
let totalUs = 0;
for (let i = 0; i < prof.samples.length; i++) {
  const node = byId.get(prof.samples[i]);
  const dt = prof.timeDeltas[i] ?? 0;
  const { functionName, url, lineNumber } = node.callFrame;
  if (functionName === '(idle)') continue;
  const where = url ? `${basename(url.replace(/^file:\/\//, ''))}:${lineNumber + 1}` : '';
  const key = `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
  selfUs.set(key, (selfUs.get(key) ?? 0) + dt);
  totalUs += dt;
}
const top = [...selfUs.entries()]
  .sort((a, b) => b[1] - a[1])
  .slice(0, 14)
  .map(([fn, us]) => ({ fn, share: us / totalUs, nsPerRecord: (us * 1e3) / records }));

// The same self time in parts, for the report's account of a missed goal. A function goes to
// the first part whose pattern its name (with file:line) matches; the rest is "other".
const PARTS = [
  [
    'copying batches into the ring (rope flattened, then encoded)',
    /^(write|utf8Write|latin1Write) node:buffer|tryWriteFrame|writeFrame|publish /,
  ],
  ['waiting for the sink (full ring) and waking it', /waitForSpace|^wake |published /],
  ['garbage collection', /garbage collector/],
  ['reading the clock', /^epoch |^now /],
  [
    'building the line (log method, fields, escapes, keys, batch append)',
    /^log index|writeFieldsFast|serializeFields|quoteString|quoteMessage|keyInfo|isError|escapeString|RegExp|formatMessage|^append |writeValue|writePlain|^deliver |schedule /,
  ],
  ["the benchmark's loop and the fields object it makes", /profile\.js|^s2Fields /],
  [
    'the event loop (nextTick, setImmediate)',
    /^nextTick |processTicksAndRejections|^Immediate |^processImmediate /,
  ],
  [
    'starting the profiled process (loading and compiling modules), spread over its records',
    /module_job|pre_execution|^defaultLoad |^compile|^wrapSafe |^read$|^readFileSync |loader:|realm:/,
  ],
];
const partUs = new Map([...PARTS.map(([name]) => [name, 0]), ['other', 0]]);
for (const [fn, us] of selfUs) {
  const part = PARTS.find(([, re]) => re.test(fn))?.[0] ?? 'other';
  partUs.set(part, partUs.get(part) + us);
}
const parts = [...partUs.entries()].map(([part, us]) => ({
  part,
  share: us / totalUs,
  nsPerRecord: (us * 1e3) / records,
}));

// 2. The floor, one operation at a time, in batches of 1,000 to keep timer overhead out.
const fields = s2Fields(1);
const sab = new SharedArrayBuffer(1 << 20);
const words = new Int32Array(sab);
const shared = Buffer.from(sab);
const line = `{"level":30,"time":${Date.now()},"pid":${process.pid},"hostname":"bench-host",${JSON.stringify(fields).slice(1, -1)},"msg":"request completed"}\n`;
const q = (s) => `"${s}"`;
const { createLogger } = await import('../dist/index.js');
const log = createLogger({ destination: join(dir, 'floor.log') });
let sink = 0;
const ops = {
  'template literal of the S2 line (known-safe values)': () => {
    const f = fields;
    const s = `{"level":30,"time":1763800000000,"userId":${f.userId},"action":${q(f.action)},"ok":${f.ok},"latencyMs":${f.latencyMs},"path":${q(f.path)},"method":${q(f.method)},"status":${f.status},"ip":${q(f.ip)},"ua":${q(f.ua)},"reqId":${f.reqId},"msg":"request completed"}\n`;
    sink += s.length;
  },
  'JSON.stringify of the S2 fields': () => {
    sink += JSON.stringify(fields).length;
  },
  'Date.now()': () => {
    sink += Date.now() & 1;
  },
  'Atomics.store': () => {
    Atomics.store(words, 8, sink++);
  },
  'copy one S2 line into shared memory (utf8)': () => {
    sink += shared.write(line, 4096, 'utf8');
  },
  'ringlog S2 call (whole)': () => {
    log.info(s2Fields(sink++), 'request completed');
  },
};
const bench = new Bench({ time: quick ? 150 : 400, warmupTime: 50, throws: true });
for (const [name, fn] of Object.entries(ops)) {
  bench.add(name, async () => {
    for (let k = 0; k < 1000; k++) fn();
    await yieldToLoop();
  });
}
await bench.run();
await log.close();
const floor = bench.tasks.map((t) => ({ op: t.name, ns: (t.result.latency.mean * 1e6) / 1000 }));

process.stdout.write(
  `${JSON.stringify({ records, profile: mainProfile, sampleIntervalUs: 100, top, parts, floor, lineBytes: Buffer.byteLength(line), sink: sink > 0 })}\n`,
);
