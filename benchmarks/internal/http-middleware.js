// What a request middleware costs by itself, without the network: real IncomingMessage and
// ServerResponse objects over a socket that discards what it is given, one request per
// event-loop turn (as a server at a few thousand requests a second sees them), the
// contenders in one process, alternating block by block. CPU time is the process's (every
// thread: ringlog's sink included), per request, minus nothing: compare the rows.
//
//   npm run build && node benchmarks/internal/http-middleware.js [--blocks 15] [--per-block 2000]
//     [--base-dist <dir>]   adds `ringlog-base`: ringlog/http from another build's dist/
//
// http-overhead.js is the benchmark that counts (autocannon, real sockets, real apps); this one
// only isolates the middleware, with far less noise, to tell small changes apart.
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Duplex } from 'node:stream';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import { pinoHttp } from 'pino-http';
import { spread } from '../lib/stats.js';

const args = process.argv.slice(2);
const arg = (k, d) => {
  const i = args.indexOf(`--${k}`);
  return i === -1 ? d : args[i + 1];
};
const blocks = Number(arg('blocks', 15));
const perBlock = Number(arg('per-block', 2000));
const baseDist = arg('base-dist', undefined);

const dir = mkdtempSync(join(tmpdir(), 'ringlog-http-mw-'));
const closers = [];

async function ringlogFrom(distUrl, name, options = {}) {
  const { createLogger } = await import(new URL('index.js', distUrl).href);
  const { httpLogger } = await import(new URL('http.js', distUrl).href);
  const log = createLogger({ destination: join(dir, `${name}.log`) });
  await log.flush();
  closers.push(() => log.close());
  return httpLogger({ logger: log, ...options });
}

const contenders = { none: (_req, _res, next) => next() };
const own = new URL('../../dist/', import.meta.url);
contenders.ringlog = await ringlogFrom(own, 'ringlog');
if (baseDist !== undefined)
  contenders['ringlog-base'] = await ringlogFrom(
    pathToFileURL(`${resolve(baseDist)}/`),
    'ringlog-base',
  );
{
  const dest = pino.destination({ dest: join(dir, 'pino.log'), sync: false, minLength: 4096 });
  await once(dest, 'ready');
  contenders['pino-http'] = pinoHttp({ logger: pino(dest) });
  closers.push(async () => {
    const closed = once(dest, 'close');
    dest.end();
    await closed;
  });
}

const body = JSON.stringify({ id: 42, name: 'ada', roles: ['admin', 'dev'] });
const socket = new Duplex({
  write(_c, _e, cb) {
    cb();
  },
  writev(_c, cb) {
    cb();
  },
  read() {},
});
socket.remoteAddress = '127.0.0.1';

/** One request through `mw`, answered by a handler; resolves a turn after it finished. */
function request(mw) {
  return new Promise((done) => {
    const req = new IncomingMessage(socket);
    req.method = 'GET';
    req.url = '/users/42';
    req.httpVersionMajor = 1;
    req.httpVersionMinor = 1;
    req.headers = { host: 'localhost', 'user-agent': 'autocannon', accept: '*/*' };
    const res = new ServerResponse(req);
    res.assignSocket(socket);
    res.on('finish', () => {
      res.detachSocket(socket);
      setImmediate(done);
    });
    mw(req, res, () => {
      res.setHeader('content-type', 'application/json');
      res.end(body);
    });
  });
}

const names = Object.keys(contenders);
for (const name of names) for (let i = 0; i < 3000; i++) await request(contenders[name]);
const cpu = Object.fromEntries(names.map((n) => [n, []]));
for (let b = 0; b < blocks; b++) {
  for (let k = 0; k < names.length; k++) {
    const name = names[(k + b) % names.length];
    const mw = contenders[name];
    const c0 = process.cpuUsage();
    for (let i = 0; i < perBlock; i++) await request(mw);
    const c = process.cpuUsage(c0);
    cpu[name].push((c.user + c.system) / perBlock);
  }
}
for (const close of closers) await close();
rmSync(dir, { recursive: true, force: true });
const none = spread(cpu.none).median;
console.log(
  `Node ${process.version}: ${blocks} blocks of ${perBlock} requests per contender, alternating; CPU per request, all threads, median (min–max), and minus "none"`,
);
for (const n of names) {
  const s = spread(cpu[n]);
  console.log(
    `${n.padEnd(14)} ${s.median.toFixed(2)} µs (${s.min.toFixed(2)}–${s.max.toFixed(2)})  ${n === 'none' ? '' : `+${(s.median - none).toFixed(2)} µs`}`,
  );
}
