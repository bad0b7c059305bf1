/**
 * ringlog/prometheus and ringlog/prom-client: the exposition read back with a real parser of
 * the text format (parse-prometheus-text-format, a port of the Prometheus Python client's
 * parser) and compared, sample by sample, with logger.metrics() and with the records on disk.
 */
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createLogger,
  type Logger,
  type LoggerHealth,
  type LoggerMetrics,
} from '../../src/index.js';
import type { MetricsSource } from '../../src/metrics/families.js';
import { registerRinglogMetrics } from '../../src/metrics/prom-client.js';
import { prometheusText } from '../../src/metrics/prometheus.js';

interface ParsedFamily {
  name: string;
  help: string;
  type: string;
  metrics: Array<{ labels?: Record<string, string>; value: string }>;
}
const parse = parsePrometheusTextFormat as (text: string) => ParsedFamily[];

const open: Logger[] = [];
const dirs: string[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
  for (const s of sockets.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ringlog-prom-'));
  dirs.push(d);
  return d;
}

/** Each record of a file, parsed; throws on a line that is not JSON. */
function records(file: string): Array<Record<string, unknown>> {
  const text = readFileSync(file, 'utf8');
  expect(text === '' || text.endsWith('\n')).toBe(true);
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
}

const key = (family: string, labels: Record<string, string>) =>
  `${family}${JSON.stringify(Object.fromEntries(Object.entries(labels).sort()))}`;

/** Every sample of a parsed exposition, by family and labels; and each family's type. */
function samplesOf(parsed: ParsedFamily[]): {
  values: Map<string, number>;
  types: Map<string, string>;
} {
  const values = new Map<string, number>();
  const types = new Map<string, string>();
  for (const f of parsed) {
    expect(types.has(f.name), `family ${f.name} appears twice`).toBe(false);
    types.set(f.name, f.type);
    expect(f.help.length).toBeGreaterThan(0);
    for (const s of f.metrics) {
      const k = key(f.name, s.labels ?? {});
      expect(values.has(k), `${k} twice`).toBe(false);
      values.set(k, Number(s.value));
    }
  }
  return { values, types };
}

/**
 * What the exposition must hold for one logger, written out from metrics() field by field:
 * the specification of the mapping, kept apart from the code that implements it.
 */
function expected(
  m: LoggerMetrics,
  logger: string,
  h?: LoggerHealth,
): { values: Map<string, number>; types: Map<string, string> } {
  const values = new Map<string, number>();
  const types = new Map<string, string>();
  const put = (family: string, type: string, labels: Record<string, string>, v: number) => {
    types.set(family, type.toUpperCase());
    values.set(key(family, { logger, ...labels }), v);
  };
  put('ringlog_records_enqueued_total', 'counter', {}, m.enqueued);
  put('ringlog_records_written_total', 'counter', {}, m.written);
  put('ringlog_records_dropped_total', 'counter', { reason: 'ring_full' }, m.dropped.ringFull);
  put(
    'ringlog_records_dropped_total',
    'counter',
    { reason: 'block_timeout' },
    m.dropped.blockTimeout,
  );
  put('ringlog_records_dropped_total', 'counter', { reason: 'closed' }, m.dropped.closed);
  put(
    'ringlog_records_dropped_total',
    'counter',
    { reason: 'sink_restart' },
    m.dropped.sinkRestart,
  );
  put('ringlog_records_pending', 'gauge', {}, m.pending);
  put('ringlog_batches_published_total', 'counter', {}, m.batchesPublished);
  put('ringlog_ring_capacity_bytes', 'gauge', {}, m.ringBytes);
  put('ringlog_ring_used_bytes', 'gauge', {}, m.ringUsedBytes);
  put('ringlog_ring_high_water_bytes', 'gauge', {}, m.ringHighWaterBytes);
  put('ringlog_sink_restarts_total', 'counter', {}, m.workerRestarts);
  put('ringlog_sink_fallback', 'gauge', {}, m.fallback ? 1 : 0);
  if (m.sampledOut !== undefined)
    put('ringlog_records_sampled_out_total', 'counter', {}, m.sampledOut);
  if (m.flightRecorder !== undefined) {
    put('ringlog_flight_recorder_held_records', 'gauge', {}, m.flightRecorder.held);
    put('ringlog_flight_recorder_dumped_records_total', 'counter', {}, m.flightRecorder.dumped);
    put(
      'ringlog_flight_recorder_discarded_records_total',
      'counter',
      {},
      m.flightRecorder.discarded,
    );
  }
  for (const d of m.destinations) {
    const l = { destination: d.name };
    put('ringlog_destination_records_written_total', 'counter', l, d.written);
    put('ringlog_destination_records_dropped_total', 'counter', l, d.dropped);
    put('ringlog_destination_errors_total', 'counter', l, d.errors);
    put('ringlog_destination_buffered_records', 'gauge', l, d.buffered);
    const extra: Array<[number | undefined, string, string]> = [
      [d.sent, 'ringlog_destination_records_sent_total', 'counter'],
      [d.retried, 'ringlog_destination_records_retried_total', 'counter'],
      [d.rejected, 'ringlog_destination_records_rejected_total', 'counter'],
      [d.spilled, 'ringlog_destination_records_spilled_total', 'counter'],
      [d.replayed, 'ringlog_destination_records_replayed_total', 'counter'],
      [d.spooled, 'ringlog_destination_spooled_records', 'gauge'],
      [d.truncated, 'ringlog_destination_messages_truncated_total', 'counter'],
    ];
    for (const [v, family, type] of extra) if (v !== undefined) put(family, type, l, v);
  }
  if (h !== undefined) {
    put('ringlog_sink_up', 'gauge', {}, h.sink.alive ? 1 : 0);
    put('ringlog_oldest_pending_seconds', 'gauge', {}, h.oldestPendingMs / 1000);
    for (const d of h.destinations) {
      for (const state of ['ok', 'retrying', 'failing', 'closed'])
        put(
          'ringlog_destination_state',
          'gauge',
          { destination: d.name, state },
          d.state === state ? 1 : 0,
        );
      if (d.lastError !== null)
        put(
          'ringlog_destination_last_error_timestamp_seconds',
          'gauge',
          { destination: d.name },
          d.lastError.at / 1000,
        );
    }
  }
  return { values, types };
}

function merge(...parts: Array<ReturnType<typeof expected>>): ReturnType<typeof expected> {
  const values = new Map<string, number>();
  const types = new Map<string, string>();
  for (const p of parts) {
    for (const [k, v] of p.values) values.set(k, v);
    for (const [k, v] of p.types) types.set(k, v);
  }
  return { values, types };
}

/** A UDP socket standing in for a syslog server: counts the datagrams it receives. */
async function udpServer(): Promise<{ port: number; received: () => number }> {
  const s = createSocket('udp4');
  sockets.push(s);
  let n = 0;
  s.on('message', () => {
    n++;
  });
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  return { port: s.address().port, received: () => n };
}

async function waitFor(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Two loggers with known traffic: "api" writes 1,000 records to a plain file and to a file
 * whose path holds a double quote, a backslash and a line feed, 40 of them long enough to be
 * cut by a UDP syslog destination; the second (unnamed) uses a tiny ring with onFull 'drop',
 * sampling and a flight recorder, and logs after close().
 */
async function twoLoggers() {
  const dir = tempDir();
  const plain = join(dir, 'api.log');
  const odd = join(dir, 'we"ird\\name\nwith a line feed.log');
  const syslog = await udpServer();
  const api = createLogger({
    name: 'api',
    destination: [
      plain,
      { type: 'file', path: odd },
      {
        type: 'syslog',
        protocol: 'udp',
        port: syslog.port,
        maxDatagramBytes: 480,
        level: 'warn',
      },
    ],
  });
  open.push(api);
  for (let i = 0; i < 960; i++) api.info({ i }, 'request served');
  for (let i = 0; i < 40; i++) api.warn({ i }, 'x'.repeat(1000));
  await api.flush();
  await waitFor(() => syslog.received() === 40, '40 datagrams');

  const jobsFile = join(dir, 'jobs.log');
  const jobs = createLogger({
    destination: jobsFile,
    ringBytes: 16 * 1024,
    onFull: 'drop',
    sampling: { adaptive: { perWindow: 5, windowMs: 600_000 }, level: 'warn' },
    flightRecorder: { level: 'debug', size: 8 },
  });
  // 4,000 records of ~500 bytes in one synchronous run through a 16 KiB ring: most are dropped.
  for (let i = 0; i < 4000; i++) jobs.warn({ i, pad: 'p'.repeat(450) }, 'job step');
  for (let i = 0; i < 20; i++) jobs.info('sampled message'); // 5 kept, 15 sampled out
  for (let i = 0; i < 12; i++) jobs.debug({ i }, 'held'); // 8 held, 4 overwritten
  await jobs.flush();
  return { api, jobs, plain, odd, jobsFile, dir };
}

describe('prometheusText', () => {
  it('matches metrics() exactly, sample by sample, and the records on disk', async () => {
    const { api, jobs, plain, odd, jobsFile } = await twoLoggers();
    const text = prometheusText(api, jobs);
    const mApi = api.metrics();
    const mJobs = jobs.metrics();

    // The traffic is what the test says it is, so the comparison below is not of zeros.
    expect(records(plain).map((r) => r.i)).toEqual([
      ...Array.from({ length: 960 }, (_, i) => i),
      ...Array.from({ length: 40 }, (_, i) => i),
    ]);
    expect(records(odd)).toHaveLength(1000);
    expect(mApi).toMatchObject({ enqueued: 1000, written: 1000, pending: 0 });
    expect(mApi.destinations.map((d) => [d.name, d.written])).toEqual([
      [`file:${plain}`, 1000],
      [`file:${odd}`, 1000],
      // The syslog destination takes warn and above: the 40 long records.
      [expect.stringMatching(/^syslog:udp:\/\/127\.0\.0\.1:\d+$/), 40],
    ]);
    expect(mApi.destinations[2]!.truncated).toBe(40);
    const jobLines = records(jobsFile);
    expect(mJobs.written).toBe(jobLines.length);
    expect(mJobs.dropped.ringFull).toBeGreaterThan(0);
    expect(mJobs.enqueued).toBe(mJobs.written + mJobs.dropped.total);
    expect(mJobs.sampledOut).toBe(15);
    expect(mJobs.flightRecorder).toEqual({ held: 8, dumped: 0, discarded: 4 });

    const got = samplesOf(parse(text));
    const want = merge(expected(mApi, 'api', api.health()), expected(mJobs, '1', jobs.health()));
    // The health families are there, and say what health() says: all delivered, sink alive.
    expect(api.health()).toMatchObject({ ok: true, oldestPendingMs: 0, sink: { alive: true } });
    expect(want.values.get(key('ringlog_sink_up', { logger: 'api' }))).toBe(1);
    expect(got.values).toEqual(want.values);
    expect(got.types).toEqual(want.types);
  });

  it('counts records logged after close() under reason="closed"', async () => {
    const dir = tempDir();
    const log = createLogger({ name: 'closing', destination: join(dir, 'c.log') });
    log.info('before');
    await log.close();
    for (let i = 0; i < 3; i++) log.info('after');
    await new Promise((r) => setImmediate(r)); // counted when their batch would be published
    const got = samplesOf(parse(prometheusText(log)));
    expect(
      got.values.get(key('ringlog_records_dropped_total', { logger: 'closing', reason: 'closed' })),
    ).toBe(3);
    expect(got.values).toEqual(expected(log.metrics(), 'closing', log.health()).values);
    expect(records(join(dir, 'c.log')).map((r) => r.msg)).toEqual(['before']);
  });

  it('writes one HELP and one TYPE line per family, its samples right below, every line well formed', async () => {
    const { api, jobs } = await twoLoggers();
    const lines = prometheusText(api, jobs).split('\n');
    expect(lines.pop()).toBe(''); // ends with a line feed
    const seen = new Set<string>();
    let current = '';
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const help = /^# HELP (ringlog_[a-z_]+) \S.*$/.exec(line);
      if (help) {
        expect(seen.has(help[1]!), `${help[1]} described twice`).toBe(false);
        seen.add(help[1]!);
        current = help[1]!;
        expect(lines[i + 1]).toMatch(new RegExp(`^# TYPE ${current} (counter|gauge)$`));
        i++;
        continue;
      }
      // A sample: the current family, labels with escaped values only, a number.
      expect(line).toMatch(/^ringlog_[a-z_]+\{(?:[a-z]+="(?:[^"\\\n]|\\[\\"n])*",?)+\} \d+$/);
      expect(line.slice(0, line.indexOf('{'))).toBe(current);
    }
    expect(seen.size).toBeGreaterThan(15);
  });

  it('escapes backslash, double quote and line feed in label values', async () => {
    const { api } = await twoLoggers();
    const text = prometheusText(api);
    const name = api.metrics().destinations[1]!.name;
    expect(name).toMatch(/"/);
    expect(name).toMatch(/\\/);
    expect(name).toMatch(/\n/);
    const escaped = name.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
    expect(text).toContain(
      `ringlog_destination_records_written_total{logger="api",destination="${escaped}"} 1000\n`,
    );
    const written = parse(text).find(
      (f) => f.name === 'ringlog_destination_records_written_total',
    )!;
    expect(written.metrics.map((s) => s.labels!.destination)).toContain(name);
  });

  it('round-trips any logger or destination name through a parser, two alike kept apart', () => {
    const chars = fc.constantFrom(
      '\\',
      '"',
      '\n',
      '\r',
      '\t',
      ' ',
      '{',
      '}',
      ',',
      '=',
      '#',
      'a',
      'é',
      '😀',
    );
    const name = fc.string({
      unit: fc.oneof(chars, fc.string({ unit: 'grapheme', maxLength: 1 })),
    });
    const count = fc.nat({ max: 2 ** 40 });
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ name, destinations: fc.array(fc.tuple(name, count), { maxLength: 3 }) }),
          { minLength: 1, maxLength: 3 },
        ),
        (loggers) => {
          const sources: MetricsSource[] = loggers.map((l) => fakeSource(l.name, l.destinations));
          const written = parse(prometheusText(...sources)).find(
            (f) => f.name === 'ringlog_destination_records_written_total',
          );
          const samples = written?.metrics ?? [];
          // One sample per destination, none merged: label sets are distinct.
          expect(samples).toHaveLength(loggers.reduce((n, l) => n + l.destinations.length, 0));
          expect(new Set(samples.map((s) => JSON.stringify(s.labels))).size).toBe(samples.length);
          // A unique name comes back exactly as it went in, with its value.
          // The label a logger asks for: its name, or its position when it has none.
          const asked = loggers.map((l, i) => (l.name === '' ? String(i) : l.name));
          for (const [i, l] of loggers.entries()) {
            if (asked.filter((a) => a === asked[i]).length > 1) continue;
            const mine = samples.filter((s) => s.labels!.logger === asked[i]);
            expect(mine.map((s) => Number(s.value))).toEqual(l.destinations.map(([, v]) => v));
            for (const [d] of l.destinations)
              if (l.destinations.filter(([o]) => o === d).length === 1)
                expect(mine.map((s) => s.labels!.destination)).toContain(d);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('labels loggers by name, else by position, and tells two of the same name apart', async () => {
    const dir = tempDir();
    const a = createLogger({ name: 'svc', destination: join(dir, 'a.log') });
    const b = createLogger({ destination: join(dir, 'b.log') });
    const c = createLogger({ name: 'svc', destination: join(dir, 'c.log') });
    open.push(a, b, c);
    a.info('one');
    c.info('one');
    c.info('two');
    await Promise.all([a.flush(), c.flush()]);
    const enq = parse(prometheusText(a, b, c)).find(
      (f) => f.name === 'ringlog_records_enqueued_total',
    )!;
    expect(enq.metrics.map((s) => [s.labels!.logger, Number(s.value)])).toEqual([
      ['svc', 1],
      ['1', 0],
      ['svc#2', 2],
    ]);
  });

  it('returns nothing for no logger', () => {
    expect(prometheusText()).toBe('');
  });
});

/** A MetricsSource with destinations of the given names and written counts. */
function fakeSource(name: string, destinations: Array<[string, number]>): MetricsSource {
  const m: LoggerMetrics = {
    enqueued: 0,
    written: 0,
    dropped: { total: 0, ringFull: 0, blockTimeout: 0, closed: 0, sinkRestart: 0 },
    pending: 0,
    ringBytes: 1024,
    ringUsedBytes: 0,
    ringHighWaterBytes: 0,
    batchesPublished: 0,
    workerRestarts: 0,
    fallback: false,
    destinations: destinations.map(([n, written]) => ({
      name: n,
      written,
      dropped: 0,
      errors: 0,
      buffered: 0,
    })),
  };
  return { metrics: () => m, bindings: () => (name === '' ? {} : { name }) };
}

describe('registerRinglogMetrics (prom-client)', () => {
  it("puts the same families and values in the registry's output, which parses", async () => {
    const { api, jobs } = await twoLoggers();
    const register = new Registry();
    const requests = new Counter({
      name: 'app_requests_total',
      help: 'the app own',
      registers: [register],
    });
    requests.inc(7);
    registerRinglogMetrics([api, jobs], register);

    const fromRegistry = parse(await register.metrics());
    const ours = samplesOf(parse(prometheusText(api, jobs)));
    const theirs = samplesOf(fromRegistry.filter((f) => f.name.startsWith('ringlog_')));
    expect(theirs.values).toEqual(ours.values);
    // prom-client lists a family it knows even with no sample; every family with samples is ours.
    for (const [name, type] of theirs.types)
      if (ours.types.has(name)) expect(type).toBe(ours.types.get(name));
      else expect(fromRegistry.find((f) => f.name === name)!.metrics).toEqual([]);
    expect(theirs.values).toEqual(
      merge(
        expected(api.metrics(), 'api', api.health()),
        expected(jobs.metrics(), '1', jobs.health()),
      ).values,
    );
    // The app's own metric is still there.
    expect(fromRegistry.find((f) => f.name === 'app_requests_total')!.metrics[0]!.value).toBe('7');
  });

  it('reads the loggers anew at each scrape', async () => {
    const dir = tempDir();
    const log = createLogger({ name: 'live', destination: join(dir, 'l.log') });
    open.push(log);
    const register = new Registry();
    registerRinglogMetrics(log, register);
    const enqueued = async () =>
      samplesOf(parse(await register.metrics())).values.get(
        key('ringlog_records_enqueued_total', { logger: 'live' }),
      );
    expect(await enqueued()).toBe(0);
    for (let i = 0; i < 25; i++) log.info('x');
    await log.flush();
    expect(await enqueued()).toBe(25);
    log.info('y');
    await log.flush();
    expect(await enqueued()).toBe(26);
    expect(records(join(dir, 'l.log'))).toHaveLength(26);
  });

  it('refuses a second registration of the same families and removes them on request', async () => {
    const dir = tempDir();
    const log = createLogger({ destination: join(dir, 'r.log') });
    open.push(log);
    const register = new Registry();
    const unregister = registerRinglogMetrics(log, register);
    const count = register.getMetricsAsArray().length;
    expect(count).toBeGreaterThan(15);
    expect(() => registerRinglogMetrics(log, register)).toThrow(/already been registered/);
    expect(register.getMetricsAsArray()).toHaveLength(count);
    unregister();
    expect(register.getMetricsAsArray()).toHaveLength(0);
    expect(await register.metrics()).not.toContain('ringlog_');
    registerRinglogMetrics(log, register);
    expect(await register.metrics()).toContain('ringlog_records_enqueued_total{logger="0"} 0');
  });
});
