// The application thread's cost of a whole log call through the ring (line built, batched,
// copied into shared memory, published), this build against another build's dist/, in one
// process: each round times every scenario on both builds, in an order that alternates from
// round to round, and the ratio (this build / base) is taken within the round. Each build
// writes to its own file through its own sink worker, as `npm run bench` does per call
// (paced: 1,000 calls, then a turn of the event loop, so the end-of-tick publish is inside).
// The two builds alternate block by block. Figures are medians over the blocks of a round
// (ns per call), then over rounds.
//
//   npm run build && cp -r dist /some/where/base-dist   (before the change)
//   node benchmarks/internal/hot-path.js --base /some/where/base-dist [--this DIR] [--rounds 5]
//     [--blocks 200] [--only S2]   (--this: another dist/ in place of this build's)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { SCENARIOS as PEER_SCENARIOS, s2Fields } from '../lib/scenarios.js';
import { median } from '../lib/stats.js';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const ROUNDS = Number(arg('rounds', 5));
const BLOCKS = Number(arg('blocks', 200));
const PACE = 1000;
const base = arg('base', undefined);
if (base === undefined)
  throw new Error('hot-path.js: --base <dist dir of the build to compare with> is required');
// S2 as in `npm run bench` (its string values are the same strings call after call), and S2
// with string values made anew each call, different from one call to the next (what a cache
// of a key's last value cannot help, and where it costs its compare).
const SCENARIOS = {
  ...PEER_SCENARIOS,
  S2fresh: {
    call: (l, seq) => {
      const f = s2Fields(seq);
      const n = `${seq % 997}`;
      f.action = `checkout-${n}`;
      f.path = `/api/v1/orders/${n}`;
      f.ip = `203.0.113.${n}`;
      f.ua = `${f.ua} ${n}`;
      l.info(f, 'request completed');
    },
  },
};
const only = arg('only', 'S1,S2,S3,S5,S6').split(',');

const mine = arg('this', undefined);
const builds = {
  this: await import(
    mine === undefined ? '../../dist/index.js' : pathToFileURL(resolve(mine, 'index.js')).href
  ),
  base: await import(pathToFileURL(resolve(base, 'index.js')).href),
};
const dir = mkdtempSync(join(tmpdir(), 'ringlog-hot-path-'));
const loggers = {};
for (const [name, mod] of Object.entries(builds)) {
  const root = mod.createLogger({ destination: join(dir, `${name}.log`) });
  await root.flush();
  loggers[name] = {};
  for (const id of only) {
    const sc = SCENARIOS[id];
    loggers[name][id] = { root, l: sc.prepare ? sc.prepare(root) : root };
  }
}

let seq = 0;
/** ns per call of one paced block of PACE calls. */
async function block(id, name) {
  const { l } = loggers[name][id];
  const call = SCENARIOS[id].call;
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < PACE; k++) call(l, seq++, 'ringlog');
  await yieldToLoop();
  return Number(process.hrtime.bigint() - t0) / PACE;
}

// Warm-up: both builds, every scenario, JIT and sinks settled before the first round.
for (const id of only)
  for (let b = 0; b < 50; b++) for (const name of ['this', 'base']) await block(id, name);

// Block by block, the two builds alternate (and which goes first alternates too), so a noisy
// neighbour or a sink falling behind weighs on both alike.
const results = Object.fromEntries(only.map((id) => [id, { this: [], base: [], ratio: [] }]));
for (let r = 0; r < ROUNDS; r++) {
  for (const id of only) {
    const t = { this: [], base: [] };
    for (let b = 0; b < BLOCKS; b++) {
      const order = b % 2 === 0 ? ['this', 'base'] : ['base', 'this'];
      for (const name of order) t[name].push(await block(id, name));
    }
    const mine = median(t.this);
    const theirs = median(t.base);
    results[id].this.push(mine);
    results[id].base.push(theirs);
    results[id].ratio.push(mine / theirs);
  }
}
for (const name of ['this', 'base']) await loggers[name][only[0]].root.close();
rmSync(dir, { recursive: true, force: true });

const fmt = (ns) => `${ns.toFixed(0)} ns`;
console.log(`${ROUNDS} rounds × ${BLOCKS} blocks of ${PACE} paced calls; medians`);
console.log('scenario | this build | base | ratio (min–max)');
for (const id of only) {
  const x = results[id];
  console.log(
    `${id} | ${fmt(median(x.this))} | ${fmt(median(x.base))} | ${median(x.ratio).toFixed(2)}× (${Math.min(...x.ratio).toFixed(2)}×–${Math.max(...x.ratio).toFixed(2)}×)`,
  );
}
