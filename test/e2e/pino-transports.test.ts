import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { readRecords, runFixture, tempFile, waitFor } from './helpers.js';

const N = 10_000;

describe('published pino transports run unmodified in the sink', () => {
  it("pino's own pino/file writes every record, and pino-pretty (to a file) formats every one", async () => {
    const raw = tempFile('pino-file.log');
    const pretty = tempFile('pino-pretty.log');
    const r = await runFixture('destinations-run.mjs', [
      JSON.stringify([
        { type: 'pino-transport', target: 'pino/file', options: { destination: raw } },
        {
          type: 'pino-transport',
          target: 'pino-pretty',
          options: { destination: pretty, colorize: false },
          level: 'warn',
        },
      ]),
      String(N),
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const records = readRecords(raw);
    expect(records.map((x) => x.i)).toEqual(Array.from({ length: N }, (_, i) => i));
    // pino-pretty got the warn records (every 10th) and wrote one header line for each.
    const headers = readFileSync(pretty, 'utf8')
      .split('\n')
      .filter((l) => /^\[\d\d:\d\d:\d\d\.\d{3}\] WARN \(\d+\): record$/.test(l));
    expect(headers).toHaveLength(N / 10);
    const m = JSON.parse(r.stdout);
    expect(m.destinations).toEqual([
      { name: 'pino-transport:pino/file', written: N, dropped: 0, errors: 0, buffered: 0 },
      { name: 'pino-transport:pino-pretty', written: N / 10, dropped: 0, errors: 0, buffered: 0 },
    ]);
  });

  it('pino-socket (a published transport that writes to a TCP socket) delivers every record', async () => {
    let received = '';
    const server = createServer((socket) => {
      socket.setEncoding('utf8').on('data', (d: string) => {
        received += d;
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const r = await runFixture('destinations-run.mjs', [
        JSON.stringify([
          {
            type: 'pino-transport',
            target: 'pino-socket',
            options: { address: '127.0.0.1', port, mode: 'tcp' },
          },
        ]),
        String(N),
      ]);
      expect(r.code).toBe(0);
      // The socket's bytes may still be on their way when the process has ended.
      await waitFor(
        () => received.split('\n').filter(Boolean).length >= N,
        5_000,
        `${N} lines at the socket server`,
      );
      const ids = received
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).i);
      expect(ids).toEqual(Array.from({ length: N }, (_, i) => i));
      expect(JSON.parse(r.stdout).destinations[0]).toMatchObject({ written: N, dropped: 0 });
    } finally {
      server.close();
    }
  });

  it("a transport built with expectPinoConfig gets pino's config: levels, messageKey, errorKey", async () => {
    const out = tempFile('config.log');
    const r = await runFixture('config-transport-run.mjs', [out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(readFileSync(out, 'utf8')).toBe('info|one|-\nnotice|two|-\nerror|three|boom\n');
  });

  it('a transport that cannot be found is reported with its code and stands aside', async () => {
    const file = tempFile('all.log');
    const r = await runFixture('destinations-run.mjs', [
      JSON.stringify([
        { type: 'file', path: file },
        { type: 'stderr', level: 'fatal' },
        { type: 'pino-transport', target: 'pino-no-such-transport' },
      ]),
      '100',
    ]);
    expect(readRecords(file)).toHaveLength(100);
    expect(r.stderr).toMatch(
      /^ringlog: pino-transport:pino-no-such-transport: could not be created: pino transport "pino-no-such-transport" could not be loaded: .*\[RINGLOG_DESTINATION_UNAVAILABLE\]$/m,
    );
    const m = JSON.parse(r.stdout);
    expect(m.destinations[2]).toMatchObject({ written: 0, dropped: 100, errors: 1 });
  });

  it.each(['return', 'exit', 'throw'])(
    'everything reaches the transports when the process ends by %s, without close()',
    async (how) => {
      const raw = tempFile('raw.log');
      const pretty = tempFile('pretty.log');
      const r = await runFixture('transport-exit.mjs', [how, raw, pretty, '3000']);
      expect(r.code).toBe(how === 'throw' ? 1 : 0);
      const records = readRecords(raw).filter((x) => x.msg === 'record');
      expect(records.map((x) => x.i)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
      const headers = readFileSync(pretty, 'utf8')
        .split('\n')
        .filter((l) => / INFO \(\d+\): record$/.test(l));
      expect(headers).toHaveLength(3000);
    },
  );
});
