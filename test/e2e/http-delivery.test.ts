import { readdirSync, writeFileSync } from 'node:fs';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, waitFor } from './helpers.js';
import {
  exactlyOnce,
  freePort,
  idsOf,
  lines,
  makeDestination,
  type Receiver,
  useReceiversAndStderr,
} from './http-receiver.js';

const { stderr: capturedStderr, receiver } = useReceiversAndStderr();

/** Writes `count` records in chunks of `per`, as the sink hands them over. */
function writeAll(dest: { write(b: Buffer): void }, count: number, per = 100): void {
  for (let i = 0; i < count; i += per) dest.write(lines(i, Math.min(per, count - i)));
}

const accepted = (r: Receiver, ok: (n: number) => boolean = () => true) =>
  r.requests.filter((q) => ok(q.n)).map((q) => q.body);

const tmp = () => tempDir('ringlog-spool-');

describe('ndjson shipping', () => {
  it('delivers every record exactly once in batches of batchRecords over kept-alive sockets', async () => {
    const r = await receiver();
    const dest = makeDestination({
      url: `${r.url}?query=x`,
      batchRecords: 500,
      headers: { authorization: 'Bearer t0k3n' },
    });
    writeAll(dest, 10_000, 137);
    await dest.flush();
    expect(exactlyOnce(idsOf(accepted(r)), 10_000)).toBeUndefined();
    for (const q of r.requests) {
      expect(q.headers['content-type']).toBe('application/x-ndjson');
      expect(q.headers.authorization).toBe('Bearer t0k3n');
      expect(q.headers['content-encoding']).toBe('gzip');
      expect(q.url).toBe('/ingest?query=x');
      expect(q.body.toString().split('\n').length - 1).toBeLessThanOrEqual(500);
    }
    expect(r.requests.length).toBe(20);
    expect(r.connections).toBeLessThanOrEqual(2);
    expect(dest.stats()).toMatchObject({ written: 10_000, sent: 10_000, dropped: 0, buffered: 0 });
    await dest.close();
  });

  it('cuts batches by bytes and by interval, and sends small bodies uncompressed', async () => {
    const r = await receiver();
    const dest = makeDestination({ url: r.url, batchBytes: 4096, batchIntervalMs: 30 });
    writeAll(dest, 300, 10);
    await waitFor(() => idsOf(accepted(r)).length === 300);
    for (const q of r.requests) expect(q.body.length).toBeLessThan(4096 + 200);
    const tiny = makeDestination({ url: r.url, batchIntervalMs: 30 });
    const before = r.requests.length;
    tiny.write(lines(300, 1));
    await waitFor(() => r.requests.length === before + 1);
    expect(r.requests[before]!.headers['content-encoding']).toBeUndefined();
    await dest.close();
    await tiny.close();
  });

  it('waits as long as Retry-After says, in seconds and as an HTTP date', async () => {
    for (const form of ['seconds', 'date'] as const) {
      const times: number[] = [];
      const r = await receiver((q) => {
        times.push(Date.now());
        if (q.n > 0) return { status: 200 };
        const value = form === 'seconds' ? '1' : new Date(Date.now() + 2000).toUTCString();
        return { status: 429, headers: { 'retry-after': value } };
      });
      const dest = makeDestination({ url: r.url, batchRecords: 1000 });
      writeAll(dest, 1000);
      await dest.flush();
      expect(exactlyOnce(idsOf(accepted(r, (n) => n > 0)), 1000)).toBeUndefined();
      // An HTTP date has whole seconds: 2 s ahead is at least 1 s ahead.
      expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(950);
      expect(dest.stats()).toMatchObject({ written: 1000, retried: 1000, errors: 1 });
      await dest.close();
    }
    expect(capturedStderr().join('')).toContain('HTTP 429');
    expect(capturedStderr().join('')).toContain('RINGLOG_HTTP_UNAVAILABLE');
  });

  it('retries 502, 503, 504 and (ndjson) 500 until they pass', async () => {
    const failing = [502, 503, 504, 500];
    const r = await receiver((q) => ({ status: failing[q.n] ?? 200 }));
    const dest = makeDestination({ url: r.url });
    writeAll(dest, 200);
    await dest.flush();
    expect(r.requests.length).toBe(5);
    expect(exactlyOnce(idsOf(accepted(r, (n) => n >= 4)), 200)).toBeUndefined();
    expect(dest.stats()).toMatchObject({ written: 200, retried: 800, errors: 4, dropped: 0 });
    await dest.close();
  });

  it('rejects a batch after retry.serverErrorAttempts 500s: it does not block the ones behind it', async () => {
    // ClickHouse answers 500 to a line it cannot parse, every time.
    const r = await receiver((q) =>
      idsOf([q.body]).includes(15) ? { status: 500, body: 'Cannot parse input' } : { status: 200 },
    );
    const dest = makeDestination({ url: r.url, batchRecords: 10, concurrency: 1 });
    writeAll(dest, 40, 40);
    await dest.flush();
    const poisoned = r.requests.filter((q) => idsOf([q.body]).includes(15));
    expect(poisoned.length).toBe(5);
    const ok = accepted(r, (n) => !idsOf([r.requests[n]!.body]).includes(15));
    expect(idsOf(ok).sort((a, b) => a - b)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => i),
      ...Array.from({ length: 20 }, (_, i) => i + 20),
    ]);
    expect(dest.stats()).toMatchObject({ written: 30, rejected: 10, dropped: 10, retried: 40 });
    expect(capturedStderr().join('')).toContain('Cannot parse input');
    await dest.close();
  });

  it('does not retry 400, 401 or 403: the records are rejected and counted', async () => {
    const r = await receiver((q) => ({ status: [400, 401, 403][q.n] ?? 200, body: 'bad' }));
    const dest = makeDestination({ url: r.url, batchRecords: 10, concurrency: 1 });
    writeAll(dest, 40);
    await dest.flush();
    expect(r.requests.length).toBe(4);
    expect(
      exactlyOnce(
        idsOf(accepted(r, (n) => n === 3)).map((i) => i - 30),
        10,
      ),
    ).toBeUndefined();
    expect(dest.stats()).toMatchObject({ written: 10, rejected: 30, dropped: 30, retried: 0 });
    expect(capturedStderr().join('')).toContain('RINGLOG_HTTP_REJECTED');
    await dest.close();
  });

  it('splits a batch the backend finds too large (413) until the halves fit', async () => {
    const r = await receiver((q) => {
      const records = q.body.toString().split('\n').length - 1;
      return records > 100 ? { status: 413 } : { status: 200 };
    });
    const dest = makeDestination({ url: r.url, batchRecords: 1000 });
    writeAll(dest, 1000);
    await dest.flush();
    const ok = r.requests.filter((q) => q.body.toString().split('\n').length - 1 <= 100);
    expect(exactlyOnce(idsOf(ok.map((q) => q.body)), 1000)).toBeUndefined();
    expect(dest.stats()).toMatchObject({ written: 1000, dropped: 0, rejected: 0 });
    await dest.close();
  });

  it('sends again after a connection reset and after a request timeout', async () => {
    const r = await receiver((q) => (q.n === 0 ? 'reset' : q.n === 1 ? 'hang' : { status: 200 }));
    const dest = makeDestination({ url: r.url, requestTimeoutMs: 300, concurrency: 1 });
    writeAll(dest, 100);
    await dest.flush();
    expect(r.requests.length).toBe(3);
    expect(exactlyOnce(idsOf(accepted(r, (n) => n === 2)), 100)).toBeUndefined();
    expect(dest.stats()).toMatchObject({ written: 100, errors: 2, retried: 200 });
    expect(capturedStderr().join('')).toContain('ECONNRESET');
    await dest.close();
  });

  it('gives up connecting after connectTimeoutMs (a TLS handshake that never ends) and retries', async () => {
    // A TCP server that accepts and never says a word: for https:// the connection is not
    // made until the handshake completes.
    const sockets: Socket[] = [];
    const silent = createTcpServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const dest = makeDestination({
      url: `https://127.0.0.1:${port}/`,
      connectTimeoutMs: 150,
      requestTimeoutMs: 10_000,
      flushTimeoutMs: 100,
    });
    dest.write(lines(0, 10));
    const t0 = Date.now();
    await waitFor(() => dest.stats().errors >= 2);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(capturedStderr().join('')).toContain('RINGLOG_CONNECT_TIMEOUT');
    expect(dest.stats()).toMatchObject({ written: 0, buffered: 10 });
    await dest.close();
    expect(dest.stats()).toMatchObject({ dropped: 10, buffered: 0 });
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  });

  it('close() is bounded while a request hangs: its records are counted as dropped', async () => {
    const r = await receiver(() => 'hang');
    const dest = makeDestination({ url: r.url, flushTimeoutMs: 100, requestTimeoutMs: 60_000 });
    dest.write(lines(0, 20));
    const t0 = Date.now();
    await dest.close();
    expect(Date.now() - t0).toBeLessThan(1000);
    await waitFor(() => dest.stats().dropped === 20);
    expect(dest.stats()).toMatchObject({ written: 0, buffered: 0, dropped: 20 });
  });

  it('keeps at most `concurrency` requests in flight to a slow backend', async () => {
    const r = await receiver(() => ({ status: 200, delayMs: 50 }));
    const dest = makeDestination({ url: r.url, batchRecords: 100, concurrency: 2 });
    writeAll(dest, 2000);
    await dest.flush();
    expect(exactlyOnce(idsOf(accepted(r)), 2000)).toBeUndefined();
    expect(r.maxConcurrent).toBe(2);
    await dest.close();
  });

  it('write() returns at once: the lent buffer may be overwritten right after', async () => {
    const r = await receiver(() => ({ status: 200, delayMs: 20 }));
    const dest = makeDestination({ url: r.url });
    const scratch = lines(0, 50);
    dest.write(scratch);
    scratch.fill(0x20);
    await dest.flush();
    expect(exactlyOnce(idsOf(accepted(r)), 50)).toBeUndefined();
    await dest.close();
  });
});

describe('when the backend is down', () => {
  it('bounds memory without a spool: the oldest batches are dropped and counted', async () => {
    const port = await freePort();
    const dest = makeDestination({
      url: `http://127.0.0.1:${port}/`,
      batchRecords: 100,
      maxBufferBytes: 64 * 1024,
      flushTimeoutMs: 100,
    });
    writeAll(dest, 10_000);
    await dest.flush();
    const s = dest.stats();
    expect(s.written).toBe(0);
    expect(s.dropped).toBeGreaterThan(0);
    expect(s.dropped + s.buffered).toBe(10_000);
    expect(s.buffered * 70).toBeLessThan(64 * 1024 + 100 * 70 * 3);
    expect(capturedStderr().join('')).toContain('RINGLOG_HTTP_DROPPED');
    await dest.close();
    expect(dest.stats().dropped).toBe(10_000);
  });

  it('opens the breaker, spills to the spool, probes, then replays oldest first: none lost', async () => {
    const port = await freePort();
    const dir = tmp();
    const dest = makeDestination({
      url: `http://127.0.0.1:${port}/`,
      batchRecords: 100,
      breaker: { failures: 3, cooldownMs: 200 },
      spool: { dir },
    });
    writeAll(dest, 1000);
    await waitFor(() => dest.stats().spilled === 1000);
    expect(dest.stats()).toMatchObject({ written: 0, spooled: 1000, dropped: 0 });
    expect(readdirSync(dir).length).toBe(10);
    // While it is down, more records go straight to the spool.
    for (let i = 1000; i < 2000; i += 100) dest.write(lines(i, 100));
    await dest.flush();
    expect(dest.stats().spooled).toBe(2000);
    const r = await receiver(undefined, port);
    await waitFor(() => dest.stats().written === 2000);
    const ids = idsOf(accepted(r));
    expect(exactlyOnce(ids, 2000)).toBeUndefined();
    // Oldest first: with two requests in flight, no batch overtakes another by more than one.
    const firsts = r.requests.map((q) => idsOf([q.body])[0]!);
    for (let i = 2; i < firsts.length; i++) expect(firsts[i]!).toBeGreaterThan(firsts[i - 2]!);
    expect(dest.stats()).toMatchObject({ replayed: 2000, spooled: 0, dropped: 0, buffered: 0 });
    expect(readdirSync(dir)).toEqual([]);
    await dest.close();
  });

  it('replays what an earlier process left in the spool on the next start', async () => {
    const port = await freePort();
    const dir = tmp();
    const first = makeDestination({
      url: `http://127.0.0.1:${port}/`,
      batchRecords: 100,
      flushTimeoutMs: 200,
      spool: { dir },
    });
    writeAll(first, 500);
    await first.close();
    expect(first.stats()).toMatchObject({ spilled: 500, dropped: 0, written: 0 });
    const r = await receiver();
    const second = makeDestination({ url: r.url, batchRecords: 100, spool: { dir } });
    await waitFor(() => second.stats().replayed === 500);
    expect(exactlyOnce(idsOf(accepted(r)), 500)).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
    await second.close();
  });

  it('keeps the spool within maxBytes: the oldest files are dropped and counted', async () => {
    const port = await freePort();
    const dir = tmp();
    const batchBytes = lines(0, 100).length;
    const dest = makeDestination({
      url: `http://127.0.0.1:${port}/`,
      batchRecords: 100,
      breaker: { failures: 1, cooldownMs: 60_000 },
      spool: { dir, maxBytes: batchBytes * 5 + 100 },
    });
    writeAll(dest, 2000);
    await dest.flush();
    await waitFor(() => dest.stats().spilled === 2000);
    const s = dest.stats();
    expect(s.spooled).toBeLessThanOrEqual(500);
    expect(s.dropped + s.spooled).toBe(2000);
    expect(readdirSync(dir).length).toBeLessThanOrEqual(5);
    await dest.close();
  });

  it('circuit breaker: after N failures nothing is sent for the cool-down, then one probe', async () => {
    const at: number[] = [];
    const codes: number[] = [];
    const r = await receiver(() => {
      const now = Date.now();
      at.push(now);
      // Down until 700 ms after the third request: long past the moment the third failure
      // opens the breaker (and any request already in flight then), short of the cool-down.
      const down = at.length <= 3 || now - at[2]! < 700;
      codes.push(down ? 503 : 200);
      return down ? { status: 503 } : { status: 200, delayMs: 60 };
    });
    const dest = makeDestination({
      url: r.url,
      batchRecords: 100,
      concurrency: 2,
      retry: { baseDelayMs: 1, maxDelayMs: 2 },
      breaker: { failures: 3, cooldownMs: 1000 },
    });
    writeAll(dest, 500);
    await waitFor(() => dest.stats().written === 500);
    const failed = dest.stats().errors;
    // The third failure opens it; a request already in flight then may still fail too.
    expect(failed).toBeGreaterThanOrEqual(3);
    expect(failed).toBeLessThanOrEqual(4);
    expect(codes).toEqual([...Array(failed).fill(503), ...Array(codes.length - failed).fill(200)]);
    // Open: no request during the cool-down, however short the backoff; then the probe.
    expect(at[failed]! - at[2]!).toBeGreaterThanOrEqual(980);
    // The probe goes alone: the next request starts after its (60 ms) answer.
    expect(at[failed + 1]! - at[failed]!).toBeGreaterThanOrEqual(55);
    expect(exactlyOnce(idsOf(accepted(r, (n) => n >= failed)), 500)).toBeUndefined();
    expect(dest.stats()).toMatchObject({ errors: failed, dropped: 0 });
    await dest.close();
  });

  it('goes on without a spool that cannot be opened, and says so', async () => {
    const r = await receiver();
    const file = join(tmp(), 'a-file');
    writeFileSync(file, '');
    const dest = makeDestination({ url: r.url, spool: { dir: join(file, 'spool') } });
    dest.write(lines(0, 10));
    await dest.flush();
    expect(exactlyOnce(idsOf(accepted(r)), 10)).toBeUndefined();
    expect(capturedStderr().join('')).toContain('cannot open the spool');
    expect(capturedStderr().join('')).toContain('RINGLOG_HTTP_SPOOL');
    await dest.close();
  });

  it('keeps a spool copy of a request still in flight when flush() runs out of time', async () => {
    const dir = tmp();
    const r = await receiver(() => ({ status: 200, delayMs: 400 }));
    const dest = makeDestination({ url: r.url, flushTimeoutMs: 50, spool: { dir } });
    dest.write(lines(0, 100));
    await dest.flush();
    // Had the process ended here, the next one would send the copy (at least once).
    expect(readdirSync(dir).length).toBe(1);
    expect(dest.stats()).toMatchObject({ spooled: 100, written: 0 });
    await waitFor(() => dest.stats().written === 100);
    expect(readdirSync(dir)).toEqual([]);
    expect(dest.stats()).toMatchObject({ spooled: 0, spilled: 0, replayed: 0 });
    expect(exactlyOnce(idsOf(accepted(r)), 100)).toBeUndefined();
    await dest.close();
  });
});
