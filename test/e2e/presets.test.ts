import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/index.js';
import { runFixture } from './helpers.js';

describe('presets in a real process', () => {
  it('development: pretty text on stdout, debug included, no colours under NO_COLOR', async () => {
    const r = await runFixture('preset-run.mjs', ['development'], undefined, { NO_COLOR: '1' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('hello preset');
    expect(r.stdout).toContain('a debug record');
    expect(r.stdout).not.toContain('{"level"');
    expect(r.stdout).not.toContain('\x1b[');
  });

  it('production: JSON, info and above, to stdout when LOG_DESTINATION says so', async () => {
    const r = await runFixture('preset-run.mjs', ['production'], undefined, {
      LOG_DESTINATION: 'stdout',
    });
    expect(r.code).toBe(0);
    const lines = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 30, a: 1, msg: 'hello preset' });
  });

  it('LOG_FORMAT=json turns development into JSON; LOG_LEVEL=warn leaves nothing', async () => {
    const json = await runFixture('preset-run.mjs', ['development'], undefined, {
      LOG_FORMAT: 'json',
    });
    expect(
      json.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).msg),
    ).toEqual(['hello preset', 'a debug record']);
    const quiet = await runFixture('preset-run.mjs', ['production'], undefined, {
      LOG_DESTINATION: 'stdout',
      LOG_LEVEL: 'warn',
    });
    expect(quiet.stdout).toBe('');
  });

  it('a bad variable stops start-up with its name, value and what is allowed', async () => {
    const r = await runFixture('preset-run.mjs', ['production'], undefined, { LOG_LEVEL: 'loud' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('RINGLOG_INVALID_ENV');
    expect(r.stderr).toContain('LOG_LEVEL="loud" is not allowed; use one of trace, debug');
  });
});

describe('LOG_DESTINATION with a URL', () => {
  it('ships NDJSON over HTTP to it', async () => {
    const bodies: string[] = [];
    const server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => {
        const raw = Buffer.concat(parts);
        // Batches above a size are gzipped by default.
        const gz = req.headers['content-encoding'] === 'gzip';
        bodies.push((gz ? gunzipSync(raw) : raw).toString('utf8'));
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    process.env.LOG_DESTINATION = `http://127.0.0.1:${port}/ingest`;
    try {
      const log = createLogger({ preset: 'production', base: null });
      for (let i = 0; i < 50; i++) log.info({ i }, 'shipped');
      await log.flush();
      await log.close();
      const ids = bodies
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).i);
      expect(ids).toEqual(Array.from({ length: 50 }, (_, i) => i));
    } finally {
      delete process.env.LOG_DESTINATION;
      server.close();
    }
  });
});
