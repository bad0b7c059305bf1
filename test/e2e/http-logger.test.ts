import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, type Logger } from '../../src/index.js';
import { runFixture, tempDir } from './helpers.js';
import { exactlyOnce, freePort, idsOf, type Receiver, startReceiver } from './http-receiver.js';

let receivers: Receiver[] = [];
const loggers: Logger[] = [];
afterEach(async () => {
  await Promise.all(loggers.splice(0).map((l) => l.close()));
  for (const r of receivers) await r.close();
  receivers = [];
});

describe('http destination through the logger', () => {
  it('ships every record of a logger; flush() resolves once the backend has them', async () => {
    const r = await startReceiver();
    receivers.push(r);
    const log = createLogger({
      destination: [{ type: 'http', url: r.url, batchIntervalMs: 50, level: 'info' }],
    });
    loggers.push(log);
    for (let id = 0; id < 5000; id++) log.info({ id }, 'record %d', id);
    log.debug({ id: -1 }, 'below the level');
    await log.flush();
    expect(exactlyOnce(idsOf(r.requests.map((q) => q.body)), 5000)).toBeUndefined();
    // Shipping's own counters reach metrics().destinations; others' do not appear.
    const [http] = log.metrics().destinations;
    expect(http).toMatchObject({ written: 5000, sent: 5000, dropped: 0, rejected: 0, spooled: 0 });
  });

  it('counts retried and rejected records in metrics().destinations', async () => {
    let calls = 0;
    // Records per answer: the first request is refused (503, sent again), the one holding
    // id 13 is rejected (400), the others are taken.
    const records = { 200: 0, 400: 0, 503: 0 };
    const r = await startReceiver((req) => {
      calls++;
      const status = calls === 1 ? 503 : req.body.includes('"id":13') ? 400 : 200;
      records[status] += req.body.toString().split('\n').filter(Boolean).length;
      return { status };
    });
    receivers.push(r);
    const log = createLogger({
      destination: [
        { type: 'http', url: r.url, batchRecords: 10, batchIntervalMs: 10 },
        { type: 'file', path: join(tempDir(), 'f.log') },
      ],
    });
    loggers.push(log);
    for (let id = 0; id < 20; id++) {
      log.info({ id }, 'r');
      await new Promise((res) => setTimeout(res, 5));
    }
    await log.flush();
    const [http, file] = log.metrics().destinations;
    expect(records[503]).toBeGreaterThan(0);
    expect(records[400]).toBeGreaterThan(0);
    expect(records[200] + records[400]).toBe(20);
    expect(http).toMatchObject({
      retried: records[503],
      rejected: records[400],
      sent: records[200],
      written: records[200],
      dropped: records[400],
    });
    expect(file).toEqual({ name: file!.name, written: 20, dropped: 0, errors: 0, buffered: 0 });
  });

  it.each(['return', 'exit'])('delivers everything when the process ends by %s', async (mode) => {
    const r = await startReceiver();
    receivers.push(r);
    const res = await runFixture('http-exit.mjs', [r.url, '20000', mode]);
    expect(res.code).toBe(0);
    expect(exactlyOnce(idsOf(r.requests.map((q) => q.body)), 20_000)).toBeUndefined();
  });

  it('spools at exit while the backend is down; the next process replays it', async () => {
    const port = await freePort();
    const dir = tempDir('ringlog-spool-');
    const url = `http://127.0.0.1:${port}/ingest`;
    const down = await runFixture('http-exit.mjs', [url, '3000', 'return', dir]);
    expect(down.code).toBe(0);
    expect(readdirSync(dir).length).toBeGreaterThan(0);
    const r = await startReceiver(undefined, port);
    receivers.push(r);
    const up = await runFixture('http-exit.mjs', [url, '0', 'return', dir]);
    expect(up.code).toBe(0);
    expect(exactlyOnce(idsOf(r.requests.map((q) => q.body)), 3000)).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('spools at exit within the default bounds when the backend hangs; the next process replays it', async () => {
    // Accepts every request and never answers: the exit flush must still spool them, within
    // the time the sink gives a destination (half the logger's flushTimeoutMs).
    const hung: import('node:http').ServerResponse[] = [];
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
      req.resume();
      hung.push(res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as import('node:net').AddressInfo).port;
    const dir = tempDir('ringlog-spool-');
    const url = `http://127.0.0.1:${port}/ingest`;
    try {
      const down = await runFixture('http-exit.mjs', [url, '3000', 'return', dir, 'defaults']);
      expect(down.code).toBe(0);
      expect(readdirSync(dir).length).toBeGreaterThan(0);
    } finally {
      for (const res of hung) res.destroy();
      server.close();
      server.closeAllConnections();
    }
    const r = await startReceiver(undefined, port);
    receivers.push(r);
    const up = await runFixture('http-exit.mjs', [url, '0', 'return', dir]);
    expect(up.code).toBe(0);
    expect(exactlyOnce(idsOf(r.requests.map((q) => q.body)), 3000)).toBeUndefined();
  });

  it('rejects invalid options with RINGLOG_INVALID_OPTION and a clear message', () => {
    expect(() => createLogger({ destination: { type: 'http', url: 'ftp://x' } })).toThrow(
      'createLogger: "destination.url" must be an http: or https: URL, got "ftp://x"',
    );
    expect(() =>
      createLogger({ destination: [{ type: 'http', url: 'http://x', encoding: 'xml' as 'otlp' }] }),
    ).toThrow('"destination[0].encoding" must be one of ndjson|otlp|loki|elasticsearch, got "xml"');
    expect(() =>
      createLogger({ destination: { type: 'http', url: 'http://x', encoding: 'elasticsearch' } }),
    ).toThrow('"destination.index" must be a non-empty index name');
    expect(() =>
      createLogger({ destination: { type: 'http', url: 'http://x', batchRecords: 0 } }),
    ).toThrow('"destination.batchRecords" must be an integer >= 1, got 0');
    expect(() =>
      createLogger({
        destination: { type: 'http', url: 'http://x', labels: { 'a-b': 'c' } },
      }),
    ).toThrow(/"destination.labels" must be label names/);
    try {
      createLogger({ destination: { type: 'http', url: 'http://x', bogus: 1 } as never });
      expect.unreachable();
    } catch (e) {
      expect((e as { code: string }).code).toBe('RINGLOG_INVALID_OPTION');
      expect((e as Error).message).toContain('"destination.bogus" is not an option of type "http"');
    }
  });
});
