import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  createLogger,
  ErrorCodes,
  type LoggerOptions,
  lazy,
  stdSerializers,
} from '../../src/index.js';

/** A capturing logger: its lines stay in memory, no ring, no sink worker. */
function make(options: LoggerOptions = {}) {
  const log = createLogger({ capture: true, base: null, timestamp: false, ...options });
  const raw = (): string[] => [...log.capture!.lines];
  const lines = (): Array<Record<string, any>> => log.capture!.records();
  return { log, lines, raw };
}

describe('serializers', () => {
  it('rewrite top-level fields by key, leaving the caller object untouched', async () => {
    const { log, lines } = make({ serializers: { user: (u) => ({ id: u.id }) } });
    const fields = { user: { id: 7, password: 'hunter2' }, other: 1 };
    log.info(fields, 'signed in');
    expect(await lines()).toEqual([{ level: 30, user: { id: 7 }, other: 1, msg: 'signed in' }]);
    expect(fields.user.password).toBe('hunter2');
  });

  it('apply to child bindings once, and a child adds its own to its parent’s', async () => {
    let calls = 0;
    const { log, lines } = make({
      serializers: {
        user: (u) => {
          calls++;
          return u.name;
        },
      },
    });
    const child = log.child({ user: { name: 'ada' } }, { serializers: { n: (v) => v * 2 } });
    child.info({ n: 2 }, 'a');
    child.info({ n: 3, user: { name: 'bob' } }, 'b');
    log.info({ n: 2 }, 'c');
    expect(await lines()).toEqual([
      { level: 30, user: 'ada', n: 4, msg: 'a' },
      // bindings and fields both hold "user": the line has both, a parser keeps the last
      { level: 30, user: 'bob', n: 6, msg: 'b' },
      { level: 30, n: 2, msg: 'c' },
    ]);
    expect(calls).toBe(2); // once at child(), once for the call that passed a user
  });

  it('can replace the err serializer for errors given as the first argument', async () => {
    const { log, lines } = make({ serializers: { err: (e: Error) => ({ kind: e.name }) } });
    log.error(new TypeError('bad'));
    expect(await lines()).toEqual([{ level: 50, err: { kind: 'TypeError' }, msg: 'bad' }]);
  });

  it('stdSerializers.req and .res write method, url, headers, remote address and status', async () => {
    const { log, lines } = make({ serializers: stdSerializers });
    const server = createServer((req, res) => {
      res.setHeader('x-reply', 'yes');
      res.statusCode = 201;
      log.info({ req, res }, 'handled');
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve, reject) => {
      const rq = request(
        { port, host: '127.0.0.1', path: '/orders?id=1', method: 'POST', headers: { 'x-a': 'b' } },
        (res) => res.resume().on('end', resolve),
      );
      rq.on('error', reject);
      rq.end();
    });
    server.close();
    const [rec] = await lines();
    expect(rec!.req).toMatchObject({
      method: 'POST',
      url: '/orders?id=1',
      remoteAddress: '127.0.0.1',
    });
    expect(rec!.req.headers['x-a']).toBe('b');
    expect(typeof rec!.req.remotePort).toBe('number');
    expect(rec!.res).toEqual({ statusCode: 201, headers: { 'x-reply': 'yes' } });
  });
});

describe('redact', () => {
  it('censors nested paths, array indices and wildcards without touching the caller object', async () => {
    const { log, lines } = make({
      redact: ['password', 'req.headers.authorization', 'users[0].token', 'cards.*.number'],
    });
    const fields = {
      password: 'p',
      req: { headers: { authorization: 'Bearer x', accept: '*/*' } },
      users: [{ token: 't0' }, { token: 't1' }],
      cards: { a: { number: '4242', brand: 'visa' }, b: { number: '5555' } },
    };
    log.info(fields, 'redacted');
    const [rec] = await lines();
    expect(rec).toEqual({
      level: 30,
      password: '[Redacted]',
      req: { headers: { authorization: '[Redacted]', accept: '*/*' } },
      users: [{ token: '[Redacted]' }, { token: 't1' }],
      cards: { a: { number: '[Redacted]', brand: 'visa' }, b: { number: '[Redacted]' } },
      msg: 'redacted',
    });
    expect(fields.password).toBe('p');
    expect(fields.req.headers.authorization).toBe('Bearer x');
  });

  it('removes keys, or censors with a function of the value, and applies to child bindings', async () => {
    const removed = make({ redact: { paths: ['secret', 'a.b'], remove: true } });
    removed.log.child({ secret: 's' }).info({ a: { b: 1, c: 2 } }, 'r');
    expect(await removed.lines()).toEqual([{ level: 30, a: { c: 2 }, msg: 'r' }]);

    const censored = make({
      redact: { paths: ['card'], censor: (v) => `****${String(v).slice(-4)}` },
    });
    censored.log.info({ card: '4111111111111111' }, 'c');
    expect(await censored.lines()).toEqual([{ level: 30, card: '****1111', msg: 'c' }]);
  });

  it('rejects a malformed path with RINGLOG_INVALID_OPTION naming it', () => {
    expect(() => createLogger({ destination: 'stderr', redact: ['a..b['] })).toThrow(
      expect.objectContaining({ code: ErrorCodes.INVALID_OPTION }),
    );
    expect(() => createLogger({ destination: 'stderr', redact: [''] })).toThrow(/redact\.paths/);
  });
});

describe('mixin, formatters, msgPrefix, onChild', () => {
  it('mixin adds fields per call, the call’s own fields win, and it sees the level', async () => {
    let n = 0;
    const { log, lines } = make({ mixin: (_fields, level) => ({ seq: ++n, lvl: level, a: 0 }) });
    log.info('one');
    log.warn({ a: 1 }, 'two');
    expect(await lines()).toEqual([
      { level: 30, seq: 1, lvl: 30, a: 0, msg: 'one' },
      { level: 40, seq: 2, lvl: 40, a: 1, msg: 'two' },
    ]);
  });

  it('formatters.level, .bindings and .log shape the record', async () => {
    const { log, lines } = make({
      base: { pid: 1, hostname: 'h' },
      formatters: {
        level: (label) => ({ severity: label.toUpperCase() }),
        bindings: (b) => ({ host: b.hostname }),
        log: (f) => ({ ...f, formatted: true }),
      },
    });
    log.child({ hostname: 'child-host' }).warn({ x: 1 }, 'w');
    expect(await lines()).toEqual([
      // root bindings give host 'h', the child's give 'child-host' after it: the last wins
      { severity: 'WARN', host: 'child-host', x: 1, formatted: true, msg: 'w' },
    ]);
  });

  it('msgPrefix prefixes every message, a child’s following its parent’s', async () => {
    const { log, lines } = make({ msgPrefix: '[api] ' });
    log.info('up');
    log.child({}, { msgPrefix: '[db] ' }).info('slow query');
    log.info({ x: 1 });
    expect((await lines()).map((l) => l.msg)).toEqual([
      '[api] up',
      '[api] [db] slow query',
      undefined,
    ]);
  });

  it('a child given msgPrefix by a plain parent gets it, the parent stays plain', async () => {
    const { log, lines } = make();
    const child = log.child({ c: 1 }, { msgPrefix: '> ' });
    child.info('x');
    log.info('y');
    expect(await lines()).toEqual([
      { level: 30, c: 1, msg: '> x' },
      { level: 30, msg: 'y' },
    ]);
    expect(child.info).not.toBe(log.info);
  });

  it('onChild sees every child and grandchild', () => {
    const seen: unknown[] = [];
    const { log } = make({ onChild: (c) => seen.push(c) });
    const a = log.child({ a: 1 });
    const b = a.child({ b: 1 });
    expect(seen).toEqual([a, b]);
  });

  it('a logger without hooks keeps the plain methods', () => {
    const plain = make().log;
    const hooked = make({ mixin: () => ({}) }).log;
    expect(plain.info).not.toBe(hooked.info);
    expect(plain.info).toBe(make().log.info);
  });
});

describe('hooks that throw', () => {
  it('never throw into the app: the record is written with hookError', async () => {
    const { log, lines } = make({
      mixin: () => {
        throw new Error('mixin broke');
      },
    });
    expect(() => log.info({ a: 1 }, 'still here')).not.toThrow();
    const [rec] = await lines();
    expect(rec).toMatchObject({ level: 30, a: 1, msg: 'still here' });
    expect(rec!.hookError).toContain('mixin broke');
  });

  it('with redaction configured, the call’s fields are left out rather than risk a leak', async () => {
    const { log, lines } = make({
      redact: ['password'],
      serializers: {
        user: () => {
          throw new Error('nope');
        },
      },
    });
    log.info({ user: 1, password: 'p' }, 'm');
    const [rec] = await lines();
    expect(rec!.password).toBeUndefined();
    expect(rec!.hookError).toContain('nope');
  });

  it('a Proxy whose traps throw, or a throwing trace-id getter, never throws from a call', () => {
    const hostile = new Proxy(
      { a: 1 },
      {
        getPrototypeOf() {
          throw new Error('trap');
        },
      },
    );
    const getter = {
      get traceId(): string {
        throw new Error('no id');
      },
    };
    const plain = make();
    const hooked = make({ msgPrefix: '> ', sampling: { rate: 0.5 } });
    for (const { log } of [plain, hooked]) {
      expect(() => log.info(hostile, 'proxy')).not.toThrow();
      expect(() => log.info(getter, 'getter')).not.toThrow();
      expect(() =>
        log.event('e', { type: 'object', properties: { a: { type: 'integer' } } }).info({
          get a(): number {
            throw new Error('ga');
          },
        }),
      ).not.toThrow();
    }
    // What could be read is written, what threw is marked with its message, the line is whole.
    expect(plain.lines()).toEqual([
      { level: 30, a: 1, msg: 'proxy' },
      { level: 30, traceId: '[Getter threw: no id]', msg: 'getter' },
      { level: 30, event: 'e', a: '[Getter threw: ga]', schemaError: 'ga' },
    ]);
    // With hooks the record also says which hook stage failed; a throwing trace id counts as
    // no trace id, so the sampler keeps the first record of that message.
    expect(hooked.lines()).toEqual([
      {
        level: 30,
        a: 1,
        hookError: 'a serializer, mixin or formatter threw: trap',
        msg: '> proxy',
      },
      {
        level: 30,
        traceId: '[Getter threw: no id]',
        hookError: 'a serializer, mixin or formatter threw: no id',
        msg: '> getter',
      },
      { level: 30, event: 'e', fields: { a: '[Getter threw: ga]' } },
    ]);
  });

  it('rejects hooks of the wrong type with RINGLOG_INVALID_OPTION', () => {
    expect(() => createLogger({ mixin: 'x' as never })).toThrow(/"mixin" must be a function/);
    expect(() => createLogger({ serializers: { a: 1 as never } })).toThrow(
      /"serializers\.a" must be a function/,
    );
    expect(() => createLogger({ msgPrefix: 3 as never })).toThrow(/"msgPrefix" must be a string/);
  });
});

describe('lazy fields', () => {
  it('are computed before serializers and redaction see them', async () => {
    const { log, lines } = make({
      redact: ['user.password'],
      serializers: { req: (r: { url: string }) => ({ url: r.url }) },
    });
    log.info(
      {
        user: lazy(() => ({ name: 'ada', password: 'hunter2' })),
        req: lazy(() => ({ url: '/x', headers: { cookie: 'c' } })),
      },
      'm',
    );
    const [raw] = await lines();
    expect(raw).toEqual({
      level: 30,
      user: { name: 'ada', password: '[Redacted]' },
      req: { url: '/x' },
      msg: 'm',
    });
  });

  it('run only when the level is enabled', async () => {
    let runs = 0;
    const { log, lines } = make({ level: 'info' });
    const dump = lazy(() => {
      runs++;
      return { big: true };
    });
    log.debug({ dump }, 'skipped');
    expect(runs).toBe(0);
    log.info({ dump, list: [lazy(() => 1)], nested: { v: lazy(() => 'n') } }, 'kept');
    expect(runs).toBe(1);
    expect(await lines()).toEqual([
      { level: 30, dump: { big: true }, list: [1], nested: { v: 'n' }, msg: 'kept' },
    ]);
  });

  it('write the error in place of the value when they throw', async () => {
    const { log, lines } = make();
    log.info(
      {
        a: lazy(() => {
          throw new RangeError('too far');
        }),
        b: lazy(() => {
          throw 'plain';
        }),
        c: 1,
      },
      'm',
    );
    const [rec] = await lines();
    expect(rec!.a).toMatchObject({ type: 'RangeError', message: 'too far' });
    expect(rec!.b).toBe('[lazy value threw: plain]');
    expect(rec!.c).toBe(1);
  });

  it('leave ordinary functions omitted, as pino does', async () => {
    const { log, lines } = make();
    log.info({ f: () => 1, g: 2 }, 'm');
    expect(await lines()).toEqual([{ level: 30, g: 2, msg: 'm' }]);
  });
});
