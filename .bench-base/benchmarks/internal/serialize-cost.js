// The app thread's cost of one log call (S2: 10 fields + message; S5: a nested ~1 KB
// object), for a plain logger, a logger with `redactKeys: true` and the production preset.
// Capturing loggers: the line is built as for the ring, kept in memory and dropped every
// 1,000 calls, so no I/O or worker is timed. With --base DIR (another build's dist/), the
// same calls run through that build too, the two alternating round by round in one process,
// and the ratio (this build / base) is taken per round.
//
//   npm run build && node benchmarks/internal/serialize-cost.js [--base DIR] [--rounds 9] [--calls 100000]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ORDER, s2Fields } from '../lib/scenarios.js';
import { median } from '../lib/stats.js';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const ROUNDS = Number(arg('rounds', 9));
const CALLS = Number(arg('calls', 100_000));
const base = arg('base', undefined);

const builds = { this: await import('../../dist/index.js') };
if (base !== undefined) builds.base = await import(pathToFileURL(resolve(base, 'index.js')).href);

const VARIANTS = {
  plain: {},
  redactKeys: { redactKeys: true },
  production: { preset: 'production' },
};
const SCENARIOS = {
  S2: (l, i) => l.info(s2Fields(i), 'request completed'),
  S5: (l) => l.info({ order: ORDER }, 'order received'),
};

/** CPU time of this thread per call (user + system): on a shared machine, time the process
 * spent waiting for a core does not count, as it would in wall-clock time. */
function nsPerCall(log, call) {
  const capture = log.capture;
  const start = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) {
    call(log, i);
    if (i % 1000 === 999) capture.clear();
  }
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / CALLS;
}

const rows = [];
for (const [scenario, call] of Object.entries(SCENARIOS)) {
  for (const [variant, options] of Object.entries(VARIANTS)) {
    const loggers = Object.fromEntries(
      Object.entries(builds).map(([b, m]) => [
        b,
        m.createLogger({ capture: true, ...options, level: 'info' }),
      ]),
    );
    for (const log of Object.values(loggers)) nsPerCall(log, call); // warm-up
    const times = Object.fromEntries(Object.keys(builds).map((b) => [b, []]));
    const ratios = [];
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate which build goes first, so drift in machine load falls on both.
      const order = r % 2 === 0 ? Object.keys(builds) : Object.keys(builds).reverse();
      const round = {};
      for (const b of order) round[b] = nsPerCall(loggers[b], call);
      for (const b of order) times[b].push(round[b]);
      if (base !== undefined) ratios.push(round.this / round.base);
    }
    const row = { scenario, variant };
    for (const b of Object.keys(builds)) row[`${b} ns/call`] = median(times[b]).toFixed(0);
    if (base !== undefined) row['this/base'] = median(ratios).toFixed(3);
    rows.push(row);
  }
}
console.table(rows);
