// What request context and OpenTelemetry ids cost a log call, against the same call in a
// build without them (today's per-call cost).
//
//   npm run build
//   git worktree add /tmp/ringlog-base <commit> && (cd /tmp/ringlog-base && npm ci && npx tsup)
//   node benchmarks/internal/context.js --base /tmp/ringlog-base/dist/index.js [--rounds 7]
//
// Each contender runs in a fresh process (the "context was used" flag is per process and
// never goes back), rounds alternate the contenders, and the table gives the median over
// rounds of each contender's median ns per call, and its ratio to the baseline taken round by
// round. Every line written is counted and parsed; context and span fields are checked.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = fileURLToPath(import.meta.url);
const PACE = 1000;

const CONTENDERS = {
  // The build before request context existed.
  base: { dist: 'base' },
  // This build, no context ever bound.
  'no context': { dist: 'this' },
  // This build, @opentelemetry/api loaded and a tracer provider made, no context manager.
  'otel, unregistered': { dist: 'this', otel: 'idle' },
  // This build, every call inside withContext({ reqId, userId }).
  'in a context': { dist: 'this', context: true },
  // This build, every call inside an active span (context manager registered).
  'in a span': { dist: 'this', otel: 'span' },
  // Both.
  'context + span': { dist: 'this', context: true, otel: 'span' },
};

async function child(name, distPath, path, iterations) {
  const c = CONTENDERS[name];
  const { Bench } = await import('tinybench');
  let api;
  let tracer;
  if (c.otel !== undefined) {
    api = await import('@opentelemetry/api');
    const { TracerProvider } = await import('@opentelemetry/sdk-trace');
    tracer = new TracerProvider().getTracer('bench');
    if (c.otel === 'span') {
      const { AsyncLocalStorageContextManager } = await import(
        '@opentelemetry/context-async-hooks'
      );
      api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    }
  }
  const ringlog = await import(pathToFileURL(distPath).href);
  const log = ringlog.createLogger({ destination: path });
  await log.flush();
  let seq = 0;
  const bench = new Bench({ time: 0, iterations, warmupIterations: 20, throws: true });
  bench.add(name, async () => {
    for (let k = 0; k < PACE; k++)
      log.info({ seq: seq++, route: '/users/:id', status: 200 }, 'request done');
    await yieldToLoop();
  });
  const run = () => bench.run();
  const inSpan = (fn) =>
    c.otel === 'span'
      ? tracer.startActiveSpan('bench', (span) => fn().finally(() => span.end()))
      : fn();
  const inContext = (fn) =>
    c.context ? ringlog.withContext({ reqId: 'req-7f3a', userId: 42 }, fn) : fn();
  await inSpan(() => inContext(run));
  await log.close();
  const task = bench.tasks[0];
  if (task.result.state !== 'completed') throw new Error(`${name}: ${task.result.state}`);
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.pop();
  if (lines.length !== seq) throw new Error(`${name}: ${lines.length} lines, ${seq} logged`);
  for (let i = 0; i < lines.length; i++) {
    const r = JSON.parse(lines[i]);
    if (r.seq !== i) throw new Error(`${name}: line ${i} has seq ${r.seq}`);
    if (c.context && r.reqId !== 'req-7f3a') throw new Error(`${name}: no reqId on line ${i}`);
    if (c.otel === 'span' && typeof r.trace_id !== 'string')
      throw new Error(`${name}: no trace_id on line ${i}`);
    if (!c.context && c.otel !== 'span' && ('reqId' in r || 'trace_id' in r))
      throw new Error(`${name}: unexpected fields on line ${i}`);
  }
  // p50 of the task's samples (ms per PACE calls) → ns per call.
  return (task.result.latency.p50 * 1e6) / PACE;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const args = process.argv.slice(2);
const arg = (k, d) => {
  const i = args.indexOf(`--${k}`);
  return i === -1 ? d : args[i + 1];
};

if (arg('child') !== undefined) {
  const ns = await child(arg('child'), arg('dist'), arg('path'), Number(arg('iterations')));
  process.stdout.write(`${JSON.stringify({ ns })}\n`);
} else {
  const base = arg('base');
  if (base === undefined) {
    console.error("context.js: --base <path to the baseline build's dist/index.js> is required");
    process.exit(2);
  }
  const thisDist = resolve(here, '../../../dist/index.js');
  const rounds = Number(arg('rounds', 7));
  const iterations = Number(arg('iterations', 200));
  const dir = mkdtempSync(join(tmpdir(), 'ringlog-context-bench-'));
  const names = Object.keys(CONTENDERS);
  const results = Object.fromEntries(names.map((n) => [n, []]));
  const ratios = Object.fromEntries(names.map((n) => [n, []]));
  try {
    for (let r = 0; r < rounds; r++) {
      // Rotate the order each round, so no contender always runs first or last.
      const order = names.map((_, i) => names[(i + r) % names.length]);
      const round = {};
      for (const name of order) {
        const path = join(dir, `${r}-${name.replace(/\W+/g, '-')}.log`);
        const dist = CONTENDERS[name].dist === 'base' ? base : thisDist;
        const out = execFileSync(
          process.execPath,
          [
            here,
            '--child',
            name,
            '--dist',
            dist,
            '--path',
            path,
            '--iterations',
            String(iterations),
          ],
          { encoding: 'utf8' },
        );
        round[name] = JSON.parse(out.trim().split('\n').pop()).ns;
        rmSync(path, { force: true });
      }
      for (const n of names) {
        results[n].push(round[n]);
        ratios[n].push(round[n] / round.base);
      }
      process.stderr.write(
        `round ${r + 1}/${rounds}: ${names.map((n) => `${n} ${round[n].toFixed(0)}`).join(', ')}\n`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `\n${rounds} alternating rounds, ${iterations}×${PACE} calls each, median ns per call (S: 3 fields + msg)\n`,
  );
  console.log('| contender | ns per call | × base |');
  console.log('|---|---|---|');
  for (const n of names) {
    const lo = Math.min(...ratios[n]).toFixed(2);
    const hi = Math.max(...ratios[n]).toFixed(2);
    console.log(
      `| ${n} | ${median(results[n]).toFixed(0)} | ${median(ratios[n]).toFixed(3)} (${lo}–${hi}) |`,
    );
  }
}
