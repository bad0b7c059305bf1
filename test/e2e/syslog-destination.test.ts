import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { compileLevels } from '../../src/logger/levels.js';
import { lastErrorOf } from '../../workers/destinations/report.js';
import { resolveSyslogDestination } from '../../workers/destinations/syslog/options.js';
import { createSyslogDestination } from '../../workers/destinations/syslog/syslog.js';
import { fixture, runFixture, waitFor } from './helpers.js';
import {
  parseSyslog,
  startTcpReceiver,
  startUdpReceiver,
  type TcpReceiver,
} from './syslog-helpers.js';

const levels = compileLevels(undefined, 'test');
const SD = 'ringlog@32473';

function dest(o: Record<string, unknown>) {
  return createSyslogDestination(
    resolveSyslogDestination(
      levels,
      { type: 'syslog', reconnectInitialMs: 20, reconnectMaxMs: 200, ...o },
      'destination',
      0,
    ),
  );
}

function lines(from: number, to: number, extra: Record<string, unknown> = {}): Buffer {
  let s = '';
  for (let i = from; i < to; i++)
    s += `${JSON.stringify({ level: 30, time: Date.now(), i, msg: `record ${i}`, ...extra })}\n`;
  return Buffer.from(s);
}

/** The `i` param of each message, checked to be 0..n-1 in order. */
function expectSequence(messages: string[], n: number): void {
  const seq = messages.map((t) =>
    Number(
      parseSyslog(t)
        .sd.get(SD)
        ?.find(([k]) => k === 'i')?.[1],
    ),
  );
  expect(seq.length).toBe(n);
  for (let k = 0; k < n; k++) if (seq[k] !== k) expect.fail(`message ${k} carries i=${seq[k]}`);
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

let stderr: string[] = [];
beforeEach(() => {
  stderr = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((c: unknown) => {
    stderr.push(String(c));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('syslog destination over TCP (octet counting)', () => {
  let rx: TcpReceiver;
  beforeEach(async () => {
    rx = await startTcpReceiver();
  });
  afterEach(async () => {
    await rx.stop();
  });

  it('delivers every record in order and counts them written once flush() resolves', async () => {
    const d = dest({ port: rx.port });
    for (let i = 0; i < 5000; i += 250) d.write(lines(i, i + 250));
    await d.flush();
    expect(d.stats()).toMatchObject({ written: 5000, dropped: 0, buffered: 0 });
    await waitFor(() => rx.messages.length >= 5000, 5000, '5000 messages');
    expectSequence(rx.messages, 5000);
    const m = parseSyslog(rx.messages[7]!);
    expect(m.msg).toBe('record 7');
    expect(m.severity).toBe(6);
    await d.close();
  });

  it('holds records while the server restarts and delivers them after reconnecting', async () => {
    const d = dest({ port: rx.port });
    d.write(lines(0, 100));
    await d.flush();
    expect(d.stats().written).toBe(100);
    // "written" is handed to the kernel: the receiver must have read them before it goes.
    await waitFor(() => rx.messages.length === 100, 5000, 'the first 100 messages');
    await rx.stop();
    await waitFor(() => d.stats().errors > 0, 5000, 'the lost connection to be seen');
    d.write(lines(100, 300));
    expect(d.stats().buffered).toBe(200);
    await rx.restart();
    await d.flush();
    expect(d.stats()).toMatchObject({ written: 300, dropped: 0, buffered: 0 });
    await waitFor(() => rx.messages.length >= 300, 5000, '300 messages');
    expectSequence(rx.messages, 300);
    expect(rx.connections).toBe(2);
    expect(stderr.join('')).toMatch(
      /ringlog: syslog:tcp:\/\/127\.0\.0\.1:\d+: lost the connection .*holding \d+ records \[RINGLOG_SYSLOG_CONNECTION\]/,
    );
    await d.close();
  });

  it('buffers up to the bound while no server listens, drops and counts beyond it', async () => {
    const port = await freePort();
    const d = dest({ port, bufferRecords: 50, flushTimeoutMs: 100 });
    d.write(lines(0, 80));
    expect(d.stats()).toMatchObject({ dropped: 30, buffered: 50, written: 0 });
    const t0 = Date.now();
    await d.flush();
    expect(Date.now() - t0).toBeLessThan(1000);
    await waitFor(() => d.stats().errors > 0, 5000, 'a connection error');
    expect(stderr.join('')).toMatch(
      /cannot connect to 127\.0\.0\.1:\d+ .*RINGLOG_SYSLOG_CONNECTION/,
    );
    expect(stderr.join('')).toMatch(
      /30 records dropped: the buffer is full .*RINGLOG_SYSLOG_DROPPED/,
    );
    expect(stderr.join('')).toMatch(
      /flush gave up after flushTimeoutMs=100 with 50 records not yet handed to 127\.0\.0\.1:\d+ \(not connected\); they stay queued \[RINGLOG_FLUSH_TIMEOUT\]/,
    );
    const late = await startTcpReceiver(port);
    try {
      await waitFor(() => d.stats().written === 50, 5000, 'the held records');
      await waitFor(() => late.messages.length === 50, 5000, '50 messages');
      expectSequence(late.messages, 50);
    } finally {
      await d.close();
      await late.stop();
    }
  });

  it('says its state for health(): retrying while not connected, failing once it drops, ok once connected, closed after close()', async () => {
    const port = await freePort();
    const d = dest({ port, bufferRecords: 50, flushTimeoutMs: 100 });
    await waitFor(() => d.stats().errors > 0, 5000, 'a connection error');
    expect(d.state!()).toBe('retrying');
    expect(lastErrorOf(d.name)).toMatchObject({
      code: 'RINGLOG_SYSLOG_CONNECTION',
      errno: 'ECONNREFUSED',
    });
    d.write(lines(0, 80)); // 30 past the bound
    expect(d.state!()).toBe('failing');
    const late = await startTcpReceiver(port);
    try {
      await waitFor(() => d.stats().written === 50, 5000, 'the held records');
      expect(d.state!()).toBe('ok');
    } finally {
      await d.close();
      await late.stop();
    }
    expect(d.state!()).toBe('closed');
  });

  it('bounds held bytes too', async () => {
    const d = dest({ port: await freePort(), bufferBytes: 4096, flushTimeoutMs: 0 });
    d.write(lines(0, 100));
    const s = d.stats();
    expect(s.buffered).toBeGreaterThan(10);
    expect(s.buffered + s.dropped).toBe(100);
    await d.close();
    expect(d.stats().dropped).toBe(100);
  });
});

describe('syslog destination over UDP', () => {
  it('sends one message a datagram and cuts the long ones, counted', async () => {
    const rx = await startUdpReceiver();
    const d = dest({ port: rx.port, protocol: 'udp', maxDatagramBytes: 600 });
    d.write(lines(0, 200));
    d.write(lines(200, 201, { big: 'é'.repeat(1000) }));
    await d.flush();
    await waitFor(() => rx.messages.length >= 201, 5000, '201 datagrams');
    expect(d.stats()).toMatchObject({ written: 201, truncated: 1, dropped: 0 });
    expectSequence(rx.messages.slice(0, 200), 200);
    const cut = rx.messages[200]!;
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(600);
    expect(cut).not.toContain('\ufffd');
    // The field did not fit: STRUCTURED-DATA gave way, the header and MSG stayed well-formed.
    const m = parseSyslog(cut);
    expect(m.sd.size).toBe(0);
    expect(m.msg).toBe('record 200');
    await d.close();
    await rx.stop();
  });
});

describe('syslog through createLogger and the sink worker', () => {
  it('every record logged by a process arrives, with its severity, before it exits', async () => {
    const rx = await startTcpReceiver();
    try {
      const r = await runFixture('syslog-logger.mjs', [
        JSON.stringify({ type: 'syslog', port: rx.port, appName: 'e2e', level: 'debug' }),
        '2000',
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      await waitFor(() => rx.messages.length >= 2002, 5000, '2002 messages');
      const parsed = rx.messages.map(parseSyslog);
      const infos = parsed.filter((m) => m.severity === 6);
      expectSequence(
        infos.map((m) => rx.messages[parsed.indexOf(m)]!),
        2000,
      );
      expect(parsed.filter((m) => m.severity === 7).map((m) => m.msg)).toEqual(['a debug record']);
      expect(parsed.filter((m) => m.severity === 3).map((m) => m.msg)).toEqual(['an error record']);
      expect(parsed.every((m) => m.appName === 'e2e')).toBe(true);
    } finally {
      await rx.stop();
    }
  });

  it('a process whose server is not there exits after the bounded flush and says how many records it held', async () => {
    const port = await freePort();
    const r = await runFixture(
      'syslog-logger.mjs',
      [JSON.stringify({ type: 'syslog', port, flushTimeoutMs: 500 }), '100'],
      undefined,
      { EXIT_TIMING: '1' },
    );
    expect(r.code).toBe(0);
    // Timed inside the process, from its last call to its exit (process start-up, which a
    // loaded machine stretches, is not part of it): the exit waited for the syslog flush's
    // 500 ms, then no longer. Without that bound the sink's own would end it, at half the
    // logger's flushTimeoutMs (2500 ms).
    const exitMs = Number(/^exit after (\d+) ms$/m.exec(r.stdout)?.[1]);
    expect(exitMs).toBeGreaterThanOrEqual(450);
    expect(exitMs).toBeLessThan(2000);
    expect(r.stderr).toMatch(/cannot connect to 127\.0\.0\.1:\d+ .*\[RINGLOG_SYSLOG_CONNECTION\]/);
    expect(r.stderr).toMatch(
      /flush gave up after flushTimeoutMs=500 with 102 records not yet handed to 127\.0\.0\.1:\d+ \(not connected\); the process is ending: they are lost with it \[RINGLOG_FLUSH_TIMEOUT\]/,
    );
  });

  it('rejects a bad syslog option at createLogger()', async () => {
    const r = await runFixture('syslog-logger.mjs', [
      JSON.stringify({ type: 'syslog', protocol: 'sctp' }),
      '0',
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      'RINGLOG_INVALID_OPTION createLogger: "destination.protocol" must be "tcp" or "udp", got "sctp"',
    );
    expect(fixture('syslog-logger.mjs')).toContain('syslog-logger');
  });
});
