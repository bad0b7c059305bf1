// What ringlog's optional features cost or gain on the application thread, each against the
// plain path in the same process, alternating round by round (ratios taken per round):
//   - a typed event (fast-json-stringify, compiled from a schema) against the generic
//     serializer, on S2's fields;
//   - an info call with the flight recorder on against off;
//   - a debug call kept by the flight recorder against a disabled debug (the shared noop).
//
//   node benchmarks/features.js [--rounds N] [--iterations N] [--json]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Bench } from 'tinybench';
import { createLogger } from '../dist/index.js';
import { ORDER, s2Fields } from './lib/scenarios.js';
import { spread } from './lib/stats.js';

const args = process.argv.slice(2);
const argNum = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ROUNDS = argNum('rounds', 5);
const ITERATIONS = argNum('iterations', 50);
const PACE = 1000;
const dir = mkdtempSync(join(tmpdir(), 'ringlog-features-'));

const S2_SCHEMA = {
  type: 'object',
  properties: {
    userId: { type: 'integer' },
    action: { type: 'string' },
    ok: { type: 'boolean' },
    latencyMs: { type: 'number' },
    path: { type: 'string' },
    method: { type: 'string' },
    status: { type: 'integer' },
    ip: { type: 'string' },
    ua: { type: 'string' },
    reqId: { type: 'integer' },
  },
};

const str = { type: 'string' };
const num = { type: 'number' };
const ORDER_SCHEMA = {
  type: 'object',
  properties: {
    order: {
      type: 'object',
      properties: {
        id: str,
        createdAt: str,
        customer: {
          type: 'object',
          properties: {
            id: str,
            email: str,
            tier: str,
            address: {
              type: 'object',
              properties: { street: str, city: str, zip: str, country: str },
            },
          },
        },
        items: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              sku: str,
              name: str,
              qty: { type: 'integer' },
              price: num,
              tags: { type: 'array', items: str },
            },
          },
        },
        payment: {
          type: 'object',
          properties: {
            method: str,
            brand: str,
            last4: str,
            captured: { type: 'boolean' },
            amount: num,
          },
        },
        shipping: {
          type: 'object',
          properties: { carrier: str, service: str, eta: str, cost: num },
        },
        flags: {
          type: 'object',
          properties: {
            gift: { type: 'boolean' },
            firstOrder: { type: 'boolean' },
            fraudScore: num,
          },
        },
        notes: str,
      },
    },
  },
};

const logger = (name, extra = {}) =>
  createLogger({ destination: join(dir, `${name}.log`), ...extra });

const plain = logger('plain');
const events = logger('events', { schemas: { request: S2_SCHEMA, order: ORDER_SCHEMA } });
const request = events.event('request');
const order = events.event('order');
const recorded = logger('recorded', { flightRecorder: { level: 'debug', size: 1000 } });
await Promise.all([plain.flush(), events.flush(), recorded.flush()]);

let seq = 0;
const PAIRS = [
  {
    name: 'typed event vs generic serializer (S2 fields)',
    baseline: () => plain.info(s2Fields(seq++), 'request completed'),
    variant: () => request.info(s2Fields(seq++), 'request completed'),
  },
  {
    name: 'typed event vs generic serializer (S5 nested order, ~1 KB)',
    baseline: () => plain.info({ order: ORDER }, 'order received'),
    variant: () => order.info({ order: ORDER }, 'order received'),
  },
  {
    name: 'info call, flight recorder on vs off',
    baseline: () => plain.info(s2Fields(seq++), 'request completed'),
    variant: () => recorded.info(s2Fields(seq++), 'request completed'),
  },
  {
    name: 'debug call kept by the flight recorder vs disabled debug',
    baseline: () => plain.debug(s2Fields(seq++), 'request completed'),
    variant: () => recorded.debug(s2Fields(seq++), 'request completed'),
  },
];

async function nsPerCall(fn) {
  const bench = new Bench({
    time: 0,
    iterations: ITERATIONS,
    warmupTime: 0,
    warmupIterations: 5,
    throws: true,
  });
  bench.add('x', async () => {
    for (let k = 0; k < PACE; k++) fn();
    await yieldToLoop();
  });
  await bench.run();
  const r = bench.tasks[0].result;
  // latency.mean is ms per run of PACE calls: ×1e6/PACE gives ns per call.
  return (r.latency.mean * 1e6) / PACE;
}

const results = [];
for (const pair of PAIRS) {
  const base = [];
  const variant = [];
  const ratios = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which side runs first.
    const first = round % 2 === 0;
    const a = first ? await nsPerCall(pair.baseline) : undefined;
    const b = await nsPerCall(pair.variant);
    const a2 = first ? a : await nsPerCall(pair.baseline);
    base.push(a2);
    variant.push(b);
    ratios.push(b / a2);
  }
  results.push({
    name: pair.name,
    baselineNs: spread(base),
    variantNs: spread(variant),
    ratio: spread(ratios),
  });
  if (!args.includes('--json')) {
    const r = results.at(-1);
    console.log(
      `${pair.name}: ${r.variantNs.median.toFixed(0)} ns vs ${r.baselineNs.median.toFixed(0)} ns per call, ` +
        `ratio ${r.ratio.median.toFixed(2)}× (${r.ratio.min.toFixed(2)}–${r.ratio.max.toFixed(2)})`,
    );
  }
}
await Promise.all([plain.close(), events.close(), recorded.close()]);
rmSync(dir, { recursive: true, force: true });
if (args.includes('--json'))
  process.stdout.write(`${JSON.stringify({ rounds: ROUNDS, pairs: results })}\n`);
