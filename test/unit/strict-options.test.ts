/**
 * Every options object refuses keys it does not know, naming the nearest valid one; pino's
 * names are either taken with the same meaning (enabled, transport, process.stdout as a
 * destination) or refused with ringlog's equivalent.
 */
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveOptions } from '../../src/config/options.js';
import { PRESET_NAMES, resolvePresetOptions } from '../../src/config/presets.js';
import { distance, nearest } from '../../src/config/validate.js';
import { createLogger, ErrorCodes, type Logger, setup } from '../../src/index.js';
import { DEFAULT_LEVELS } from '../../src/logger/levels.js';
import { quoteString, serializeFields } from '../../src/logger/serialize.js';

const resolve = (o: Record<string, unknown>) =>
  resolveOptions(o, serializeFields, (s) => quoteString(s));

/** The RINGLOG_INVALID_OPTION message `run` throws; fails the test if it throws nothing. */
function invalid(run: () => unknown): string {
  let caught: unknown;
  try {
    const made = run();
    // Something the starting code accepted: close what it made before failing.
    if (made !== null && typeof made === 'object' && 'close' in made) void (made as Logger).close();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected RINGLOG_INVALID_OPTION, nothing was thrown').toBeInstanceOf(Error);
  expect((caught as { code?: string }).code).toBe(ErrorCodes.INVALID_OPTION);
  return (caught as Error).message;
}

let dir: string;
const open: Logger[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ringlog-strict-'));
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe('misspelt options are refused with the nearest valid key', () => {
  it('at the top level', () => {
    expect(invalid(() => createLogger({ levle: 'debug' } as never))).toBe(
      'createLogger: "levle" is not an option of createLogger (got "debug"); did you mean "level"?',
    );
    expect(invalid(() => createLogger({ messagekey: 'm' } as never))).toContain(
      'did you mean "messageKey"?',
    );
    expect(invalid(() => createLogger({ zzz: 1 } as never))).toMatch(
      /"zzz" is not an option of createLogger \(got 1\); the options are "level", .*"destination"/,
    );
  });

  it('in every destination kind', () => {
    const file = join(dir, 'a.log');
    expect(
      invalid(() => createLogger({ destination: { type: 'pretty', colourize: false } } as never)),
    ).toBe(
      'createLogger: "destination.colourize" is not an option of type "pretty" (got false); did you mean "colorize"?',
    );
    expect(
      invalid(() => createLogger({ destination: { type: 'stderr', levl: 'warn' } } as never)),
    ).toBe(
      'createLogger: "destination.levl" is not an option of type "stdout" or "stderr" (got "warn"); did you mean "level"?',
    );
    expect(
      invalid(() =>
        createLogger({ destination: [{ type: 'file', path: file, rotat: 'daily' }] } as never),
      ),
    ).toBe(
      'createLogger: "destination[0].rotat" is not an option of type "file" (got "daily"); did you mean "rotate"?',
    );
    expect(
      invalid(() =>
        createLogger({ destination: { type: 'module', module: './m.js', option: {} } } as never),
      ),
    ).toContain(
      '"destination.option" is not an option of type "module" (got an object); did you mean "options"?',
    );
    expect(
      invalid(() =>
        createLogger({
          destination: { type: 'pino-transport', target: 'x', level: 'info', opts: {} },
        } as never),
      ),
    ).toContain('"destination.opts" is not an option of type "pino-transport"');
  });

  it('in nested objects: rotate, sampling, flightRecorder, redact, formatters, retry', () => {
    const file = join(dir, 'a.log');
    expect(
      invalid(() =>
        createLogger({
          destination: {
            type: 'file',
            path: file,
            rotate: { size: '1m', interval: 'daily', keep: 3 },
          },
        } as never),
      ),
    ).toContain('"destination.rotate.keep" is not an option of rotate (got 3)');
    expect(invalid(() => createLogger({ capture: true, sampling: { rat: 0.5 } } as never))).toBe(
      'createLogger: "sampling.rat" is not an option of sampling (got 0.5); did you mean "rate"?',
    );
    expect(
      invalid(() =>
        createLogger({
          capture: true,
          sampling: { adaptive: { perWindow: 5, window: 100 } },
        } as never),
      ),
    ).toContain('"sampling.adaptive.window" is not an option of sampling.adaptive');
    expect(
      invalid(() => createLogger({ capture: true, flightRecorder: { sise: 10 } } as never)),
    ).toContain(
      '"flightRecorder.sise" is not an option of flightRecorder (got 10); did you mean "size"?',
    );
    expect(
      invalid(() => createLogger({ capture: true, redact: { path: ['a'] } } as never)),
    ).toContain('"redact.path" is not an option of redact (got an array); did you mean "paths"?');
    expect(
      invalid(() => createLogger({ capture: true, formatters: { levels: () => ({}) } } as never)),
    ).toContain(
      '"formatters.levels" is not an option of formatters (got a function); did you mean "level"?',
    );
    expect(
      invalid(() =>
        createLogger({
          destination: { type: 'http', url: 'http://127.0.0.1:9/', retry: { baseDelay: 5 } },
        } as never),
      ),
    ).toContain(
      '"destination.retry.baseDelay" is not an option of retry (got 5); did you mean "baseDelayMs"?',
    );
  });

  it("in child()'s options", () => {
    const log = createLogger({ capture: true });
    expect(invalid(() => log.child({}, { levle: 'debug' } as never))).toBe(
      'logger.child: "options.levle" is not an option of child() (got "debug"); did you mean "level"?',
    );
    expect(invalid(() => log.child({}, { customLevels: {} } as never))).toContain(
      'custom levels are given to createLogger()',
    );
    expect(log.child({ a: 1 }, { level: 'warn', msgPrefix: 'x ' }).level).toBe('warn');
  });

  it('passes over child() option keys set to undefined, as Fastify hands them', () => {
    const log = createLogger({ capture: true });
    const opts = { logger: undefined, genReqId: undefined, level: 'warn' };
    const child = log.child({ a: 1 }, opts as never);
    child.warn('w');
    expect(child.level).toBe('warn');
    expect(log.capture!.records()).toEqual([expect.objectContaining({ a: 1, msg: 'w' })]);
    // A key with a value is still refused.
    expect(invalid(() => log.child({}, { logger: {} } as never))).toContain('"options.logger"');
  });

  it('through presets and setup(), environment included', () => {
    expect(invalid(() => createLogger({ preset: 'test', levle: 'debug' } as never))).toContain(
      'did you mean "level"?',
    );
    expect(invalid(() => setup('test', { levle: 'debug' } as never))).toContain(
      'did you mean "level"?',
    );
    // Every preset, and what the environment adds to it, passes the strict checks.
    const env = { LOG_LEVEL: 'debug', LOG_DESTINATION: 'https://logs.example.com/ingest' };
    for (const preset of PRESET_NAMES) {
      expect(() => resolve(resolvePresetOptions({ preset }, {}))).not.toThrow();
      expect(() => resolve(resolvePresetOptions({ preset }, env))).not.toThrow();
    }
    expect(() =>
      resolve(resolvePresetOptions({ preset: 'development' }, { LOG_FORMAT: 'json' })),
    ).not.toThrow();
  });

  it('nearest() takes the closest key within distance 2, case aside, and no far one', () => {
    expect(nearest('levle', ['level', 'levels'])).toBe('level');
    expect(nearest('LEVEL', ['level'])).toBe('level');
    expect(nearest('colour', ['color', 'colorize'])).toBe('color');
    expect(nearest('xyz', ['utc', 'url'])).toBeUndefined();
    expect(nearest('ab', ['xy'])).toBeUndefined();
    expect(nearest('batchSize', ['batchBytes', 'batchRecords'])).toBeUndefined();
    expect(distance('ab', 'ba')).toBe(1);
    expect(distance('kitten', 'sitting')).toBe(3);
  });
});

describe("a destination's type", () => {
  it('names the bad value and lists the kinds', () => {
    expect(invalid(() => createLogger({ destination: { type: 'console' } } as never))).toBe(
      'createLogger: "destination.type" must be one of "stdout", "stderr", "file", "module", "syslog", "pretty", "pino-transport", "http", got "console"',
    );
  });
});

describe("pino's options", () => {
  it('enabled: false logs nothing', () => {
    const log = createLogger({ capture: true, enabled: false, level: 'trace' } as never);
    log.fatal('not written');
    log.info('not written');
    expect(log.level).toBe('silent');
    expect(log.capture!.records()).toEqual([]);
    const on = createLogger({ capture: true, enabled: true } as never);
    on.info('written');
    expect(on.capture!.records().map((r) => r.msg)).toEqual(['written']);
    expect(invalid(() => createLogger({ capture: true, enabled: 'no' } as never))).toBe(
      'createLogger: "enabled" must be true or false, got "no"',
    );
  });

  it('transport: { target, options, level } becomes a pino-transport destination', () => {
    const { destinations } = resolve({
      transport: { target: 'pino-pretty', options: { colorize: false }, level: 'warn' },
    });
    expect(destinations).toMatchObject([
      {
        kind: 'pino-transport',
        name: 'pino-transport:pino-pretty',
        target: 'pino-pretty',
        options: { colorize: false },
        minLevel: 40,
      },
    ]);
  });

  it('transport: { targets } becomes one destination each, pino/file our own file or stdout', () => {
    const file = join(dir, 'p.log');
    const { destinations } = resolve({
      transport: {
        targets: [
          { target: 'pino-pretty', level: 'error' },
          { target: 'pino/file', options: { destination: file, mkdir: true }, level: 'info' },
          { target: 'pino/file' },
          { target: 'pino/file', options: { destination: 2 } },
          { target: 'pino/file', options: { destination: file, sync: true } },
        ],
      },
    });
    expect(destinations).toMatchObject([
      { kind: 'pino-transport', target: 'pino-pretty', minLevel: 50 },
      { kind: 'file', path: file, mkdir: true, minLevel: 30 },
      { kind: 'fd', fd: 1, minLevel: 0 },
      { kind: 'fd', fd: 2, minLevel: 0 },
      // An option our file destination does not take: pino's own transport runs it.
      { kind: 'pino-transport', target: 'pino/file', options: { destination: file, sync: true } },
    ]);
  });

  it('transport writes through the sink: pino/file targets and a real transport', async () => {
    const file = join(dir, 'via-pino-file.log');
    const out = join(dir, 'via-transport.txt');
    const log = createLogger({
      transport: {
        targets: [
          { target: 'pino/file', options: { destination: file } },
          {
            target: new URL('../fixtures/destinations/config-transport.mjs', import.meta.url)
              .pathname,
            options: { path: out },
            level: 'warn',
          },
        ],
      },
    } as never);
    open.push(log);
    for (let i = 0; i < 5; i++) log.info({ i }, 'info');
    log.warn('careful');
    await log.close();
    const records = readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: number; i?: number; msg: string });
    expect(records.map((r) => r.msg)).toEqual(['info', 'info', 'info', 'info', 'info', 'careful']);
    expect(records.slice(0, 5).map((r) => r.i)).toEqual([0, 1, 2, 3, 4]);
    expect(readFileSync(out, 'utf8')).toBe('warn|careful|-\n');
  });

  it('transport is refused beside destination, and its unknown keys are named', () => {
    expect(
      invalid(() => resolve({ destination: 'stderr', transport: { target: 'pino-pretty' } })),
    ).toContain('"transport" must be absent when "destination" is given');
    expect(invalid(() => resolve({ transport: { target: 'pino-pretty', optoins: {} } }))).toBe(
      'createLogger: "transport.optoins" is not an option of transport (got an object); did you mean "options"?',
    );
    expect(invalid(() => resolve({ transport: { pipeline: [{ target: 'a' }] } }))).toContain(
      '"transport.pipeline" is not supported',
    );
    expect(
      invalid(() => resolve({ transport: { targets: [{ target: 'a', dedupe: true }] } })),
    ).toContain('there is no dedupe');
    expect(invalid(() => resolve({ transport: { targets: [] } }))).toContain(
      '"transport.targets" must be an array of at least 1',
    );
  });

  it('process.stdout and process.stderr are their descriptors', () => {
    const { destinations } = resolve({
      destination: [process.stdout, process.stderr, { type: 'file', path: join(dir, 'x.log') }],
    });
    expect(destinations).toMatchObject([
      { kind: 'fd', fd: 1, name: 'stdout' },
      { kind: 'fd', fd: 2, name: 'stderr' },
      { kind: 'file' },
    ]);
    expect(resolve({ destination: process.stdout }).destinations).toMatchObject([
      { kind: 'fd', fd: 1 },
    ]);
  });

  it('other streams are refused with what to pass instead', async () => {
    const path = join(dir, 'w.log');
    const ws = createWriteStream(path);
    await once(ws, 'open');
    try {
      expect(invalid(() => resolve({ destination: ws }))).toBe(
        `createLogger: "destination" must be "stdout", "stderr", a path, a file descriptor or destination options, got a stream: ringlog writes from its sink worker, never from the application thread, so pass its file as a path (destination: ${JSON.stringify(path)})`,
      );
    } finally {
      ws.destroy();
    }
    const w = new Writable({ write: (_c, _e, cb) => cb() });
    expect(invalid(() => resolve({ destination: [w] }))).toContain(
      'pass a path, a file descriptor, or a destination module that runs in the sink ({ type: "module", module })',
    );
  });

  it('names with a ringlog equivalent say it; names without one say why', () => {
    expect(invalid(() => createLogger({ capture: true, depthLimit: 5 } as never))).toBe(
      'createLogger: "depthLimit" is not an option of createLogger: ringlog\'s is "maxDepth" (got 5)',
    );
    expect(invalid(() => createLogger({ capture: true, edgeLimit: 5 } as never))).toContain(
      'ringlog\'s is "maxBreadth"',
    );
    expect(invalid(() => createLogger({ capture: true, crlf: true } as never))).toContain(
      'every line ends with "\\n"',
    );
    expect(invalid(() => createLogger({ capture: true, prettyPrint: true } as never))).toContain(
      'use destination: { type: "pretty" }',
    );
  });
});

describe('custom level names', () => {
  it('may not be any member of the Logger', () => {
    const log = createLogger({ capture: true });
    const members = new Set<string>();
    for (let p: object | null = log; p !== null; p = Object.getPrototypeOf(p))
      for (const k of Object.getOwnPropertyNames(p)) members.add(k);
    // The level methods are the levels themselves.
    for (const level of Object.keys(DEFAULT_LEVELS)) members.delete(level);
    for (const name of ['reopen', 'event', 'flushFlightRecorder', 'capture', 'child', 'level'])
      expect(members.has(name)).toBe(true);
    for (const name of members) {
      const message = invalid(() => createLogger({ capture: true, customLevels: { [name]: 35 } }));
      expect(message).toContain(`"customLevels"`);
      expect(message).toContain(JSON.stringify(name));
    }
    expect(invalid(() => createLogger({ capture: true, customLevels: { reopen: 35 } }))).toBe(
      'createLogger: "customLevels" must be names that are not already a Logger member (a level "reopen" would replace logger.reopen), got "reopen"',
    );
    const ok = createLogger({ capture: true, level: 'notice', customLevels: { notice: 35 } });
    (ok as unknown as { notice: (m: string) => void }).notice('n');
    expect(ok.capture!.records()).toMatchObject([{ level: 35, msg: 'n' }]);
  });
});

describe("a kind's own counters reach metrics()", () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.close();
    server = undefined;
  });

  it('HTTP reports sent; syslog over UDP reports truncated; neither the other', async () => {
    let received = 0;
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (d: string) => {
        body += d;
      });
      req.on('end', () => {
        for (const line of body.trimEnd().split('\n')) {
          JSON.parse(line);
          received++;
        }
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const udp = createSocket('udp4');
    const datagrams: Buffer[] = [];
    udp.on('message', (m) => datagrams.push(m));
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    try {
      const log = createLogger({
        destination: [
          { type: 'http', url: `http://127.0.0.1:${port}/ingest`, compression: 'none' },
          {
            type: 'syslog',
            protocol: 'udp',
            host: '127.0.0.1',
            port: udp.address().port,
            maxDatagramBytes: 480,
          },
        ],
      });
      open.push(log);
      for (let i = 0; i < 10; i++) log.info({ i, pad: 'x'.repeat(i === 3 ? 1000 : 10) }, 'r');
      await log.flush();
      const [http, syslog] = log.metrics().destinations;
      expect(received).toBe(10);
      expect(http).toMatchObject({ written: 10, sent: 10, retried: 0, rejected: 0 });
      expect(http).not.toHaveProperty('truncated');
      expect(syslog).toMatchObject({ written: 10, truncated: 1 });
      expect(syslog).not.toHaveProperty('sent');
      expect(datagrams.length).toBeGreaterThan(0);
    } finally {
      udp.close();
    }
  });
});
