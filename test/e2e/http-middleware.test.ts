/**
 * ringlog/http against a real Express 5 app and a real node:http server: the request's
 * record, its id and context, levels, exclusions, bodies, errors and aborted requests.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { httpErrors, httpLogger, type LoggedRequest } from '../../src/http/index.js';
import { createLogger, getContext, withContext } from '../../src/index.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The records so far, waiting until `n` are there (a record is written on 'finish'). */
async function recordsOf(log: ReturnType<typeof createLogger>, n: number) {
  for (let i = 0; i < 200 && log.capture!.lines.length < n; i++)
    await new Promise((r) => setTimeout(r, 5));
  return log.capture!.records();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('ringlog/http with Express 5', () => {
  function app(log: ReturnType<typeof createLogger>, opts = {}) {
    const other = createLogger({ capture: true });
    const a = express();
    a.use(httpLogger({ logger: log, exclude: ['/health', /^\/metrics/], ...opts }));
    a.use(express.json());
    a.get('/ok', async (req, res) => {
      (req as unknown as LoggedRequest).log.info({ step: 1 }, 'in handler');
      await new Promise((r) => setTimeout(r, 2));
      log.info('after await');
      other.info('other logger');
      res.send('hello');
    });
    a.get('/health', (_req, res) => {
      res.send('up');
    });
    a.get('/metrics/x', (_req, res) => {
      res.send('m');
    });
    a.get('/boom', () => {
      throw new Error('kaboom');
    });
    a.post('/body', (req, res) => {
      res.json({ got: Object.keys(req.body) });
    });
    a.use(httpErrors());
    return { a, other };
  }

  it('one record per request, with method, url, status, time, bytes, agent, address', async () => {
    const log = createLogger({ capture: true });
    const { a, other } = app(log);
    const base = await listen(a);
    const r = await fetch(`${base}/ok?q=1`, { headers: { 'user-agent': 'test-agent/1' } });
    expect(await r.text()).toBe('hello');
    const id = r.headers.get('x-request-id')!;
    expect(id).toMatch(UUID);
    const recs = await recordsOf(log, 3);
    expect(recs.map((x) => x.msg)).toEqual(['in handler', 'after await', 'request completed']);
    for (const rec of recs) expect(rec.reqId).toBe(id);
    expect(other.capture!.records()[0]).toMatchObject({ reqId: id, msg: 'other logger' });
    const done = recs[2]!;
    expect(done.level).toBe(30);
    expect(done.req).toMatchObject({
      method: 'GET',
      url: '/ok?q=1',
      remoteAddress: '127.0.0.1',
      userAgent: 'test-agent/1',
    });
    expect((done.req as { bytes: number }).bytes).toBeGreaterThan(50);
    expect(done.res).toMatchObject({ statusCode: 200 });
    expect((done.res as { bytes: number }).bytes).toBeGreaterThan(100);
    expect(typeof done.responseTime).toBe('number');
    expect(done.responseTime as number).toBeGreaterThan(1);
    // Keys: bindings, then the context, then the record's own fields.
    expect(Object.keys(done)).toEqual([
      'level',
      'time',
      'pid',
      'hostname',
      'reqId',
      'req',
      'res',
      'responseTime',
      'msg',
    ]);
  });

  it('takes the id from x-request-id and sends it back; refuses an unsafe one', async () => {
    const log = createLogger({ capture: true });
    const base = await listen(app(log).a);
    const r = await fetch(`${base}/nope`, { headers: { 'x-request-id': 'abc-123' } });
    expect(r.headers.get('x-request-id')).toBe('abc-123');
    // An excluded path costs nothing: no id, no record.
    const h = await fetch(`${base}/health`, { headers: { 'x-request-id': 'abc-124' } });
    expect(h.headers.get('x-request-id')).toBeNull();
    const r2 = await fetch(`${base}/ok`, { headers: { 'x-request-id': 'a"b' } });
    expect(r2.headers.get('x-request-id')).toMatch(UUID);
    const r3 = await fetch(`${base}/ok`, { headers: { 'x-request-id': 'given-1' } });
    await r3.text();
    const recs = await recordsOf(log, 7);
    expect(recs.filter((x) => x.msg === 'request completed').map((x) => x.reqId)).toEqual([
      'abc-123',
      r2.headers.get('x-request-id'),
      'given-1',
    ]);
  });

  it('levels by status: 404 warn, thrown error 500 error with err; excluded paths write nothing', async () => {
    const log = createLogger({ capture: true });
    const base = await listen(app(log).a);
    for (const p of ['/health', '/metrics/x', '/nope', '/boom'])
      await (await fetch(base + p)).text();
    const recs = await recordsOf(log, 2);
    expect(recs).toHaveLength(2);
    expect(recs[0]).toMatchObject({
      level: 40,
      res: { statusCode: 404 },
      msg: 'request completed',
    });
    expect(recs[1]).toMatchObject({
      level: 50,
      res: { statusCode: 500 },
      err: { message: 'kaboom' },
      msg: 'request errored',
    });
    expect((recs[1]!.err as { stack: string }).stack).toContain('kaboom');
  });

  it('a custom level function decides the level; "silent" writes nothing', async () => {
    const log = createLogger({ capture: true, level: 'debug' });
    const base = await listen(
      app(log, { level: (req: { url: string }) => (req.url === '/nope' ? 'silent' : 'debug') }).a,
    );
    await (await fetch(`${base}/nope`)).text();
    await (await fetch(`${base}/boom`)).text();
    const recs = await recordsOf(log, 1);
    expect(recs).toHaveLength(1);
    expect(recs[0]).toMatchObject({ level: 20, res: { statusCode: 500 } });
  });

  it('no body unless asked; when asked, redacted and capped', async () => {
    const post = (base: string, body: unknown) =>
      fetch(`${base}/body`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.text());
    const plain = createLogger({ capture: true });
    const b1 = await listen(app(plain).a);
    await post(b1, { user: 'ada', password: 'pw' });
    expect((await recordsOf(plain, 1))[0]!.req).not.toHaveProperty('body');

    const asked = createLogger({ capture: true });
    const b2 = await listen(app(asked, { body: { maxBytes: 100 } }).a);
    await post(b2, { user: 'ada', password: 'pw', nested: { token: 't' } });
    await post(b2, { big: 'x'.repeat(200) });
    const [small, big] = await recordsOf(asked, 2);
    expect((small!.req as { body: unknown }).body).toEqual({
      user: 'ada',
      password: '[Redacted]',
      nested: { token: '[Redacted]' },
    });
    const bigReq = big!.req as { body: string; bodyTruncated: boolean };
    expect(bigReq.bodyTruncated).toBe(true);
    expect(bigReq.body).toHaveLength(100);
    expect(bigReq.body.startsWith('{"big":"xxx')).toBe(true);
  });
});

describe('ringlog/http with node:http', () => {
  it('wrap(): the handler runs in the context; a throwing handler gives 500 and an error record', async () => {
    const log = createLogger({ capture: true });
    const logged = httpLogger({ logger: log, requestIdHeader: 'x-correlation-id' });
    const base = await listen(
      logged.wrap(async (req, res) => {
        if (req.url === '/throw') throw new TypeError('bad input');
        expect(getContext()).toMatchObject({ reqId: expect.any(String) });
        await withContext({ step: 'inner' }, async () => log.info('nested'));
        res.end('fine');
      }),
    );
    const ok = await fetch(`${base}/`, { headers: { 'x-correlation-id': 'corr-1' } });
    expect(ok.headers.get('x-correlation-id')).toBe('corr-1');
    await ok.text();
    const bad = await fetch(`${base}/throw`);
    expect(bad.status).toBe(500);
    const recs = await recordsOf(log, 3);
    expect(recs[0]).toMatchObject({ reqId: 'corr-1', step: 'inner', msg: 'nested' });
    expect(recs[1]).toMatchObject({ reqId: 'corr-1', level: 30, res: { statusCode: 200 } });
    expect(recs[2]).toMatchObject({
      level: 50,
      res: { statusCode: 500 },
      err: { type: 'TypeError', message: 'bad input' },
    });
  });

  it('bytes in and out are the bytes on the wire, per request on a keep-alive socket', async () => {
    const log = createLogger({ capture: true });
    const logged = httpLogger({ logger: log });
    const base = await listen(logged.wrap((_req, res) => res.end('0123456789')));
    const port = Number(new URL(base).port);
    const sock = connect(port, '127.0.0.1');
    await once(sock, 'connect');
    let received = 0;
    sock.on('data', (d) => {
      received += d.length;
    });
    const reqs = [
      'GET /a HTTP/1.1\r\nHost: x\r\n\r\n',
      'POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello',
    ];
    const sizes: number[] = [];
    for (const text of reqs) {
      const before = received;
      sock.write(text);
      await recordsOf(log, sizes.length + 1);
      while (received === before) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 20));
      sizes.push(received - before);
    }
    sock.destroy();
    const recs = log.capture!.records();
    expect(recs.map((r) => (r.req as { bytes: number }).bytes)).toEqual(
      reqs.map((t) => Buffer.byteLength(t)),
    );
    expect(recs.map((r) => (r.res as { bytes: number }).bytes)).toEqual(sizes);
  });

  it('a request whose client goes away before the answer is logged as aborted', async () => {
    const log = createLogger({ capture: true });
    const logged = httpLogger({ logger: log });
    let arrived!: () => void;
    const inHandler = new Promise<void>((r) => {
      arrived = r;
    });
    const base = await listen(
      logged.wrap((_req, res) => {
        arrived();
        setTimeout(() => res.end('late'), 300);
      }),
    );
    const sock = connect(Number(new URL(base).port), '127.0.0.1');
    sock.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await inHandler;
    sock.destroy();
    const [rec] = await recordsOf(log, 1);
    expect(rec).toMatchObject({
      level: 40,
      aborted: true,
      msg: 'request aborted',
      req: { url: '/slow' },
    });
    expect(rec!.res).not.toHaveProperty('statusCode');
  });

  it('idKey, genReqId, contextFields, customFields and setResponseHeader: false; res.log is req.log', async () => {
    const log = createLogger({ capture: true });
    let n = 0;
    const logged = httpLogger({
      logger: log,
      idKey: 'requestId',
      genReqId: () => `gen-${++n}`,
      contextFields: (req) => ({ tenant: req.headers['x-tenant'] }),
      customFields: (_req, res) => ({ route: 'users', cached: res.getHeader('x-cache') === 'hit' }),
      setResponseHeader: false,
    });
    const sameLog: boolean[] = [];
    const base = await listen(
      logged.wrap((req, res) => {
        sameLog.push((res as unknown as { log: unknown }).log === (req as LoggedRequest).log);
        (req as LoggedRequest).log.info('handling');
        res.setHeader('x-cache', 'hit');
        res.end('ok');
      }),
    );
    for (const tenant of ['acme', 'globex']) {
      const r = await fetch(`${base}/users`, { headers: { 'x-tenant': tenant } });
      expect(r.headers.get('x-request-id')).toBeNull();
      await r.text();
    }
    const recs = await recordsOf(log, 4);
    expect(sameLog).toEqual([true, true]);
    expect(recs.map((r) => [r.requestId, r.tenant, r.msg])).toEqual([
      ['gen-1', 'acme', 'handling'],
      ['gen-1', 'acme', 'request completed'],
      ['gen-2', 'globex', 'handling'],
      ['gen-2', 'globex', 'request completed'],
    ]);
    expect(recs[1]).not.toHaveProperty('reqId');
    expect(recs[1]).toMatchObject({ route: 'users', cached: true, res: { statusCode: 200 } });
    expect(Object.keys(recs[1]!).slice(4, 6)).toEqual(['requestId', 'tenant']);
  });

  it('one record per request on a keep-alive connection, finish and close both seen; no error listener left behind', async () => {
    const log = createLogger({ capture: true });
    const logged = httpLogger({ logger: log });
    const responses: Array<import('node:http').ServerResponse> = [];
    let errorListenersBefore = -1;
    const base = await listen((req, res) => {
      errorListenersBefore = res.listenerCount('error');
      responses.push(res);
      logged(req, res);
      res.end('ok');
    });
    const port = Number(new URL(base).port);
    const sock = connect(port, '127.0.0.1');
    await once(sock, 'connect');
    const total = 25;
    let text = '';
    sock.setEncoding('utf8');
    sock.on('data', (d) => {
      text += d;
    });
    for (let i = 0; i < total; i++) {
      sock.write(`GET /r${i} HTTP/1.1\r\nHost: x\r\n\r\n`);
      while ((text.match(/HTTP\/1\.1 200/g) ?? []).length <= i)
        await new Promise((r) => setTimeout(r, 2));
    }
    // Every response has emitted 'close' too (it follows 'finish' by a tick); then nothing more.
    await new Promise((r) => setTimeout(r, 50));
    sock.destroy();
    const recs = log.capture!.records();
    expect(recs).toHaveLength(total);
    expect(recs.map((r) => (r.req as { url: string }).url)).toEqual(
      Array.from({ length: total }, (_, i) => `/r${i}`),
    );
    expect(new Set(recs.map((r) => r.reqId)).size).toBe(total);
    for (const r of recs) expect(r.reqId).toMatch(UUID);
    // Every response's bytes, on the one socket, counted once each.
    const out = recs.map((r) => (r.res as { bytes: number }).bytes);
    expect(out.reduce((a, b) => a + b, 0)).toBe(Buffer.byteLength(text));
    for (const res of responses) {
      expect(res.listenerCount('error')).toBe(errorListenersBefore);
      res.emit('close');
    }
    await new Promise((r) => setTimeout(r, 20));
    expect(log.capture!.lines).toHaveLength(total);
  });

  it('rejects a missing logger with the option named', () => {
    expect(() => httpLogger({} as never)).toThrow(/httpLogger: "logger" must be a ringlog logger/);
    expect(() =>
      httpLogger({ logger: createLogger({ capture: true }), exclude: [1] as never }),
    ).toThrow(/"exclude" must be/);
  });
});

describe('ringlog/http as a package entry point', () => {
  it('loads as ringlog/http from ESM and CommonJS, and shares one context with the core', () => {
    // The package refers to itself by name (its exports map): dist/http.js and dist/http.cjs.
    const script = `
      import { createRequire } from 'node:module';
      import { withContext } from 'ringlog';
      import { httpLogger } from 'ringlog/http';
      const require = createRequire(import.meta.url);
      const cjs = require('ringlog');
      const cjsHttp = require('ringlog/http');
      const log = cjs.createLogger({ capture: true });
      withContext({ reqId: 'shared' }, () => log.info('from the CommonJS copy'));
      const rec = JSON.parse(log.capture.lines[0]);
      console.log(JSON.stringify({ esm: typeof httpLogger, cjs: typeof cjsHttp.httpLogger, reqId: rec.reqId }));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('../..', import.meta.url),
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toEqual({ esm: 'function', cjs: 'function', reqId: 'shared' });
  });
});
