/**
 * ringlog as Fastify's `loggerInstance`, line by line against pino: the same app, the same
 * requests, once with each logger; each ringlog line must have pino's keys, in pino's order,
 * with pino's values (time, pid, hostname, responseTime, the request's port and host: present
 * in both, values not compared).
 */
import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, withContext } from '../../src/index.js';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
});

// One set of handlers for both apps, so that error stacks name the same lines.
const boom = new Error('kaboom');
function routes(app: FastifyInstance) {
  app.get('/ok', async () => ({ ok: true }));
  app.get('/boom', async () => {
    throw boom;
  });
  app.get('/talk', async (request) => {
    request.log.info({ user: { id: 7, secret: 's' } }, 'from the handler');
    request.log.debug('debug from the handler');
    return 'said';
  });
  app.get(
    '/serialized',
    {
      logSerializers: { user: (u: { id: number }) => ({ id: u.id, masked: true }) },
      logLevel: 'debug',
    },
    async (request) => {
      request.log.info({ user: { id: 8, secret: 's' } }, 'with route serializers');
      request.log.debug('debug at the route level');
      return 'ok';
    },
  );
  app.get('/quiet', { logLevel: 'warn' }, async (request) => {
    request.log.info('not written');
    return 'q';
  });
}

async function run(loggerInstance: unknown): Promise<void> {
  const app = Fastify({ loggerInstance: loggerInstance as never });
  apps.push(app);
  routes(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  for (const path of ['/ok', '/missing', '/boom', '/talk', '/serialized', '/quiet']) {
    const r = await fetch(`http://127.0.0.1:${port}${path}`);
    await r.text();
  }
  await app.close();
}

const VALUE_FREE = new Set(['time', 'pid', 'hostname', 'responseTime', 'remotePort', 'host']);

/** Compares two records key by key (order included), recursing into objects. */
function compare(ours: unknown, theirs: unknown, path: string, diffs: string[]): void {
  if (theirs === null || typeof theirs !== 'object' || ours === null || typeof ours !== 'object') {
    if (ours !== theirs)
      diffs.push(`${path}: ringlog ${JSON.stringify(ours)}, pino ${JSON.stringify(theirs)}`);
    return;
  }
  const ok = Object.keys(ours as object);
  const pk = Object.keys(theirs as object);
  if (ok.join() !== pk.join()) diffs.push(`${path} keys: ringlog [${ok}], pino [${pk}]`);
  for (const k of pk) {
    if (!(k in (ours as object))) continue;
    if (VALUE_FREE.has(k)) continue;
    compare(
      (ours as Record<string, unknown>)[k],
      (theirs as Record<string, unknown>)[k],
      `${path}.${k}`,
      diffs,
    );
  }
}

describe('ringlog as Fastify loggerInstance', () => {
  it('writes the lines pino writes, key by key, for the same requests', async () => {
    const ringlog = createLogger({ capture: true, level: 'info' });
    await run(ringlog);

    const pinoLines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        pinoLines.push(...chunk.toString().split('\n').filter(Boolean));
        cb();
      },
    });
    await run(pino({ level: 'info' }, sink));

    // The listening address names each server's own port.
    const samePort = (l: string) => l.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT');
    const ours = ringlog.capture!.lines.map((l) => JSON.parse(samePort(l)));
    const theirs = pinoLines.map((l) => JSON.parse(samePort(l)));
    // Each line parses, and the same lines come out in the same order.
    expect(ours.map((r) => r.msg)).toEqual(theirs.map((r) => r.msg));
    expect(theirs.length).toBeGreaterThanOrEqual(14);
    // What the requests must have produced, in pino's lines.
    expect(theirs.find((r) => r.msg === 'from the handler')?.user).toEqual({ id: 7, secret: 's' });
    expect(theirs.find((r) => r.msg === 'with route serializers')?.user).toEqual({
      id: 8,
      masked: true,
    });
    expect(theirs.some((r) => r.msg === 'debug at the route level')).toBe(true);
    expect(theirs.some((r) => r.msg === 'not written')).toBe(false);
    expect(theirs.find((r) => r.res?.statusCode === 404)).toBeDefined();
    expect(theirs.find((r) => r.err?.message === 'kaboom')).toBeDefined();

    const diffs: string[] = [];
    for (let i = 0; i < theirs.length; i++)
      compare(ours[i], theirs[i], `line ${i + 1} (${theirs[i].msg})`, diffs);
    // err.type is compared in the test below.
    expect(diffs.filter((d) => !/\.err\.type: /.test(d))).toEqual([]);
  });

  it('an onRequest hook with withContext gives the request id to every logger', async () => {
    const log = createLogger({ capture: true });
    const other = createLogger({ capture: true });
    const app = Fastify({ loggerInstance: log as never });
    apps.push(app);
    app.addHook('onRequest', (request, _reply, done) => withContext({ reqId: request.id }, done));
    app.get('/x', async () => {
      await new Promise((r) => setTimeout(r, 2));
      other.info('elsewhere');
      return 'x';
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    await (await fetch(`http://127.0.0.1:${port}/x`)).text();
    const rec = other.capture!.records()[0]!;
    expect(rec).toMatchObject({ msg: 'elsewhere', reqId: 'req-1' });
    // request.log binds reqId itself: the context's reqId is not written a second time.
    const own = log.capture!.lines.filter((l) => l.includes('"reqId"'));
    expect(own.length).toBeGreaterThanOrEqual(2);
    for (const l of own) expect(l.match(/"reqId"/g)).toHaveLength(1);
  });

  // Fastify hands the logger pino.stdSerializers.err's plain object: its type is kept.
  it('writes err.type as pino does for a thrown error', async () => {
    const ringlog = createLogger({ capture: true });
    await run(ringlog);
    const rec = ringlog
      .capture!.records()
      .find((r) => (r.err as { message?: string })?.message === 'kaboom');
    expect(rec?.err).toMatchObject({ type: 'Error', message: 'kaboom' });
  });
});
