// Where an HTTP server's time goes per request, with and without request logging: the server
// of benchmarks/http-overhead.js run under `node --cpu-prof`, loaded by autocannon, then every
// thread's profile read back: self time per function (µs per request), and the inclusive time
// of the functions named with --focus (a function and everything it calls).
//
//   node benchmarks/internal/http-profile.js [--app node:http] [--logger ringlog]
//     [--duration 8] [--connections 10] [--rate 4000] [--top 25] [--focus begin,writeRecord]
//
// Run `npm run build` first (the server loads dist/). Sampling at 100 µs: a function needs a
// few hundred samples before its figure means much; compare two runs side by side, not one
// figure against a memory.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const args = process.argv.slice(2);
const arg = (k, d) => {
  const i = args.indexOf(`--${k}`);
  return i === -1 ? d : args[i + 1];
};
const app = arg('app', 'node:http');
const loggerName = arg('logger', 'ringlog');
const duration = Number(arg('duration', 8));
const connections = Number(arg('connections', 10));
const topN = Number(arg('top', 25));
const rate = arg('rate', undefined);
const focus = arg('focus', 'begin,writeRecord,bindContext,withContext,child,log').split(',');

const server = fileURLToPath(new URL('../http-overhead.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ringlog-http-profile-'));
try {
  const child = fork(server, ['--server', app, loggerName, join(dir, 'server.log')], {
    execArgv: ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=100'],
    stdio: 'inherit',
  });
  const exited = once(child, 'exit');
  const [{ port }] = await once(child, 'message');
  const url = `http://127.0.0.1:${port}/users/42`;
  await autocannon({ url, connections, duration: 2 });
  child.send('start');
  await once(child, 'message');
  const r = await autocannon({
    url,
    connections,
    duration,
    ...(rate === undefined ? {} : { overallRate: Number(rate) }),
  });
  child.send('stop');
  const [perRequest] = await once(child, 'message');
  child.send('end');
  const [{ handled }] = await once(child, 'message');
  await exited;
  // The profile covers the whole life of the server; per request is over every request it
  // handled (warm-up included), which is what the samples cover too.
  const profiles = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const self = new Map();
  const inclusive = new Map(focus.map((f) => [f, 0]));
  const threads = [];
  for (const f of profiles) {
    const prof = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    const byId = new Map(prof.nodes.map((n) => [n.id, n]));
    const parent = new Map();
    for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    let busy = 0;
    for (let i = 0; i < prof.samples.length; i++) {
      const node = byId.get(prof.samples[i]);
      const dt = prof.timeDeltas[i] ?? 0;
      const { functionName, url: file, lineNumber } = node.callFrame;
      if (functionName === '(idle)' || functionName === '(program)') continue;
      busy += dt;
      const where = file ? `${basename(file.replace(/^file:\/\//, ''))}:${lineNumber + 1}` : '';
      const key = `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
      self.set(key, (self.get(key) ?? 0) + dt);
      // Inclusive: count the sample once per focused function on its stack.
      const seen = new Set();
      for (let id = node.id; id !== undefined; id = parent.get(id)) {
        const fn = byId.get(id).callFrame.functionName;
        if (inclusive.has(fn) && !seen.has(fn)) {
          seen.add(fn);
          inclusive.set(fn, inclusive.get(fn) + dt);
        }
      }
    }
    threads.push({ profile: f, busyUsPerRequest: +(busy / handled).toFixed(2) });
  }
  const per = (us) => +(us / handled).toFixed(3);
  const top = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, topN)
    .map(([fn, us]) => ({ fn, usPerRequest: per(us) }));
  console.log(
    JSON.stringify(
      {
        app,
        logger: loggerName,
        rps: r.requests.average,
        p99: r.latency.p99,
        handled,
        measured: perRequest,
        threads,
        inclusiveUsPerRequest: Object.fromEntries([...inclusive].map(([k, v]) => [k, per(v)])),
        selfUsPerRequest: top,
      },
      null,
      1,
    ),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
