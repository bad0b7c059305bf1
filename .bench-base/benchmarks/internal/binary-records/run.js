// Issue 16's prototype, measured: is formatting in the sink worth building? Four steps in one
// run, every comparison alternating round by round in this process:
//   check    fast-check records (and S1, S2, S3, S5) through the prototype and through today's
//            logger (capture mode, fixed time): every line must be byte-identical
//   sink     the sink thread's cost per record: decode + format vs today's copy of the bytes
//   encode   the app thread's own work, no sink thread: CPU time per call
//   percall  the app thread's cost per call, publish included, both with a sink thread
//            draining to /dev/null
//   e2e      S2 records/s from the first call to the last record written, CPU per record
//   routes   today's path: what the rope flattening of a batch costs
//
//   npm run build && node benchmarks/internal/binary-records/run.js [--rounds 7] [--calls 50000]
//     [--check 3000] [--e2e 200000] [--e2e-rounds 3] [--steps check,sink,encode,percall,e2e,routes]
import { once } from 'node:events';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { createLogger } from '../../../dist/index.js';
import { ORDER, s2Fields } from '../../lib/scenarios.js';
import { BUSY_AT, createRing, DONE, Encoder, HEADER_BYTES, STOP } from './codec.js';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const ROUNDS = opt('rounds', 7);
const CALLS = opt('calls', 50_000);
const CHECK = opt('check', 3000);
const E2E = opt('e2e', 200_000);
const E2E_ROUNDS = opt('e2e-rounds', 3);
const stepsAt = args.indexOf('--steps');
const STEPS = (stepsAt >= 0 ? args[stepsAt + 1] : 'check,sink,encode,percall,e2e,routes').split(
  ',',
);
const RING_BYTES = 1 << 20;
const PACE = 1000;
const FIXED_TIME = 1_700_000_000_000;
const WORKER = new URL('./sink-worker.js', import.meta.url);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const log = (...a) => console.error(...a);

const CHILD_BINDINGS = { service: 'checkout', region: 'eu-west-1', version: '1.4.2' };
const SCENARIOS = {
  S1: { call: (l) => l.info('hello world') },
  S2: { call: (l, i) => l.info(s2Fields(i), 'request completed') },
  S3: { child: true, call: (l) => l.info('hello world') },
  S5: { call: (l) => l.info({ order: ORDER }, 'order received') },
};

/** Today's line for a record the prototype does not cover, from a capture logger. */
function todayFallback(_level, a, m, bind) {
  const l = bind.today;
  if (a === undefined) l.info(m);
  else l.info(a, m);
  const line = l.capture.lines[0];
  l.capture.clear();
  return line;
}

/** A prototype logger (and the child of S3) whose binding sets know their capture logger. */
function protoPair(enc, todayRoot, child) {
  const root = enc.root();
  root.bind.today = todayRoot;
  if (!child) return root;
  const c = root.child(CHILD_BINDINGS);
  c.bind.today = todayRoot.child(CHILD_BINDINGS);
  return c;
}

function startSink(ring, path, copyOnly = false) {
  return new Worker(WORKER, { workerData: { mode: 'drain', ring, path, copyOnly } });
}

async function stopSink(ring, worker) {
  const i32 = new Int32Array(ring, 0, HEADER_BYTES / 4);
  Atomics.store(i32, STOP, 1);
  Atomics.notify(i32, 32);
  const [msg] = await once(worker, 'message');
  await worker.terminate();
  return msg.done;
}

/** Waits (blocking: the sink is another thread) until the sink has written `n` records. */
function waitWritten(ring, n) {
  const i32 = new Int32Array(ring, 0, HEADER_BYTES / 4);
  for (;;) {
    const d = Atomics.load(i32, DONE);
    if (d >= n) return;
    Atomics.wait(i32, DONE, d, 50);
  }
}

// ── check ────────────────────────────────────────────────────────────────────────────
const awkwardChars = fc.constantFrom(
  '"',
  '\\',
  '\n',
  '\t',
  '\u0000',
  '\u001f',
  '\u007f',
  '\u2028',
  '\u2029',
  '\ud800',
  '\udfff',
  '😀',
  'é',
  '€',
  'a',
  ' ',
);
const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(awkwardChars, { maxLength: 30 }).map((cs) => cs.join('')),
  fc.string({ minLength: 60, maxLength: 200 }),
);
// A small key space: the prototype's key table is bounded (4,096 keys, as today's key cache),
// and past it every record takes the fallback, which would leave the binary path untested.
const key = fc.oneof(
  fc.constantFrom('userId', 'action', 'ok', 'path', 'ua', 'id', 'a b', 'k"q', '\u2028k', '0', '7'),
  fc.string({
    maxLength: 2,
    unit: fc.constantFrom('a', 'b', '"', '\\', '\n', 'é', '\u2028', '😀'),
  }),
);
const leaf = fc.oneof(
  text,
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 2 ** 31, -(2 ** 31), 1e21, 1e-7, Number.NaN, Number.POSITIVE_INFINITY),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);
const { value: nested } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('arr'), tie('obj')),
  arr: fc.array(tie('value'), { maxLength: 5 }),
  obj: fc.dictionary(key, tie('value'), { maxKeys: 5 }),
}));
const record = fc.record({
  fields: fc.option(fc.dictionary(key, nested, { maxKeys: 12 }), { nil: undefined }),
  msg: fc.option(text, { nil: undefined }),
  child: fc.boolean(),
  // One record in ten has a Date field: the prototype falls back to today's line for it.
  date: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
});

async function check() {
  const path = join(tmpdir(), `binary-records-check-${process.pid}.log`);
  const ring = createRing(RING_BYTES);
  const worker = startSink(ring, path);
  await once(worker, 'online');
  const today = createLogger({ capture: true, timestamp: () => `,"time":${FIXED_TIME}` });
  const todayFb = createLogger({ capture: true, timestamp: () => `,"time":${FIXED_TIME}` });
  const enc = new Encoder(ring, { time: () => FIXED_TIME, fallbackLine: todayFallback });
  const pRoot = protoPair(enc, todayFb, false);
  const pChild = protoPair(enc, todayFb, true);
  const tChild = today.child(CHILD_BINDINGS);
  const calls = [];
  for (const sc of Object.values(SCENARIOS)) {
    for (let i = 0; i < 3; i++) calls.push([sc.child ? 'c' : 'r', sc.call, i]);
  }
  const samples = fc.sample(record, { numRuns: CHECK, seed: 16 });
  for (const s of samples) {
    let fields = s.fields;
    if (s.date) fields = { ...(fields ?? {}), at: new Date(FIXED_TIME) };
    const call =
      fields === undefined
        ? s.msg === undefined
          ? (l) => l.info('')
          : (l) => l.info(s.msg)
        : (l) => l.info(fields, s.msg);
    calls.push([s.child ? 'c' : 'r', call, 0]);
  }
  for (const [who, call, i] of calls) {
    call(who === 'c' ? tChild : today, i);
    call(who === 'c' ? pChild : pRoot, i);
  }
  enc.publish();
  waitWritten(ring, calls.length);
  await stopSink(ring, worker);
  const got = readFileSync(path, 'utf8').split('\n');
  rmSync(path, { force: true });
  got.pop();
  const want = today.capture.lines;
  let mismatches = 0;
  let firstBad;
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i]) {
      mismatches++;
      firstBad ??= { i, want: want[i], got: got[i] };
    }
    JSON.parse(got[i]);
  }
  const result = {
    records: calls.length,
    linesOut: got.length,
    mismatches,
    fallbacks: enc.fallbacks,
    keys: enc.nextKey,
  };
  if (got.length !== want.length || mismatches > 0) {
    log('check FAILED', result, firstBad);
    process.exitCode = 1;
  }
  return result;
}

// ── sink cost, offline ─────────────────────────────────────────────────────────────────
async function sinkCost() {
  const K = 5000;
  const scenarios = {};
  for (const [id, sc] of Object.entries(SCENARIOS)) {
    const today = createLogger({ capture: true, timestamp: () => `,"time":${FIXED_TIME}` });
    const enc = new Encoder(createRing(4096), {
      time: () => FIXED_TIME,
      fallbackLine: todayFallback,
      publishOnTick: false,
    });
    enc.collect = true;
    const pl = protoPair(enc, today, sc.child);
    const tl = sc.child ? today.child(CHILD_BINDINGS) : today;
    for (let i = 0; i < K; i++) {
      sc.call(tl, i);
      sc.call(pl, i);
    }
    enc.publish();
    // Today's batches: the same lines, cut as the channel cuts them (8 KiB).
    const text = [];
    let batch = '';
    for (const line of today.capture.lines) {
      batch += `${line}\n`;
      if (batch.length >= 8192) {
        text.push(Buffer.from(batch));
        batch = '';
      }
    }
    if (batch) text.push(Buffer.from(batch));
    scenarios[id] = {
      bin: enc.batches,
      text,
      expected: Buffer.from(today.capture.lines.map((l) => `${l}\n`).join('')),
      records: K,
      binBytesPerRecord: enc.batches.reduce((n, b) => n + b.bytes.length, 0) / K,
    };
  }
  const worker = new Worker(WORKER, {
    workerData: { mode: 'offline', scenarios, rounds: ROUNDS * 3 },
  });
  const [res] = await once(worker, 'message');
  await worker.terminate();
  for (const id of Object.keys(res)) res[id].binBytesPerRecord = scenarios[id].binBytesPerRecord;
  return res;
}

// ── app thread per call ────────────────────────────────────────────────────────────────
async function runCalls(l, call, n) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i += PACE) {
    for (let k = 0; k < PACE; k++) call(l, i + k);
    await yieldToLoop();
  }
  return Number(process.hrtime.bigint() - t0) / n;
}

/** A prototype logger publishing into a ring that a sink thread drains to /dev/null. */
async function protoContender(sc, copyOnly) {
  const ring = createRing(RING_BYTES);
  const worker = startSink(ring, '/dev/null', copyOnly);
  await once(worker, 'online');
  const enc = new Encoder(ring, { fallbackLine: todayFallback });
  const logger = protoPair(enc, createLogger({ capture: true }), sc.child);
  const end = async () => {
    enc.publish();
    waitWritten(ring, enc.published);
    const written = await stopSink(ring, worker);
    if (written !== enc.published) throw new Error(`${written} of ${enc.published} written`);
  };
  return { logger, enc, end };
}

async function perCall() {
  const out = {};
  for (const [id, sc] of Object.entries(SCENARIOS)) {
    const todayRoot = createLogger({ destination: '/dev/null' });
    await todayRoot.flush();
    const c = {
      today: { logger: sc.child ? todayRoot.child(CHILD_BINDINGS) : todayRoot },
      proto: await protoContender(sc, false),
      protoCopy: await protoContender(sc, true),
    };
    const names = Object.keys(c);
    for (const n of names) await runCalls(c[n].logger, sc.call, CALLS / 5); // warm-up
    const t = Object.fromEntries(names.map((n) => [n, []]));
    const ratio = { proto: [], protoCopy: [] };
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? names : [...names].reverse();
      const round = {};
      for (const n of order) round[n] = await runCalls(c[n].logger, sc.call, CALLS);
      for (const n of names) t[n].push(round[n]);
      ratio.proto.push(round.proto / round.today);
      ratio.protoCopy.push(round.protoCopy / round.today);
    }
    const m = todayRoot.metrics();
    await todayRoot.close();
    if (m.dropped.total !== 0) throw new Error(`${id}: today dropped ${m.dropped.total}`);
    await c.proto.end();
    await c.protoCopy.end();
    const row = {};
    for (const n of names) {
      row[`${n}Ns`] = median(t[n]);
      row[`${n}Min`] = Math.min(...t[n]);
      row[`${n}Max`] = Math.max(...t[n]);
    }
    for (const n of ['proto', 'protoCopy']) {
      row[`${n}Ratio`] = median(ratio[n]);
      row[`${n}RatioMin`] = Math.min(...ratio[n]);
      row[`${n}RatioMax`] = Math.max(...ratio[n]);
      row[`${n}Fallbacks`] = c[n].enc.fallbacks;
      row[`${n}RingFullWaits`] = c[n].enc.waits;
    }
    out[id] = row;
    log(id, row);
  }
  return out;
}

// ── app thread alone ───────────────────────────────────────────────────────────────────
/** CPU ns per call of `n` calls on this thread, `every1000` run after each 1,000. No other
 * thread of ours runs in this step, so the process's CPU time is this thread's. */
function cpuPerCall(l, call, n, every1000) {
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    call(l, i);
    if (i % 1000 === 999) every1000();
  }
  const c = process.cpuUsage(c0);
  return ((c.user + c.system) * 1e3) / n;
}

/** The app side's own work, no sink thread: today's line built by a capture logger (its copy
 * into the ring left out, which favours today) against the prototype's encode and its copy
 * into a ring that this thread releases at once after each publish. */
function encodeOnly() {
  const out = {};
  for (const [id, sc] of Object.entries(SCENARIOS)) {
    const cap = createLogger({ capture: true });
    const today = sc.child ? cap.child(CHILD_BINDINGS) : cap;
    const ring = createRing(RING_BYTES);
    const i32 = new Int32Array(ring, 0, HEADER_BYTES / 4);
    const enc = new Encoder(ring, { fallbackLine: todayFallback, publishOnTick: false });
    const publish = enc.publish.bind(enc);
    enc.publish = () => {
      publish();
      Atomics.store(i32, 16, Atomics.load(i32, 0)); // READ_POS = WRITE_POS: consumed
    };
    const proto = protoPair(enc, createLogger({ capture: true }), sc.child);
    const clear = () => cap.capture.clear();
    const flush = () => enc.publish();
    cpuPerCall(today, sc.call, CALLS / 5, clear);
    cpuPerCall(proto, sc.call, CALLS / 5, flush);
    const t = [];
    const p = [];
    const ratios = [];
    for (let r = 0; r < ROUNDS; r++) {
      const first = r % 2 === 0;
      const a = first ? cpuPerCall(today, sc.call, CALLS, clear) : undefined;
      const b = cpuPerCall(proto, sc.call, CALLS, flush);
      const c = a ?? cpuPerCall(today, sc.call, CALLS, clear);
      t.push(c);
      p.push(b);
      ratios.push(b / c);
    }
    out[id] = {
      todayNs: median(t),
      protoNs: median(p),
      ratio: median(ratios),
      ratioMin: Math.min(...ratios),
      ratioMax: Math.max(...ratios),
      fallbacks: enc.fallbacks,
    };
  }
  return out;
}

// ── end to end ─────────────────────────────────────────────────────────────────────────
async function e2eToday(n) {
  const l = createLogger({ destination: '/dev/null' });
  await l.flush();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await runCalls(l, SCENARIOS.S2.call, n);
  await l.flush();
  const ns = Number(process.hrtime.bigint() - t0);
  const cpu = process.cpuUsage(cpu0);
  const m = l.metrics();
  await l.close();
  if (m.dropped.total !== 0) throw new Error(`today e2e: ${m.dropped.total} dropped`);
  return { rate: (n / ns) * 1e9, cpuNs: ((cpu.user + cpu.system) * 1e3) / n };
}

async function e2eProto(n) {
  const ring = createRing(RING_BYTES);
  const worker = startSink(ring, '/dev/null');
  await once(worker, 'online');
  const enc = new Encoder(ring, { fallbackLine: todayFallback });
  const l = protoPair(enc, createLogger({ capture: true }), false);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await runCalls(l, SCENARIOS.S2.call, n);
  enc.publish();
  waitWritten(ring, n);
  const ns = Number(process.hrtime.bigint() - t0);
  const cpu = process.cpuUsage(cpu0);
  const busy = new Float64Array(ring, BUSY_AT, 1)[0];
  const written = await stopSink(ring, worker);
  if (written !== n) throw new Error(`prototype e2e: ${written} of ${n} written`);
  return {
    rate: (n / ns) * 1e9,
    cpuNs: ((cpu.user + cpu.system) * 1e3) / n,
    sinkBusy: busy / ns,
    sinkNsPerRecord: busy / n,
    waits: enc.waits,
  };
}

async function e2e() {
  await e2eToday(E2E / 10);
  await e2eProto(E2E / 10);
  const t = [];
  const p = [];
  for (let r = 0; r < E2E_ROUNDS; r++) {
    if (r % 2 === 0) {
      t.push(await e2eToday(E2E));
      p.push(await e2eProto(E2E));
    } else {
      p.push(await e2eProto(E2E));
      t.push(await e2eToday(E2E));
    }
  }
  const ratios = t.map((x, i) => p[i].rate / x.rate);
  return {
    todayRate: median(t.map((x) => x.rate)),
    todayCpuNs: median(t.map((x) => x.cpuNs)),
    protoRate: median(p.map((x) => x.rate)),
    protoCpuNs: median(p.map((x) => x.cpuNs)),
    rateRatio: median(ratios),
    sinkBusy: median(p.map((x) => x.sinkBusy)),
    sinkNsPerRecord: median(p.map((x) => x.sinkNsPerRecord)),
    ringFullWaits: p.map((x) => x.waits),
  };
}

// ── routes on today's path ─────────────────────────────────────────────────────────────
function routes() {
  const l = createLogger({ capture: true });
  for (let i = 0; i < 25; i++) SCENARIOS.S2.call(l, i);
  const lines = l.capture.lines.map((x) => `${x}\n`);
  const buf = Buffer.allocUnsafeSlow(64 * 1024);
  const N = 4000;
  // A rope of 25 lines, each itself a rope of pieces, as the channel's batch is.
  const rope = () => {
    let b = '';
    for (const line of lines) {
      const cut = line.indexOf(',"msg"');
      b += `${line.slice(0, 40)}${line.slice(40, cut)}${line.slice(cut)}`;
    }
    return b;
  };
  const time = (fn) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) fn();
    return Number(process.hrtime.bigint() - t0) / (N * 25);
  };
  const variants = {
    'build rope only': () => rope(),
    'build rope + utf8Write (flattens)': () => buf.utf8Write(rope(), 0),
    'build rope + flatten + latin1Write': () => {
      const s = rope();
      s.charCodeAt(0); // flattens the rope (V8 flattens at an indexed read)
      return buf.latin1Write(s, 0);
    },
  };
  variants['build rope + flatten + utf8Write'] = () => {
    const s = rope();
    s.charCodeAt(0);
    return buf.utf8Write(s, 0);
  };
  const flat = rope();
  flat.charCodeAt(5);
  variants['utf8Write of a flat batch'] = () => buf.utf8Write(flat, 0);
  variants['latin1Write of a flat batch'] = () => buf.latin1Write(flat, 0);
  for (const fn of Object.values(variants)) time(fn);
  const res = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS * 3; r++) {
    const names = Object.keys(variants);
    if (r % 2) names.reverse();
    for (const k of names) res[k].push(time(variants[k]));
  }
  return Object.fromEntries(Object.entries(res).map(([k, v]) => [k, median(v)]));
}

const result = { node: process.version, rounds: ROUNDS, calls: CALLS };
const STEP_FNS = { check, sink: sinkCost, encode: encodeOnly, percall: perCall, e2e, routes };
for (const name of STEPS) {
  log(`${name} …`);
  result[name] = await STEP_FNS[name]();
  log(result[name]);
}
console.log(JSON.stringify(result));
