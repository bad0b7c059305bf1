// What several destinations cost the application thread: S2 calls into a logger with one
// file destination ("one") and into a logger with three ("three": the same kind of file, a
// second file at level warn, and a pretty destination to /dev/null), in one process, the two
// alternating round by round, same sink worker. Prints per-call ns (median over rounds) and
// the ratio three/one, for two loops:
//   burst   1000 calls, then yield (the tick's batch is published), as fast as it goes
//   paced   1000 calls every 20 ms (50k records/s): well below what the sink formats for
//           the pretty destination, so the ring should not fill and only the app side is
//           measured. ringHighWater* in the output shows whether it did (a loaded machine
//           can slow the sink enough): a high-water mark at the ring's size means the
//           producer waited for the sink, and the figure includes that wait.
// The sink's own work is not in these figures (see docs/destinations.md); every record is
// checked on disk and in metrics() at the end.
//
//   npm run build && node benchmarks/destinations-cost.js [--quick]
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep, setImmediate as yieldToLoop } from 'node:timers/promises';
import { s2Fields } from './lib/scenarios.js';

const { createLogger } = await import('../dist/index.js');
const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 10 : 30;
const BURSTS = 20; // per round and logger
const PACE = 1000; // calls per burst

const dir = mkdtempSync(join(tmpdir(), 'ringlog-dests-'));
const devNull = openSync('/dev/null', 'w');
const files = {
  one: join(dir, 'one.log'),
  three: join(dir, 'three.log'),
  warn: join(dir, 'warn.log'),
};
const loggers = {
  one: createLogger({ destination: files.one }),
  three: createLogger({
    destination: [
      files.three,
      { type: 'file', path: files.warn, level: 'warn' },
      { type: 'pretty', destination: devNull, colorize: true },
    ],
  }),
};

const nextTick = () => new Promise((resolve) => process.nextTick(resolve));
let seq = 0;

/** ns per call over one round of BURSTS bursts; the tick's publish is inside the timing. */
async function round(log, paced) {
  let ns = 0;
  for (let b = 0; b < BURSTS; b++) {
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < PACE; k++) log.info(s2Fields(seq++), 'request completed');
    await nextTick(); // the batch's publish was scheduled first: it has run when this resolves
    ns += Number(process.hrtime.bigint() - t0);
    if (paced) await sleep(20);
    else await yieldToLoop();
  }
  await log.flush(); // untimed: each round starts with an empty ring
  return ns / (BURSTS * PACE);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

const counts = { one: 0, three: 0 };
const result = { node: process.version, rounds: ROUNDS, callsPerRound: BURSTS * PACE };
const highWater = () => ({
  one: loggers.one.metrics().ringHighWaterBytes,
  three: loggers.three.metrics().ringHighWaterBytes,
});
// Paced first: the high-water mark only grows, so it is read before the burst loop fills it.
for (const loop of ['paced', 'burst']) {
  const samples = { one: [], three: [] };
  for (let r = -2; r < ROUNDS; r++) {
    // Alternate which goes first, so neither always runs right after the other's sink work.
    const order = r % 2 === 0 ? ['one', 'three'] : ['three', 'one'];
    for (const name of order) {
      const ns = await round(loggers[name], loop === 'paced');
      counts[name] += BURSTS * PACE;
      if (r >= 0) samples[name].push(ns); // two warm-up rounds
    }
  }
  const one = median(samples.one);
  const three = median(samples.three);
  result[loop] = {
    oneNsPerCall: +one.toFixed(1),
    threeNsPerCall: +three.toFixed(1),
    ratio: +(three / one).toFixed(3),
    // Most ring bytes ever in use so far (this loop and the ones before it).
    ringHighWaterBytes: highWater(),
  };
}

const lineCount = (f) => readFileSync(f, 'utf8').split('\n').length - 1;
const m = loggers.three.metrics();
await loggers.one.close();
await loggers.three.close();
closeSync(devNull);
if (lineCount(files.one) !== counts.one)
  throw new Error(`one.log: ${lineCount(files.one)} lines, ${counts.one} logged`);
if (lineCount(files.three) !== counts.three)
  throw new Error(`three.log: ${lineCount(files.three)} lines, ${counts.three} logged`);
if (lineCount(files.warn) !== 0) throw new Error('warn.log should hold no S2 (info) record');
if (m.destinations[2].written !== counts.three)
  throw new Error(`pretty wrote ${m.destinations[2].written}, ${counts.three} logged`);
rmSync(dir, { recursive: true });
result.ringBytes = m.ringBytes;
result.ringFullDrops = m.dropped.total;
console.log(JSON.stringify(result, null, 2));
