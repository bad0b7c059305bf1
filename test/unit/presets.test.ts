import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { presetOptions, resolvePresetOptions } from '../../src/config/presets.js';
import * as ringlog from '../../src/index.js';
import { createLogger, ErrorCodes, getLogger, setup } from '../../src/index.js';

describe('preset < environment < explicit options', () => {
  it('takes the preset, then LOG_*, then the options', () => {
    expect(resolvePresetOptions({ preset: 'production' }, {}).level).toBe('info');
    expect(resolvePresetOptions({ preset: 'production' }, { LOG_LEVEL: 'error' }).level).toBe(
      'error',
    );
    expect(
      resolvePresetOptions({ preset: 'production', level: 'debug' }, { LOG_LEVEL: 'error' }).level,
    ).toBe('debug');
    expect(resolvePresetOptions({ preset: 'production' }, { LOG_LEVEL: '25' }).level).toBe(25);
  });

  it('lets LOG_PRESET choose the preset', () => {
    const o = resolvePresetOptions({ preset: 'production' }, { LOG_PRESET: 'high-throughput' });
    expect(o).toMatchObject({ level: 'warn', onFull: 'drop', ringBytes: 8 << 20 });
  });

  it('reads LOG_DESTINATION and LOG_FORMAT', () => {
    const p = (env: NodeJS.ProcessEnv, preset = 'production' as const) =>
      resolvePresetOptions({ preset }, env).destination;
    expect(p({})).toBe('stderr');
    expect(p({ LOG_DESTINATION: 'stdout' })).toBe('stdout');
    expect(p({ LOG_DESTINATION: '/var/log/app.log' })).toBe('/var/log/app.log');
    expect(p({ LOG_DESTINATION: 'https://logs.example.com/ingest' })).toEqual({
      type: 'http',
      url: 'https://logs.example.com/ingest',
      encoding: 'ndjson',
    });
    expect(p({ LOG_FORMAT: 'pretty' })).toEqual({ type: 'pretty', destination: 'stdout' });
    expect(p({ LOG_FORMAT: 'pretty', LOG_DESTINATION: 'stderr' })).toEqual({
      type: 'pretty',
      destination: 'stderr',
    });
    expect(p({}, 'development')).toEqual({ type: 'pretty', destination: 'stdout' });
    expect(p({ LOG_FORMAT: 'json' }, 'development')).toBe('stdout');
  });

  it('stops start-up on a bad value, naming the variable, the value and what is allowed', () => {
    const bad: Array<[NodeJS.ProcessEnv, RegExp]> = [
      [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL="loud" is not allowed; use one of trace, debug, info/],
      [{ LOG_FORMAT: 'xml' }, /LOG_FORMAT="xml" is not allowed; use "json" or "pretty"/],
      [{ LOG_DESTINATION: 'ftp://host/x' }, /LOG_DESTINATION="ftp:\/\/host\/x" is not allowed/],
      [{ LOG_PRESET: 'staging' }, /LOG_PRESET="staging" is not allowed; use one of "development"/],
      [
        { LOG_FORMAT: 'pretty', LOG_DESTINATION: './app.log' },
        /pretty output goes to stdout or stderr only/,
      ],
    ];
    for (const [env, message] of bad) {
      expect(() => resolvePresetOptions({ preset: 'production' }, env)).toThrow(message);
      expect(() => resolvePresetOptions({ preset: 'production' }, env)).toThrow(
        expect.objectContaining({ code: ErrorCodes.INVALID_ENV }),
      );
    }
    expect(() => createLogger({ preset: 'staging' as never })).toThrow(
      expect.objectContaining({ code: ErrorCodes.INVALID_OPTION }),
    );
  });

  it('never prints the credentials of a LOG_DESTINATION URL it refuses', () => {
    const envs: NodeJS.ProcessEnv[] = [
      { LOG_DESTINATION: 'ftp://admin:hunter2@files.example/x?token=t0ps3cret' },
      {
        LOG_DESTINATION: 'https://admin:hunter2@logs.example/?token=t0ps3cret',
        LOG_FORMAT: 'pretty',
      },
    ];
    for (const env of envs) {
      let message = '';
      try {
        resolvePresetOptions({ preset: 'production' }, env);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/LOG_DESTINATION/);
      expect(message).toMatch(/logs\.example|files\.example/);
      expect(message).not.toMatch(/hunter2|t0ps3cret|admin/);
    }
  });
});

describe('the presets', () => {
  it('production redacts common secrets at the top level and under req.headers', () => {
    const log = createLogger({ preset: 'production', capture: true, base: null });
    log.info(
      {
        password: 'p',
        token: 't',
        apiKey: 'k',
        keep: 'visible',
        req: {
          method: 'GET',
          url: '/',
          headers: { authorization: 'Bearer x', cookie: 'c', 'set-cookie': 's', accept: '*/*' },
        },
      },
      'request',
    );
    log.debug('below info');
    const [rec, ...rest] = log.capture!.lines;
    expect(rest).toEqual([]);
    const r = JSON.parse(rec!);
    expect(r).toMatchObject({ password: '[Redacted]', token: '[Redacted]', apiKey: '[Redacted]' });
    expect(r.keep).toBe('visible');
    expect(r.req.headers).toEqual({
      authorization: '[Redacted]',
      cookie: '[Redacted]',
      'set-cookie': '[Redacted]',
      accept: '*/*',
    });
    expect(rec).not.toContain('Bearer x');
  });

  it('test is silent by default and captures in memory when asked', () => {
    const quiet = setup('test');
    quiet.error('nothing');
    expect(quiet.capture?.lines).toEqual([]);
    const log = setup('test', { level: 'debug' });
    log.info({ userId: 7 }, 'signed in');
    log.child({ reqId: 'r' }).debug('detail');
    expect(log.capture!.find({ level: 'info', msg: 'signed in' })).toMatchObject({ userId: 7 });
    expect(log.capture!.filter({ reqId: 'r' })).toHaveLength(1);
    expect(log.metrics()).toMatchObject({ enqueued: 2, written: 2 });
    log.capture!.clear();
    expect(log.capture!.records()).toEqual([]);
  });

  it('setup() makes the default logger, reachable through getLogger() and the logger export', () => {
    const log = setup('test', { level: 'info' });
    expect(getLogger()).toBe(log);
    expect(ringlog.logger).toBe(log);
  });

  it('every preset has the values docs/presets.md lists', () => {
    const doc = readFileSync(new URL('../../docs/presets.md', import.meta.url), 'utf8');
    for (const name of ['development', 'production', 'test', 'high-throughput'] as const) {
      const o = presetOptions(name);
      expect(doc).toContain(`| \`${name}\``);
      expect(doc).toContain(`\`${String(o.level)}\``);
    }
  });
});
