// What request logging costs an HTTP server: a real Express 5 app and a plain node:http app,
// each without logging, with ringlog/http and with pino-http, under autocannon, side by side
// in one run, alternating.
//
//   npm run bench:http            (npm run build && node benchmarks/http-overhead.js)
//   node benchmarks/http-overhead.js --rounds 3 --duration 5 --connections 10
//
// Each server runs in a fresh child process (autocannon runs here, in the parent). Loggers
// write to a file: ringlog to its file destination, pino-http through pino.destination in its
// asynchronous mode (pino's recommendation for throughput). Once the load ends the server
// flushes, reports how many requests it handled, and every line of its log is parsed and
// counted against that: a contender that lost or mangled a line fails the run.
//
// Figures per contender (medians over rounds): requests/s and p99 latency as autocannon saw
// them, and what the server spent per request during the measured run: its main thread's busy
// time (event loop utilization: the time a request holds the thread, which is what adds to
// latency) and its CPU time, all threads (ringlog's sink thread included). "Added" is the
// contender's figure minus the same app's without logging, in the same round. On a loaded
// machine throughput swings with the neighbours; the per-request times much less.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);
const arg = (k, d) => {
  const i = args.indexOf(`--${k}`);
  return i === -1 ? d : args[i + 1];
};

const APPS = (arg('apps', 'express,node:http') ?? '').split(',');
// --loggers adds diagnostic contenders: `als` (AsyncLocalStorage.run around each request, no
// logging: what a request context costs by itself on this Node) and `ringlog-plain` (one
// ringlog record per finished request, written by hand: no middleware, no context).
const LOGGERS = (arg('loggers', 'none,ringlog,pino-http') ?? '').split(',');

/** The server side: `--server <app> <logger> <logfile>`; talks to the parent over IPC. */
async function server(app, loggerName, path) {
  let handled = 0;
  let middleware;
  let end = async () => {};
  if (loggerName === 'ringlog') {
    const { createLogger } = await import('../dist/index.js');
    const { httpLogger } = await import('../dist/http.js');
    const log = createLogger({ destination: path });
    await log.flush();
    middleware = httpLogger({ logger: log });
    end = () => log.close();
  } else if (loggerName === 'als') {
    const { AsyncLocalStorage } = await import('node:async_hooks');
    const als = new AsyncLocalStorage();
    let n = 0;
    middleware = (_req, _res, next) => als.run({ reqId: ++n }, next);
    middleware.wrap = (h) => (req, res) => als.run({ reqId: ++n }, () => h(req, res));
  } else if (loggerName === 'ringlog-plain') {
    const { createLogger } = await import('../dist/index.js');
    const log = createLogger({ destination: path });
    await log.flush();
    let n = 0;
    const onRequest = (req, res) => {
      const reqId = ++n;
      const start = process.hrtime.bigint();
      res.once('finish', () =>
        log.info(
          {
            reqId,
            req: { method: req.method, url: req.url },
            res: { statusCode: res.statusCode },
            responseTime: Number(process.hrtime.bigint() - start) / 1e6,
          },
          'request completed',
        ),
      );
    };
    middleware = (req, res, next) => {
      onRequest(req, res);
      next();
    };
    middleware.wrap = (h) => (req, res) => {
      onRequest(req, res);
      h(req, res);
    };
    end = () => log.close();
  } else if (loggerName === 'pino-http') {
    const { default: pino } = await import('pino');
    const { pinoHttp } = await import('pino-http');
    const dest = pino.destination({ dest: path, sync: false, minLength: 4096 });
    await once(dest, 'ready');
    middleware = pinoHttp({ logger: pino(dest) });
    end = async () => {
      const closed = once(dest, 'close');
      dest.end();
      await closed;
    };
  }
  const body = JSON.stringify({ id: 42, name: 'ada', roles: ['admin', 'dev'] });
  let srv;
  if (app === 'express') {
    const { default: express } = await import('express');
    const a = express();
    if (middleware) a.use(middleware);
    a.get('/users/:id', (_req, res) => {
      handled++;
      res.type('json').send(body);
    });
    srv = createServer(a);
  } else {
    const handler = (_req, res) => {
      handled++;
      res.setHeader('content-type', 'application/json');
      res.end(body);
    };
    srv = createServer(
      middleware === undefined
        ? handler
        : middleware.wrap !== undefined
          ? middleware.wrap(handler)
          : (req, res) => {
              middleware(req, res);
              handler(req, res);
            },
    );
  }
  srv.keepAliveTimeout = 60_000;
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  process.send({ port: srv.address().port });
  // After the warm-up: the measured run starts.
  let [msg] = await once(process, 'message');
  if (msg !== 'start') throw new Error(`unexpected message ${msg}`);
  const handledAtStart = handled;
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  process.send({ started: true });
  [msg] = await once(process, 'message');
  if (msg !== 'stop') throw new Error(`unexpected message ${msg}`);
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  const n = handled - handledAtStart;
  const perRequest = { cpuUs: (cpu.user + cpu.system) / n, busyUs: (elu.active * 1000) / n };
  srv.closeAllConnections();
  await new Promise((r) => srv.close(r));
  await end();
  process.send({ handled, perRequest });
  process.disconnect();
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Every line parses and names its request; returns the count. */
function verifyLog(path, loggerName) {
  if (loggerName === 'none' || loggerName === 'als') return 0;
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  if (lines.pop() !== '') throw new Error(`${loggerName}: the log does not end with a newline`);
  for (const line of lines) {
    const r = JSON.parse(line);
    const id = loggerName === 'pino-http' ? r.req?.id : r.reqId;
    if (id === undefined || r.res?.statusCode !== 200)
      throw new Error(`${loggerName}: a line without its request: ${line.slice(0, 200)}`);
  }
  return lines.length;
}

async function measure(app, loggerName, dir, round, opts) {
  const path = join(dir, `${round}-${app.replace(':', '')}-${loggerName}.log`);
  const child = fork(here, ['--server', app, loggerName, path], { stdio: 'inherit' });
  try {
    const [{ port }] = await once(child, 'message');
    const { default: autocannon } = await import('autocannon');
    const url = `http://127.0.0.1:${port}/users/42`;
    // Warm-up: JIT and the logger's worker thread, not counted.
    await autocannon({ url, connections: opts.connections, duration: opts.warmup });
    child.send('start');
    await once(child, 'message');
    const r = await autocannon({ url, connections: opts.connections, duration: opts.duration });
    if (r.errors > 0 || r.non2xx > 0)
      throw new Error(`${app} ${loggerName}: ${r.errors} errors, ${r.non2xx} non-2xx`);
    child.send('stop');
    const [{ handled, perRequest }] = await once(child, 'message');
    const lines = verifyLog(path, loggerName);
    if (loggerName !== 'none' && loggerName !== 'als' && lines !== handled)
      throw new Error(`${app} ${loggerName}: ${lines} lines for ${handled} requests`);
    return { rps: r.requests.average, p99: r.latency.p99, lines, handled, ...perRequest };
  } finally {
    child.kill();
    rmSync(path, { force: true });
  }
}

async function main() {
  const opts = {
    rounds: Number(arg('rounds', 3)),
    duration: Number(arg('duration', 5)),
    warmup: Number(arg('warmup', 1)),
    connections: Number(arg('connections', 10)),
  };
  const dir = mkdtempSync(join(tmpdir(), 'ringlog-http-bench-'));
  const runs = [];
  for (const app of APPS) for (const l of LOGGERS) runs.push([app, l]);
  const res = Object.fromEntries(
    runs.map(([a, l]) => [
      `${a} ${l}`,
      { rps: [], p99: [], busy: [], cpu: [], addedBusy: [], addedCpu: [] },
    ]),
  );
  try {
    for (let round = 0; round < opts.rounds; round++) {
      const order = runs.map((_, i) => runs[(i + round) % runs.length]);
      const got = {};
      for (const [app, l] of order) {
        got[`${app} ${l}`] = await measure(app, l, dir, round, opts);
        const g = got[`${app} ${l}`];
        process.stderr.write(
          `round ${round + 1} ${app} ${l}: ${g.rps.toFixed(0)} req/s, p99 ${g.p99} ms, busy ${g.busyUs.toFixed(1)} µs, cpu ${g.cpuUs.toFixed(1)} µs per request, ${g.lines} lines / ${g.handled} requests\n`,
        );
      }
      for (const [app, l] of runs) {
        const k = `${app} ${l}`;
        res[k].rps.push(got[k].rps);
        res[k].p99.push(got[k].p99);
        res[k].busy.push(got[k].busyUs);
        res[k].cpu.push(got[k].cpuUs);
        res[k].addedBusy.push(got[k].busyUs - got[`${app} none`].busyUs);
        res[k].addedCpu.push(got[k].cpuUs - got[`${app} none`].cpuUs);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `\nNode ${process.version}, ${opts.rounds} alternating rounds, ${opts.connections} connections, ${opts.duration} s each (after ${opts.warmup} s of warm-up), medians\n`,
  );
  console.log(
    '| app | logging | requests/s | p99 latency | main thread busy per request (added) | CPU per request, all threads (added) |',
  );
  console.log('|---|---|---|---|---|---|');
  const us = (v) => `${v.toFixed(1)} µs`;
  for (const [app, l] of runs) {
    const r = res[`${app} ${l}`];
    const add = (xs) => (l === 'none' ? '' : ` (+${us(median(xs))})`);
    console.log(
      `| ${app} | ${l} | ${median(r.rps).toFixed(0)} | ${median(r.p99)} ms | ${us(median(r.busy))}${add(r.addedBusy)} | ${us(median(r.cpu))}${add(r.addedCpu)} |`,
    );
  }
}

if (args[0] === '--server') await server(args[1], args[2], args[3]);
else await main();
