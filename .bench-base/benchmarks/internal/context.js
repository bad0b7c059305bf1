// What request context and OpenTelemetry ids cost a log call, against the same call in a
// build without them (today's per-call cost).
//
//   npm run build
//   git worktree add /tmp/ringlog-base <commit> && (cd /tmp/ringlog-base && npm ci && npx tsup)
//   node benchmarks/internal/context.js --base /tmp/ringlog-base/dist/index.js [--rounds 31]
//
// Each contender runs in a fresh process (the "context was used" flag is per process and
// never goes back) beside the baseline build, loaded in the same process: the two take turns,
// round after round (order swapped each round), so both see the same machine. The figure is
// the median over rounds of the contender's time per call divided by the baseline's in the
// same round, with the medians of the ns per call. Every line written is counted and parsed;
// context and span fields are checked.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = fileURLToPath(import.meta.url);
const PACE = 1000;
const PER_ROUND = 20; // PACE-call runs of each logger per round

const CONTENDERS = {
  // This build, no context ever bound.
  'no context': {},
  // This build, @opentelemetry/api loaded and a tracer provider made, no context manager.
  'otel, unregistered': { otel: 'idle' },
  // This build, every call inside withContext({ reqId, userId }).
  'in a context': { context: true },
  // This build, every call inside an active span (context manager registered).
  'in a span': { otel: 'span' },
  // Both.
  'context + span': { context: true, otel: 'span' },
};

async function child(name, basePath, thisPath, dir, rounds) {
  const c = CONTENDERS[name];
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
  const base = await import(pathToFileURL(basePath).href);
  const ours = await import(pathToFileURL(thisPath).href);
  const basePathLog = join(dir, 'base.log');
  const oursPathLog = join(dir, 'ours.log');
  const baseLog = base.createLogger({ destination: basePathLog });
  const oursLog = ours.createLogger({ destination: oursPathLog });
  await Promise.all([baseLog.flush(), oursLog.flush()]);
  const seq = { base: 0, ours: 0 };
  /** ns per call of PER_ROUND runs of PACE calls, the median run. */
  async function timed(log, key) {
    const runs = [];
    for (let r = 0; r < PER_ROUND; r++) {
      const t0 = process.hrtime.bigint();
      for (let k = 0; k < PACE; k++)
        log.info({ seq: seq[key]++, route: '/users/:id', status: 200 }, 'request done');
      runs.push(Number(process.hrtime.bigint() - t0) / PACE);
      await yieldToLoop();
    }
    return median(runs);
  }
  const inSpan = (fn) =>
    c.otel === 'span'
      ? tracer.startActiveSpan('bench', (span) => fn().finally(() => span.end()))
      : fn();
  // The baseline build has no withContext: its calls are the same with or without one.
  const inContext = (fn) =>
    c.context ? ours.withContext({ reqId: 'req-7f3a', userId: 42 }, fn) : fn();
  const out = { base: [], ours: [] };
  await inSpan(() =>
    inContext(async () => {
      for (let r = 0; r < rounds + 2; r++) {
        const order = r % 2 === 0 ? ['base', 'ours'] : ['ours', 'base'];
        const got = {};
        for (const k of order) got[k] = await timed(k === 'base' ? baseLog : oursLog, k);
        // The first two rounds warm up the JIT and the sink: not counted.
        if (r >= 2) for (const k of order) out[k].push(got[k]);
      }
    }),
  );
  await Promise.all([baseLog.close(), oursLog.close()]);
  for (const [key, path] of [
    ['base', basePathLog],
    ['ours', oursPathLog],
  ]) {
    const lines = readFileSync(path, 'utf8').split('\n');
    lines.pop();
    if (lines.length !== seq[key])
      throw new Error(`${name} ${key}: ${lines.length} lines, ${seq[key]} logged`);
    for (let i = 0; i < lines.length; i++) {
      const r = JSON.parse(lines[i]);
      if (r.seq !== i) throw new Error(`${name} ${key}: line ${i} has seq ${r.seq}`);
      const ctx = key === 'ours' && c.context === true;
      const span = key === 'ours' && c.otel === 'span';
      if (ctx !== (r.reqId === 'req-7f3a'))
        throw new Error(`${name} ${key}: reqId wrong on line ${i}`);
      if (span !== (typeof r.trace_id === 'string'))
        throw new Error(`${name} ${key}: trace_id wrong on line ${i}`);
    }
  }
  return out;
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
  const out = await child(
    arg('child'),
    arg('base'),
    arg('this'),
    arg('dir'),
    Number(arg('rounds')),
  );
  process.stdout.write(`${JSON.stringify(out)}\n`);
} else {
  const base = arg('base');
  if (base === undefined) {
    console.error("context.js: --base <path to the baseline build's dist/index.js> is required");
    process.exit(2);
  }
  const thisDist = resolve(here, '../../../dist/index.js');
  const rounds = Number(arg('rounds', 31));
  const dir = mkdtempSync(join(tmpdir(), 'ringlog-context-bench-'));
  const rows = [];
  try {
    for (const name of Object.keys(CONTENDERS)) {
      const sub = mkdtempSync(join(dir, 'c-'));
      const out = JSON.parse(
        execFileSync(
          process.execPath,
          [
            here,
            '--child',
            name,
            '--base',
            base,
            '--this',
            thisDist,
            '--dir',
            sub,
            '--rounds',
            String(rounds),
          ],
          { encoding: 'utf8' },
        )
          .trim()
          .split('\n')
          .pop(),
      );
      const ratios = out.ours.map((v, i) => v / out.base[i]);
      const s = [...ratios].sort((a, b) => a - b);
      const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
      rows.push([name, median(out.base), median(out.ours), median(ratios), q(0.25), q(0.75)]);
      process.stderr.write(
        `${name}: ${median(out.ours).toFixed(0)} ns against ${median(out.base).toFixed(0)} ns, ×${median(ratios).toFixed(3)}\n`,
      );
      rmSync(sub, { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `\nNode ${process.version}; per contender one process, ${rounds} rounds alternating with the baseline build, ${PER_ROUND}×${PACE} calls each per round; median ns per call; ratio = median of per-round ratios (interquartile range)\n`,
  );
  console.log('| contender | baseline ns per call | contender ns per call | × baseline |');
  console.log('|---|---|---|---|');
  for (const [name, b, o, r, lo, hi] of rows)
    console.log(
      `| ${name} | ${b.toFixed(0)} | ${o.toFixed(0)} | ${r.toFixed(3)} (${lo.toFixed(2)}–${hi.toFixed(2)}) |`,
    );
}
