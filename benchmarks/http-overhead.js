// What request logging costs an HTTP server: a real Express 5 app and a plain node:http app,
// each without logging, with ringlog/http and with pino-http, under autocannon, side by side
// in one run.
//
//   npm run bench:http            (npm run build && node benchmarks/http-overhead.js)
//   node benchmarks/http-overhead.js --rounds 5 --duration 4 --warmup 2 --connections 10
//     [--apps express,node:http] [--loggers none,ringlog,pino-http,als,ringlog-plain]
//
// One server process per app and contender, all started (and warmed up) first and kept for
// the whole run; autocannon runs here, in the parent, against one server at a time. Each
// round measures every contender of an app once, one after the other, in an order that turns
// from round to round, so a neighbour's build that starts or stops shifts every contender
// alike; "added" and "ringlog − pino-http" are differences within one round. Defaults:
// 5 rounds × 6 servers × 4 s, about 2.5 minutes.
//
// Loggers write to a file: ringlog to its file destination, pino-http through
// pino.destination in its asynchronous mode (pino's recommendation for throughput). At the
// end each server flushes and reports how many requests it handled, and every line of its log
// is parsed and counted against that (and each request id must appear once): a contender that
// lost, doubled or mangled a line fails the run.
//
// Per contender and round: requests/s and p99 latency as autocannon saw them, and what the
// server spent per request during the measured window: CPU time of all its threads
// (getrusage: ringlog's sink thread, libuv's pool, the GC threads), the main thread's CPU time
// (/proc/self/task/<pid>/stat: what a request holds the thread for, which is what adds to its
// latency), and the event loop's busy time. On a loaded machine requests/s swing with the
// neighbours; the per-request times, taken side by side, much less.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { spread } from './lib/stats.js';

const here = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);
const arg = (k, d) => {
  const i = args.indexOf(`--${k}`);
  return i === -1 ? d : args[i + 1];
};

const APPS = (arg('apps', 'express,node:http') ?? '').split(',');
// --loggers adds diagnostic contenders: `als` (AsyncLocalStorage.run around each request, no
// logging: what a request context costs by itself on this Node) and `ringlog-plain` (one
// ringlog record per finished request, written by hand: no middleware, no context), and
// `ringlog-base`: ringlog/http from another build, `--base-dist <dir>` (a dist/ built from
// another commit), to compare two versions side by side in one run.
const BASE_DIST = arg('base-dist', undefined);
const LOGGERS = (arg('loggers', 'none,ringlog,pino-http') ?? '').split(',');

/** The server side: `--server <app> <logger> <logfile>`; talks to the parent over IPC. */
async function server(app, loggerName, path) {
  let handled = 0;
  let middleware;
  let end = async () => {};
  if (loggerName === 'ringlog' || loggerName === 'ringlog-base') {
    const dist =
      loggerName === 'ringlog'
        ? new URL('../dist/', import.meta.url)
        : pathToFileURL(`${BASE_DIST}/`);
    const { createLogger } = await import(new URL('index.js', dist).href);
    const { httpLogger } = await import(new URL('http.js', dist).href);
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
  // Measured windows, as many as the parent asks for: 'start' … 'stop', then 'end'.
  let window;
  process.on('message', async (msg) => {
    if (msg === 'start') {
      window = {
        handled,
        cpu: process.cpuUsage(),
        mainTicks: mainThreadTicks(),
        elu: performance.eventLoopUtilization(),
      };
      process.send({ started: true });
    } else if (msg === 'stop') {
      // process.cpuUsage() is getrusage(RUSAGE_SELF): every thread of the process (the sink
      // worker and libuv's pool included). The main thread's share comes from /proc.
      const cpu = process.cpuUsage(window.cpu);
      const mainUs = ((mainThreadTicks() - window.mainTicks) * 1e6) / TICKS_PER_S;
      const elu = performance.eventLoopUtilization(window.elu);
      const n = handled - window.handled;
      process.send({
        n,
        cpuUs: (cpu.user + cpu.system) / n,
        mainCpuUs: mainUs / n,
        busyUs: (elu.active * 1000) / n,
      });
    } else if (msg === 'end') {
      srv.closeAllConnections();
      await new Promise((r) => srv.close(r));
      await end();
      process.send({ handled });
      process.disconnect();
    }
  });
}

// Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on Linux everywhere).
const TICKS_PER_S = 100;

/** The main thread's CPU time so far, in clock ticks (/proc/self/task/<pid>/stat). */
function mainThreadTicks() {
  let stat;
  try {
    stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  } catch {
    return Number.NaN;
  }
  // Fields after the command name (which may hold spaces, so cut at its closing paren):
  // utime and stime are fields 14 and 15 of the line, 12th and 13th after the paren.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

/** Every line parses and names its request; returns the count. */
function verifyLog(path, loggerName) {
  if (loggerName === 'none' || loggerName === 'als') return undefined;
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  if (lines.pop() !== '') throw new Error(`${loggerName}: the log does not end with a newline`);
  const ids = new Set();
  for (const line of lines) {
    const r = JSON.parse(line);
    const id = loggerName === 'pino-http' ? r.req?.id : r.reqId;
    if (id === undefined || r.res?.statusCode !== 200)
      throw new Error(`${loggerName}: a line without its request: ${line.slice(0, 200)}`);
    if (loggerName !== 'ringlog-plain') ids.add(id);
  }
  if (loggerName !== 'ringlog-plain' && ids.size !== lines.length)
    throw new Error(`${loggerName}: ${lines.length - ids.size} request ids written twice`);
  return lines.length;
}

/** One server process, started and warmed up: `load(seconds)` runs autocannon against it. */
async function startServer(app, loggerName, dir, opts) {
  const path = join(dir, `${app.replace(':', '')}-${loggerName}.log`);
  const serverArgs = ['--server', app, loggerName, path];
  if (BASE_DIST !== undefined) serverArgs.push('--base-dist', resolve(BASE_DIST));
  const child = fork(here, serverArgs, { stdio: 'inherit' });
  const exited = once(child, 'exit');
  const next = () => once(child, 'message').then(([m]) => m);
  const { port } = await next();
  const url = `http://127.0.0.1:${port}/users/42`;
  const load = async (duration) => {
    const r = await autocannon({ url, connections: opts.connections, duration });
    if (r.errors > 0 || r.non2xx > 0 || r.timeouts > 0)
      throw new Error(`${app} ${loggerName}: ${r.errors} errors, ${r.non2xx} non-2xx`);
    return r;
  };
  // Warm-up: JIT, the logger's worker thread, the file; not counted.
  await load(opts.warmup);
  return {
    app,
    loggerName,
    async measure() {
      child.send('start');
      await next();
      const r = await load(opts.duration);
      child.send('stop');
      const m = await next();
      return { rps: r.requests.average, p99: r.latency.p99, ...m };
    },
    /** Stops the server, then checks its log: one parsed line per request it handled. */
    async end() {
      child.send('end');
      const { handled } = await next();
      await exited;
      const lines = verifyLog(path, loggerName);
      rmSync(path, { force: true });
      if (lines !== undefined && lines !== handled)
        throw new Error(`${app} ${loggerName}: ${lines} lines for ${handled} requests`);
      return { handled, lines };
    },
    kill: () => child.kill(),
  };
}

const fmt = (v, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');
/** "median (min–max)" */
const mr = (xs, d = 1, unit = '') => {
  const s = spread(xs);
  return `${fmt(s.median, d)}${unit} (${fmt(s.min, d)}–${fmt(s.max, d)})`;
};
const signed = (v, d = 1) => (v >= 0 ? `+${fmt(v, d)}` : fmt(v, d));
const mrSigned = (xs, d = 1) => {
  const s = spread(xs);
  return `${signed(s.median, d)} (${signed(s.min, d)} to ${signed(s.max, d)})`;
};

async function main() {
  const opts = {
    rounds: Number(arg('rounds', 5)),
    duration: Number(arg('duration', 4)),
    warmup: Number(arg('warmup', 2)),
    connections: Number(arg('connections', 10)),
  };
  if (opts.rounds < 1 || !(opts.duration > 0)) throw new Error('--rounds ≥ 1 and --duration > 0');
  const dir = mkdtempSync(join(tmpdir(), 'ringlog-http-bench-'));
  const servers = new Map();
  const rows = new Map();
  const loadAtStart = loadavg();
  const t0 = Date.now();
  try {
    for (const app of APPS)
      for (const l of LOGGERS) {
        servers.set(`${app} ${l}`, await startServer(app, l, dir, opts));
        rows.set(`${app} ${l}`, { rps: [], p99: [], cpu: [], main: [], busy: [], added: {} });
      }
    for (let round = 0; round < opts.rounds; round++) {
      // Contenders alternate within the round, in an order that turns round by round (and
      // apps swap), so that no contender always runs first or right after the same one.
      const apps = round % 2 === 0 ? APPS : [...APPS].reverse();
      for (const app of apps) {
        const got = {};
        for (let i = 0; i < LOGGERS.length; i++) {
          const l = LOGGERS[(i + round) % LOGGERS.length];
          const g = await servers.get(`${app} ${l}`).measure();
          got[l] = g;
          process.stderr.write(
            `round ${round + 1} ${app} ${l}: ${fmt(g.rps, 0)} req/s, p99 ${g.p99} ms, CPU ${fmt(g.cpuUs)} µs (main thread ${fmt(g.mainCpuUs)} µs, busy ${fmt(g.busyUs)} µs) per request, ${g.n} requests, load ${loadavg()[0].toFixed(1)}\n`,
          );
        }
        for (const l of LOGGERS) {
          const row = rows.get(`${app} ${l}`);
          const g = got[l];
          row.rps.push(g.rps);
          row.p99.push(g.p99);
          row.cpu.push(g.cpuUs);
          row.main.push(g.mainCpuUs);
          row.busy.push(g.busyUs);
          // Within the round: against the app without logging, and against pino-http.
          for (const base of ['none', 'pino-http', 'ringlog-base']) {
            const b = got[base];
            if (b === undefined || base === l) continue;
            const a = (row.added[base] ??= { cpu: [], main: [], busy: [], p99: [] });
            a.cpu.push(g.cpuUs - b.cpuUs);
            a.main.push(g.mainCpuUs - b.mainCpuUs);
            a.busy.push(g.busyUs - b.busyUs);
            a.p99.push(g.p99 - b.p99);
          }
        }
      }
    }
    for (const [k, s] of servers) {
      servers.delete(k);
      await s.end();
    }
  } finally {
    for (const s of servers.values()) s.kill();
    rmSync(dir, { recursive: true, force: true });
  }
  const minutes = (Date.now() - t0) / 60000;
  console.log(
    `\nNode ${process.version}, ${cpus().length} cores, load average ${loadAtStart.map((x) => x.toFixed(1)).join(' ')} at the start and ${loadavg()
      .map((x) => x.toFixed(1))
      .join(
        ' ',
      )} at the end; ${opts.rounds} rounds, contenders alternating within each; autocannon with ${opts.connections} connections, ${opts.duration} s per measurement, each server warmed up ${opts.warmup} s; ${minutes.toFixed(1)} min. Medians of the rounds (min–max); "added" is against the same app without logging in the same round.\n`,
  );
  console.log(
    '| app | logging | requests/s | p99 latency | CPU per request, all threads | added | main thread CPU per request | added |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const app of APPS)
    for (const l of LOGGERS) {
      const r = rows.get(`${app} ${l}`);
      const add = r.added.none;
      console.log(
        `| ${app} | ${l} | ${mr(r.rps, 0)} | ${mr(r.p99, 0, ' ms')} | ${mr(r.cpu, 1, ' µs')} | ${add ? `${mrSigned(add.cpu)} µs` : ''} | ${mr(r.main, 1, ' µs')} | ${add ? `${mrSigned(add.main)} µs` : ''} |`,
      );
    }
  if (LOGGERS.includes('ringlog-base') && LOGGERS.includes('ringlog')) {
    console.log('\nThis build against --base-dist, within each round (medians, min to max):\n');
    for (const app of APPS) {
      const a = rows.get(`${app} ringlog`).added['ringlog-base'];
      console.log(
        `- ${app}: ringlog − ringlog-base: CPU, all threads ${mrSigned(a.cpu)} µs a request; main thread ${mrSigned(a.main)} µs; p99 ${mrSigned(a.p99, 0)} ms.`,
      );
    }
  }
  if (!LOGGERS.includes('ringlog') || !LOGGERS.includes('pino-http') || !LOGGERS.includes('none'))
    return;
  console.log('\nTargets (medians of the rounds):\n');
  for (const app of APPS) {
    const ring = rows.get(`${app} ringlog`).added;
    const pino = rows.get(`${app} pino-http`).added;
    const addMain = spread(ring.none.main).median;
    const addCpu = spread(ring.none.cpu).median;
    const overCpu = spread(ring['pino-http'].cpu).median;
    const overMain = spread(ring['pino-http'].main).median;
    console.log(
      `- ${app}: added time under 0.1 ms a request: ${addMain < 100 && addCpu < 100 ? 'MET' : 'MISSED'} (main thread ${signed(addMain)} µs, all threads ${signed(addCpu)} µs). At most pino-http's overhead: ${overCpu <= 0 ? 'MET' : 'MISSED'} on CPU, all threads (ringlog − pino-http ${mrSigned(ring['pino-http'].cpu)} µs a request; pino-http added ${mrSigned(pino.none.cpu)} µs, ringlog ${mrSigned(ring.none.cpu)} µs); ${overMain <= 0 ? 'MET' : 'MISSED'} on the main thread (${mrSigned(ring['pino-http'].main)} µs); p99 ringlog − pino-http ${mrSigned(ring['pino-http'].p99, 0)} ms.`,
    );
  }
}

if (args[0] === '--server') await server(args[1], args[2], args[3]);
else await main();
