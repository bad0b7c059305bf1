import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { addContext, bindContext, createLogger, getContext, withContext } from '../../src/index.js';

const capturing = (opts: Record<string, unknown> = {}) => {
  const log = createLogger({ capture: true, ...opts });
  return {
    log,
    lines: () => log.capture!.lines.map((l) => l),
    records: () => log.capture!.records(),
  };
};

describe('request context', () => {
  it('every logger writes the context fields of the call it runs in', () => {
    const a = capturing();
    // `base` replaces pid and hostname, as in pino.
    const b = capturing({ base: { svc: 'b' } });
    withContext({ reqId: 'r1', userId: 7 }, () => {
      a.log.info('one');
      b.log.child({ mod: 'db' }).warn({ q: 1 }, 'two');
    });
    a.log.info('outside');
    const [one, outside] = a.records();
    expect(one).toMatchObject({ reqId: 'r1', userId: 7, msg: 'one' });
    expect(outside).not.toHaveProperty('reqId');
    // Key order: bindings, then the context, then the call's fields, then msg.
    const keys = Object.keys(b.records()[0]!);
    expect(keys).toEqual(['level', 'time', 'svc', 'mod', 'reqId', 'userId', 'q', 'msg']);
    expect(b.lines()[0]).toContain('"mod":"db","reqId":"r1","userId":7,"q":1,"msg":"two"');
  });

  it("a key the logger already binds is written once, with the binding's value", () => {
    const { log, lines } = capturing();
    withContext({ reqId: 'ctx', userId: 1 }, () => {
      log.child({ reqId: 'bound' }).info('child');
      log.info('root');
    });
    const [child, root] = lines();
    expect(child!.match(/"reqId"/g)).toHaveLength(1);
    expect(JSON.parse(child!)).toMatchObject({ reqId: 'bound', userId: 1 });
    expect(JSON.parse(root!)).toMatchObject({ reqId: 'ctx', userId: 1 });
  });

  it('nesting adds fields; a key given again takes the inner value', () => {
    const { log, records } = capturing();
    withContext({ reqId: 'r1', step: 'outer' }, () => {
      withContext({ step: 'inner', extra: true }, () => log.info('in'));
      log.info('out');
    });
    const [inner, outer] = records();
    expect(inner).toMatchObject({ reqId: 'r1', step: 'inner', extra: true });
    expect(outer).toMatchObject({ reqId: 'r1', step: 'outer' });
    expect(outer).not.toHaveProperty('extra');
  });

  it('follows await, timers, promises and an emitter that emits inside the context', async () => {
    const { log, records } = capturing();
    const emitter = new EventEmitter();
    emitter.on('go', () => log.info('listener'));
    await withContext({ reqId: 'async' }, async () => {
      await sleep(5);
      log.info('after await');
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          log.info('timer');
          resolve();
        }, 1),
      );
      await Promise.resolve().then(() => log.info('then'));
      emitter.emit('go');
    });
    const recs = records();
    expect(recs.map((r) => r.msg)).toEqual(['after await', 'timer', 'then', 'listener']);
    for (const r of recs) expect(r.reqId).toBe('async');
  });

  it('a listener runs in the context of the emit, not of the on(): documented limit', () => {
    const { log, records } = capturing();
    const emitter = new EventEmitter();
    withContext({ reqId: 'registered-here' }, () => {
      emitter.on('go', () => log.info('listener'));
    });
    emitter.emit('go');
    expect(records()[0]).not.toHaveProperty('reqId');
  });

  it('addContext adds to the current context; outside one it returns false', () => {
    const { log, records } = capturing();
    expect(addContext({ x: 1 })).toBe(false);
    withContext({ reqId: 'r' }, () => {
      log.info('before');
      expect(addContext({ userId: 9 })).toBe(true);
      log.info('after');
      expect(getContext()).toEqual({ reqId: 'r', userId: 9 });
    });
    expect(getContext()).toBeUndefined();
    const [before, after] = records();
    expect(before).not.toHaveProperty('userId');
    expect(after).toMatchObject({ reqId: 'r', userId: 9 });
  });

  it("fields are serialized once per context and logger setup, with that logger's serializers and redaction", () => {
    const plain = capturing();
    const hooked = capturing({
      serializers: { user: (u: { id: number }) => ({ id: u.id }) },
      redact: ['token'],
    });
    let reads = 0;
    const user = {
      id: 3,
      get secret() {
        reads++;
        return 'x';
      },
    };
    withContext({ user, token: 'abc' }, () => {
      for (let i = 0; i < 5; i++) {
        plain.log.info('p');
        hooked.log.info('h');
      }
    });
    // The plain logger reads the getter once for five calls (one serialization).
    expect(reads).toBe(1);
    expect(plain.records()[4]).toMatchObject({ user: { id: 3, secret: 'x' }, token: 'abc' });
    expect(hooked.records()[4]).toMatchObject({ user: { id: 3 }, token: '[Redacted]' });
    expect(hooked.records()[4]!.user).not.toHaveProperty('secret');
  });

  it('typed events and hooked loggers carry the context too', () => {
    const { log, records } = capturing({ msgPrefix: '> ' });
    const ev = log.event('signin', { type: 'object', properties: { ok: { type: 'boolean' } } });
    withContext({ reqId: 'e' }, () => {
      ev.info({ ok: true });
      log.info('m');
    });
    for (const r of records()) expect(r.reqId).toBe('e');
  });

  it('bindContext: a logger that keeps the context where the context is lost', async () => {
    const { log, records } = capturing();
    const emitter = new EventEmitter();
    let bound: typeof log | undefined;
    withContext({ reqId: 'b' }, () => {
      bound = bindContext(log);
      emitter.on('later', () => {
        bound!.info('bound');
        log.info('unbound');
      });
    });
    emitter.emit('later');
    const [b, u] = records();
    expect(b).toMatchObject({ reqId: 'b', msg: 'bound' });
    expect(u).not.toHaveProperty('reqId');
  });

  it('rejects what is not an object or a function, with the call named', () => {
    expect(() => withContext(null as never, () => {})).toThrow(
      /withContext: "fields" must be an object/,
    );
    expect(() => withContext({}, 1 as never)).toThrow(/withContext: "fn" must be a function/);
  });

  it('returns what fn returns, promises included', async () => {
    expect(withContext({ a: 1 }, () => 5)).toBe(5);
    await expect(withContext({ a: 1 }, async () => 6)).resolves.toBe(6);
  });
});
