// What request logging costs an HTTP server: a real Express 5 app and a plain node:http app,
// each without logging, with ringlog/http and with pino-http, under autocannon, side by side
// in one run.
//
//   npm run bench:http            (npm run build && node benchmarks/http-overhead.js)
//   node benchmarks/http-overhead.js --rounds 7 --duration 2 --warmup 2 --connections 10
//     [--rate express=1000,node:http=5000]   the fixed rate (default: half the slowest warm-up)
//     [--apps express,node:http] [--loggers none,ringlog,pino-http,als,ringlog-plain]
//
// One server process per app and contender, all started (and warmed up) first and kept for
// the whole run; autocannon runs here, in the parent, against one server at a time. Each
// round measures every contender of an app once, one after the other, in an order that turns
// from round to round, so a neighbour's build that starts or stops shifts every contender
// alike; "added" and "ringlog − pino-http" are differences within one round. Defaults:
// 7 rounds × 6 servers × (2 s + 2 s), about 3.5 minutes.
//
// Loggers write to a file: ringlog to its file destination, pino-http through
// pino.destination in its asynchronous mode (pino's recommendation for throughput). At the
// end each server flushes and reports how many requests it handled, and every line of its log
// is parsed and counted against that (and each request id must appear once): a contender that
// lost, doubled or mangled a line fails the run.
//
// Per contender and round, two loads one after the other. As fast as the server answers:
// requests/s and p99 (a saturated server's p99 is mostly queueing: ten connections wait
// behind each other). Then at a fixed rate, the same for every contender of the app (half the
// slowest one's warm-up requests/s unless --rate says): p50 and p99, and what the server spent
// per request meanwhile, measured by the server itself: CPU time of all its threads
// (getrusage: ringlog's sink thread, libuv's pool, the GC threads), the main thread's CPU time
// (/proc/self/task/<pid>/schedstat: what a request holds the thread for, which is what adds to its
// latency), and the event loop's busy time. The CPU is taken at a fixed rate because at
// saturation it depends on the throughput (a server that falls behind reads several requests
// per turn and spends less per request), which on a shared machine swings with the neighbours.
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
        mainUs: mainThreadCpuUs(),
        elu: performance.eventLoopUtilization(),
      };
      process.send({ started: true });
    } else if (msg === 'stop') {
      // process.cpuUsage() is getrusage(RUSAGE_SELF): every thread of the process (the sink
      // worker and libuv's pool included). The main thread's share comes from /proc.
      const cpu = process.cpuUsage(window.cpu);
      const mainUs = mainThreadCpuUs() - window.mainUs;
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

/**
 * The main thread's CPU time so far, in µs: /proc/self/task/<pid>/schedstat's first field
 * (nanoseconds on a CPU), or else utime + stime of .../stat (clock ticks of 10 ms: too coarse
 * for a few thousand requests). NaN where /proc is missing.
 */
function mainThreadCpuUs() {
  const task = `/proc/self/task/${process.pid}`;
  try {
    return Number(readFileSync(`${task}/schedstat`, 'utf8').split(' ')[0]) / 1000;
  } catch {}
  try {
    const stat = readFileSync(`${task}/stat`, 'utf8');
    // After the command name (which may hold spaces, so cut at its closing paren), utime and
    // stime are the 12th and 13th fields; USER_HZ is 100 on Linux.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10_000;
  } catch {
    return Number.NaN;
  }
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

/** One server process, started and warmed up; `measure(rate)` loads it twice (below). */
async function startServer(app, loggerName, dir, opts) {
  const path = join(dir, `${app.replace(':', '')}-${loggerName}.log`);
  const serverArgs = ['--server', app, loggerName, path];
  if (BASE_DIST !== undefined) serverArgs.push('--base-dist', resolve(BASE_DIST));
  const child = fork(here, serverArgs, { stdio: 'inherit' });
  const exited = once(child, 'exit');
  const next = () => once(child, 'message').then(([m]) => m);
  const { port } = await next();
  const url = `http://127.0.0.1:${port}/users/42`;
  const load = async (duration, rate) => {
    const r = await autocannon({
      url,
      connections: opts.connections,
      duration,
      ...(rate === undefined ? {} : { overallRate: rate }),
    });
    if (r.errors > 0 || r.non2xx > 0 || r.timeouts > 0)
      throw new Error(`${app} ${loggerName}: ${r.errors} errors, ${r.non2xx} non-2xx`);
    return r;
  };
  // Warm-up: JIT, the logger's worker thread, the file; not counted. Then one more second,
  // warm, whose requests/s sets the fixed rate (see main).
  await load(opts.warmup);
  const warm = await load(1);
  return {
    app,
    loggerName,
    warmRps: warm.requests.average,
    /**
     * As fast as the server answers (requests/s, p99 of a saturated server), then at `rate`
     * requests/s (the server's CPU per request, and p99 when no request queues behind others).
     */
    async measure(rate) {
      const sat = await load(opts.duration);
      child.send('start');
      await next();
      const fixed = await load(opts.duration, rate);
      child.send('stop');
      const m = await next();
      return {
        rps: sat.requests.average,
        p99: sat.latency.p99,
        rateRps: fixed.requests.average,
        rateP50: fixed.latency.p50,
        rateP99: fixed.latency.p99,
        ...m,
      };
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
    rounds: Number(arg('rounds', 7)),
    duration: Number(arg('duration', 2)),
    warmup: Number(arg('warmup', 2)),
    connections: Number(arg('connections', 10)),
    // The fixed rate per app: --rate express=1000,node:http=5000, or by default half the
    // requests/s of the app's slowest contender in its warm-up, so that every contender
    // serves the same load with room to spare on a busy machine.
    rates: Object.fromEntries(
      (arg('rate', '') ?? '')
        .split(',')
        .filter(Boolean)
        .map((pair) => {
          const [app, r] = pair.split('=');
          if (!APPS.includes(app) || !(Number(r) > 0))
            throw new Error(`--rate: expected app=requests/s pairs, got "${pair}"`);
          return [app, Number(r)];
        }),
    ),
  };
  if (opts.rounds < 1 || !(opts.duration > 0)) throw new Error('--rounds ≥ 1 and --duration > 0');
  const dir = mkdtempSync(join(tmpdir(), 'ringlog-http-bench-'));
  const servers = new Map();
  const rows = new Map();
  const loadAtStart = loadavg();
  const t0 = Date.now();
  const rates = { ...opts.rates };
  const short = [];
  try {
    for (const app of APPS) {
      for (const l of LOGGERS) {
        servers.set(`${app} ${l}`, await startServer(app, l, dir, opts));
        rows.set(`${app} ${l}`, {
          rps: [],
          p99: [],
          rateRps: [],
          rateP50: [],
          rateP99: [],
          cpu: [],
          main: [],
          busy: [],
          added: {},
        });
      }
      rates[app] ??= Math.max(
        100,
        Math.round(Math.min(...LOGGERS.map((l) => servers.get(`${app} ${l}`).warmRps)) / 200) * 100,
      );
    }
    for (let round = 0; round < opts.rounds; round++) {
      // Contenders alternate within the round, in an order that turns round by round (and
      // apps swap), so that no contender always runs first or right after the same one.
      const apps = round % 2 === 0 ? APPS : [...APPS].reverse();
      for (const app of apps) {
        const got = {};
        for (let i = 0; i < LOGGERS.length; i++) {
          const l = LOGGERS[(i + round) % LOGGERS.length];
          const g = await servers.get(`${app} ${l}`).measure(rates[app]);
          got[l] = g;
          if (g.rateRps < rates[app] * 0.95) short.push(`round ${round + 1} ${app} ${l}`);
          process.stderr.write(
            `round ${round + 1} ${app} ${l}: ${fmt(g.rps, 0)} req/s, p99 ${g.p99} ms; at ${rates[app]}/s: ${fmt(g.rateRps, 0)} req/s, p99 ${g.rateP99} ms, CPU ${fmt(g.cpuUs)} µs (main thread ${fmt(g.mainCpuUs)} µs, busy ${fmt(g.busyUs)} µs) per request over ${g.n}; load ${loadavg()[0].toFixed(1)}\n`,
          );
        }
        for (const l of LOGGERS) {
          const row = rows.get(`${app} ${l}`);
          const g = got[l];
          row.rps.push(g.rps);
          row.p99.push(g.p99);
          row.rateRps.push(g.rateRps);
          row.rateP50.push(g.rateP50);
          row.rateP99.push(g.rateP99);
          row.cpu.push(g.cpuUs);
          row.main.push(g.mainCpuUs);
          row.busy.push(g.busyUs);
          // Within the round: against the app without logging, pino-http, another build.
          for (const base of ['none', 'pino-http', 'ringlog-base']) {
            const b = got[base];
            if (b === undefined || base === l) continue;
            const a = (row.added[base] ??= { cpu: [], main: [], busy: [], p99: [], rps: [] });
            a.cpu.push(g.cpuUs - b.cpuUs);
            a.main.push(g.mainCpuUs - b.mainCpuUs);
            a.busy.push(g.busyUs - b.busyUs);
            a.p99.push(g.rateP99 - b.rateP99);
            a.rps.push(g.rps / b.rps);
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
  const la = (xs) => xs.map((x) => x.toFixed(1)).join(' ');
  console.log(
    `\nNode ${process.version}, ${cpus().length} cores, load average ${la(loadAtStart)} at the start, ${la(loadavg())} at the end. ${opts.rounds} rounds, the contenders of an app alternating within each; per contender and round, autocannon with ${opts.connections} connections for ${opts.duration} s as fast as the server answers, then ${opts.duration} s at a fixed rate (${Object.entries(
      rates,
    )
      .map(([a, r]) => `${a} ${r}/s`)
      .join(
        ', ',
      )}), during which the server measures its CPU; each server warmed up ${opts.warmup} s first. ${minutes.toFixed(1)} min. Medians of the rounds (min–max); "added" is against the same app without logging, in the same round.\n`,
  );
  if (short.length > 0)
    console.log(`Below the fixed rate (by more than 5%): ${short.join(', ')}.\n`);
  console.log(
    '| app | logging | requests/s, saturated | p99, saturated | p50 / p99 at the fixed rate | CPU per request, all threads | added | main thread CPU per request | added |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const app of APPS)
    for (const l of LOGGERS) {
      const r = rows.get(`${app} ${l}`);
      const add = r.added.none;
      console.log(
        `| ${app} | ${l} | ${mr(r.rps, 0)} | ${mr(r.p99, 0, ' ms')} | ${fmt(spread(r.rateP50).median, 2)} / ${mr(r.rateP99, 2, ' ms')} | ${mr(r.cpu, 1, ' µs')} | ${add ? `${mrSigned(add.cpu)} µs` : ''} | ${mr(r.main, 1, ' µs')} | ${add ? `${mrSigned(add.main)} µs` : ''} |`,
      );
    }
  if (LOGGERS.includes('ringlog-base') && LOGGERS.includes('ringlog')) {
    console.log('\nThis build against --base-dist, within each round (medians, min to max):\n');
    for (const app of APPS) {
      const a = rows.get(`${app} ringlog`).added['ringlog-base'];
      console.log(
        `- ${app}: ringlog − ringlog-base: CPU, all threads ${mrSigned(a.cpu)} µs a request; main thread ${mrSigned(a.main)} µs; p99 at the fixed rate ${mrSigned(a.p99, 2)} ms; requests/s saturated ×${mr(a.rps, 2)}.`,
      );
    }
  }
  if (!LOGGERS.includes('ringlog') || !LOGGERS.includes('pino-http') || !LOGGERS.includes('none'))
    return;
  console.log(
    '\nTargets (medians of the per-round differences; "within noise" when the range crosses zero):\n',
  );
  const verdict = (xs) => {
    const s = spread(xs);
    const v = s.median <= 0 ? 'MET' : 'MISSED';
    return s.min <= 0 && s.max >= 0 ? `${v}, within noise` : v;
  };
  for (const app of APPS) {
    const ring = rows.get(`${app} ringlog`).added;
    const pino = rows.get(`${app} pino-http`).added;
    const addMain = spread(ring.none.main).median;
    const addCpu = spread(ring.none.cpu).median;
    console.log(
      `- ${app}: added latency under 0.1 ms a request (the main thread's added time: what a request waits for): ${addMain < 100 ? 'MET' : 'MISSED'} (${signed(addMain)} µs; all threads ${signed(addCpu)} µs). At most pino-http's overhead, CPU of all threads: ${verdict(ring['pino-http'].cpu)} (ringlog − pino-http ${mrSigned(ring['pino-http'].cpu)} µs a request; added: pino-http ${mrSigned(pino.none.cpu)} µs, ringlog ${mrSigned(ring.none.cpu)} µs); main thread: ${verdict(ring['pino-http'].main)} (${mrSigned(ring['pino-http'].main)} µs). p99 at the fixed rate, ringlog − pino-http: ${mrSigned(ring['pino-http'].p99, 2)} ms; requests/s saturated, ringlog ÷ pino-http: ${mr(ring['pino-http'].rps, 2)}.`,
    );
  }
}

if (args[0] === '--server') await server(args[1], args[2], args[3]);
else await main();
