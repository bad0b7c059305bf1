/**
 * Redaction by key name (`redactKeys`, on in the production preset): secrets planted in every
 * place a service puts them never reach the line, and their non-secret neighbours do.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger/logger.js';
import {
  DEFAULT_REDACT_KEYS,
  foldKey,
  type KeyRedaction,
  redactUrl,
  resolveRedactKeys,
} from '../../src/logger/redact-keys.js';
import { lazy } from '../../src/logger/serialize.js';
import { ErrorCodes, RinglogError } from '../../src/protocol/errors.js';

type Log = ReturnType<typeof createLogger>;

interface Plant {
  /** Logs a record (or more) holding the secret `s` and the plain value `keep`. */
  log(l: Log, s: string, keep: string): void;
  /** The logger's options, when the case needs its own logger (base bindings). */
  options?: (s: string) => Record<string, unknown>;
}

const headersRes = (headers: Record<string, unknown>) => ({
  statusCode: 200,
  getHeaders: () => headers,
});

/** Where secrets hide. Each case keeps a non-secret neighbour beside the secret. */
const PLANTS: Record<string, Plant> = {
  password: { log: (l, s, k) => l.info({ password: s, user: k }) },
  'Password (capitalised)': { log: (l, s, k) => l.info({ Password: s, user: k }) },
  PASSWORD: { log: (l, s, k) => l.info({ PASSWORD: s, user: k }) },
  passwd: { log: (l, s, k) => l.info({ passwd: s, user: k }) },
  authorization: { log: (l, s, k) => l.info({ authorization: s, route: k }) },
  'Authorization (capitalised)': { log: (l, s, k) => l.info({ Authorization: s, route: k }) },
  'AUTHORIZATION in headers': {
    log: (l, s, k) => l.info({ headers: { AUTHORIZATION: s, accept: k } }),
  },
  api_key: { log: (l, s, k) => l.info({ api_key: s, service: k }) },
  apiKey: { log: (l, s, k) => l.info({ apiKey: s, service: k }) },
  'api-key': { log: (l, s, k) => l.info({ 'api-key': s, service: k }) },
  'X-Api-Key header': { log: (l, s, k) => l.info({ headers: { 'X-Api-Key': s, 'X-Trace': k } }) },
  accessToken: { log: (l, s, k) => l.info({ accessToken: s, scope: k }) },
  access_token: { log: (l, s, k) => l.info({ access_token: s, scope: k }) },
  refreshToken: { log: (l, s, k) => l.info({ refreshToken: s, scope: k }) },
  refresh_token: { log: (l, s, k) => l.info({ refresh_token: s, scope: k }) },
  clientSecret: { log: (l, s, k) => l.info({ clientSecret: s, clientId: k }) },
  client_secret: { log: (l, s, k) => l.info({ client_secret: s, client_id: k }) },
  Client_Secret: { log: (l, s, k) => l.info({ Client_Secret: s, client_id: k }) },
  secret: { log: (l, s, k) => l.info({ secret: s, name: k }) },
  token: { log: (l, s, k) => l.info({ token: s, kind: k }) },
  id_token: { log: (l, s, k) => l.info({ id_token: s, kind: k }) },
  jwt: { log: (l, s, k) => l.info({ jwt: s, kind: k }) },
  cookie: { log: (l, s, k) => l.info({ cookie: s, path: k }) },
  'Cookie in headers outside req': {
    log: (l, s, k) => l.info({ upstream: { headers: { Cookie: s, Host: k } } }),
  },
  'set-cookie array': {
    log: (l, s, k) => l.info({ 'set-cookie': [`a=${s}`, `b=${s}`], status: k }),
  },
  privateKey: { log: (l, s, k) => l.info({ privateKey: s, keyId: k }) },
  'private_key (PEM)': {
    log: (l, s, k) =>
      l.info({ private_key: `-----BEGIN KEY-----\n${s}\n-----END KEY-----`, kid: k }),
  },
  secretAccessKey: { log: (l, s, k) => l.info({ secretAccessKey: s, accessKeyId: k }) },
  sessionId: { log: (l, s, k) => l.info({ sessionId: s, page: k }) },
  session_id: { log: (l, s, k) => l.info({ session_id: s, page: k }) },
  'x-auth-token': { log: (l, s, k) => l.info({ headers: { 'x-auth-token': s, 'user-agent': k } }) },
  'credentials object': {
    log: (l, s, k) => l.info({ credentials: { user: 'u', pass: s }, host: k }),
  },
  'nested password': { log: (l, s, k) => l.info({ user: { name: k, password: s } }) },
  'deep token': { log: (l, s, k) => l.info({ a: { b: { c: { d: { token: s, e: k } } } } }) },
  'passwords in an array': {
    log: (l, s, k) =>
      l.info({
        users: [
          { name: k, password: s },
          { name: k, password: `${s}2` },
        ],
      }),
  },
  'authorization in headers outside req/res': {
    log: (l, s, k) => l.info({ headers: { authorization: `Bearer ${s}`, 'content-type': k } }),
  },
  'req.headers.authorization': {
    log: (l, s, k) =>
      l.info({
        req: { method: 'GET', url: '/x', headers: { Authorization: `Basic ${s}`, host: k } },
      }),
  },
  'res set-cookie header': {
    log: (l, s, k) => l.info({ res: headersRes({ 'Set-Cookie': `sid=${s}`, 'content-type': k }) }),
  },
  'token in req.url query': {
    log: (l, s, k) =>
      l.info({ req: { method: 'GET', url: `/cb?token=${s}&page=${k}`, headers: {} } }),
  },
  'api_key and access_token in a url query': {
    log: (l, s, k) => l.info({ url: `/x?api_key=${s}&access_token=${s}&q=${k}` }),
  },
  'userinfo in a URL': { log: (l, s, k) => l.info({ url: `https://admin:${s}@${k}.example/p` }) },
  'access_token in a URL fragment': {
    log: (l, s, k) =>
      l.info({ redirectUrl: `https://app.example/cb#access_token=${s}&state=${k}` }),
  },
  'password in a DSN': { log: (l, s, k) => l.info({ dsn: `postgres://app:${s}@db:5432/${k}` }) },
  'password on an Error own field': {
    log: (l, s, k) => l.error(Object.assign(new Error('login failed'), { password: s, user: k })),
  },
  'Authorization in an Error config (axios-like)': {
    log: (l, s, k) =>
      l.error(
        Object.assign(new Error('Request failed'), {
          config: { url: `/api?k=${k}`, headers: { Authorization: `Bearer ${s}` } },
        }),
      ),
  },
  'token on an Error cause': {
    log: (l, s, k) =>
      l.error(
        new Error('outer', { cause: Object.assign(new Error('inner'), { token: s, step: k }) }),
      ),
  },
  'apiKey on an AggregateError member': {
    log: (l, s, k) =>
      l.error(new AggregateError([Object.assign(new Error('one'), { apiKey: s, id: k })], 'many')),
  },
  'password in a Map': {
    log: (l, s, k) =>
      l.info({
        m: new Map([
          ['password', s],
          ['user', k],
        ]),
      }),
  },
  'apiKey inside a Map value': {
    log: (l, s, k) => l.info({ m: new Map([['cfg', { apiKey: s, region: k }]]) }),
  },
  'token in a Set member': { log: (l, s, k) => l.info({ set: new Set([{ token: s, n: k }]) }) },
  'token in child bindings': { log: (l, s, k) => l.child({ token: s, reqId: k }).info('x') },
  'password nested in child bindings': {
    log: (l, s, k) => l.child({ auth: { password: s, user: k } }).info('x'),
  },
  'apiKey in base bindings': {
    options: (s) => ({ base: { apiKey: s } }),
    log: (l, _s, k) => l.info({ service: k }),
  },
  'password in a %j argument': { log: (l, s, k) => l.info('config %j', { password: s, host: k }) },
  'lazy token': { log: (l, s, k) => l.info({ token: lazy(() => s), other: lazy(() => k) }) },
  'a getter that returns a secret': {
    log: (l, s, k) =>
      l.info({
        get password() {
          return s;
        },
        user: k,
      }),
  },
};

function productionLogger(extra: Record<string, unknown> = {}): Log {
  return createLogger({ preset: 'production', capture: true, ...extra });
}

describe('the production preset redacts secrets by key name', () => {
  const names = Object.keys(PLANTS);

  it(`plants ${names.length} kinds of secrets (at least 46)`, () => {
    expect(names.length).toBeGreaterThanOrEqual(46);
  });

  for (const [i, name] of names.entries()) {
    it(`redacts ${name}`, () => {
      const plant = PLANTS[name]!;
      const secret = `S3cr3t${i}x`;
      const keep = `keep${i}y`;
      const log = productionLogger(plant.options?.(secret));
      plant.log(log, secret, keep);
      const lines = log.capture!.lines;
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        JSON.parse(line);
        expect(line).not.toContain(secret);
      }
      expect(lines.join('\n')).toContain(keep);
      expect(lines.join('\n')).toContain('[Redacted]');
    });
  }

  it('redacts every planted secret in one record and keeps every neighbour', () => {
    const log = productionLogger();
    const secrets: string[] = [];
    for (const [i, name] of names.entries()) {
      const plant = PLANTS[name]!;
      if (plant.options !== undefined) continue;
      plant.log(log, `Zz${i}secret`, `Zz${i}keep`);
      secrets.push(`Zz${i}secret`);
    }
    const text = log.capture!.lines.join('\n');
    for (const s of secrets) expect(text).not.toContain(s);
    for (let i = 0; i < names.length; i++)
      if (PLANTS[names[i]!]!.options === undefined) expect(text).toContain(`Zz${i}keep`);
  });

  it('keeps values of keys that only look like secrets', () => {
    const log = productionLogger();
    log.info({ tokens: 3, passwordPolicy: 'strong', author: 'ada', keyId: 'k1', url: '/a?page=2' });
    expect(log.capture!.records()[0]).toMatchObject({
      tokens: 3,
      passwordPolicy: 'strong',
      author: 'ada',
      keyId: 'k1',
      url: '/a?page=2',
    });
  });

  it('writes no key for a secret whose value is undefined, and censors null and objects', () => {
    const log = productionLogger();
    log.info({ password: undefined, token: null, secret: { nested: 'x' } });
    const rec = log.capture!.records()[0]!;
    expect(Object.hasOwn(rec, 'password')).toBe(false);
    expect(rec.token).toBe('[Redacted]');
    expect(rec.secret).toBe('[Redacted]');
  });
});

describe('redactKeys option', () => {
  it('is off by default outside the production preset', () => {
    const log = createLogger({ capture: true });
    log.info({ password: 'p' });
    expect(log.capture!.records()[0]!.password).toBe('p');
  });

  it('can be turned off in the production preset', () => {
    const log = productionLogger({ redactKeys: false });
    log.info({ password: 'p' });
    expect(log.capture!.records()[0]!.password).toBe('p');
  });

  it('adds and removes names, folded, and takes its own censor', () => {
    const log = createLogger({
      capture: true,
      redactKeys: { add: ['SSN', 'card_number'], remove: ['Cookie'], censor: '***' },
    });
    log.info({ ssn: '1', cardNumber: '2', cookie: 'c', password: 'p', url: '/x?token=t' });
    expect(log.capture!.records()[0]).toEqual({
      level: 30,
      time: expect.any(Number),
      pid: process.pid,
      hostname: expect.any(String),
      ssn: '***',
      cardNumber: '***',
      cookie: 'c',
      password: '***',
      url: '/x?token=***',
    });
  });

  it('takes a list that replaces the default one', () => {
    const log = createLogger({ capture: true, redactKeys: ['pin'] });
    log.info({ pin: '1234', password: 'p' });
    expect(log.capture!.records()[0]).toMatchObject({ pin: '[Redacted]', password: 'p' });
  });

  it('applies on a logger without hooks, and to typed events', () => {
    const log = createLogger({ capture: true, redactKeys: true });
    log.info({ token: 'tok', nested: { apiKey: 'key' } }, 'm');
    const schema = { type: 'object', properties: { password: { type: 'string' } } };
    log.event('login', schema).info({ password: 'pw' }, 'm');
    const [plain, event] = log.capture!.records();
    expect(plain).toMatchObject({ token: '[Redacted]', nested: { apiKey: '[Redacted]' } });
    expect(event).toMatchObject({ event: 'login', password: '[Redacted]' });
  });

  it('rejects malformed options with RINGLOG_INVALID_OPTION naming the part', () => {
    const bad: Array<[unknown, RegExp]> = [
      [
        'yes',
        /"redactKeys" must be true, false, an array of key names or \{ add\?, remove\?, censor\? \}, got "yes"/,
      ],
      [[''], /"redactKeys\[0\]" must be a key name \(letters or digits\), got ""/],
      [['_-'], /"redactKeys\[0\]" must be a key name/],
      [[7], /"redactKeys\[0\]" must be a key name .*got 7/],
      [{ add: 'ssn' }, /"redactKeys.add" must be an array of key names, got "ssn"/],
      [
        { remove: ['pasword'] },
        /"redactKeys.remove\[0\]" must be a name of the list \(password, .*\), got "pasword"/,
      ],
      [{ censor: 1 }, /"redactKeys.censor" must be a string, got 1/],
      [{ adds: ['x'] }, /"redactKeys.adds" must be absent: redactKeys takes add, remove, censor/],
    ];
    for (const [value, message] of bad) {
      let caught: unknown;
      try {
        createLogger({ capture: true, redactKeys: value as never });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(RinglogError);
      expect((caught as RinglogError).code).toBe(ErrorCodes.INVALID_OPTION);
      expect((caught as Error).message).toMatch(message);
    }
  });

  it('gives loggers with equal rules one rules object, and keeps different rules apart', () => {
    expect(resolveRedactKeys('a', true)).toBe(resolveRedactKeys('b', true));
    expect(resolveRedactKeys('a', { add: ['Pin'] })).toBe(resolveRedactKeys('b', { add: ['pin'] }));
    const a = createLogger({ capture: true, redactKeys: ['pin'] });
    const b = createLogger({ capture: true, redactKeys: true });
    for (let i = 0; i < 3; i++) {
      a.info({ pin: 1, password: 2 });
      b.info({ pin: 1, password: 2 });
    }
    for (const r of a.capture!.records())
      expect(r).toMatchObject({ pin: '[Redacted]', password: 2 });
    for (const r of b.capture!.records())
      expect(r).toMatchObject({ pin: 1, password: '[Redacted]' });
  });

  it('lists its default names folded, as they are matched', () => {
    for (const k of DEFAULT_REDACT_KEYS) expect(foldKey(k)).toBe(k);
  });
});

describe('redactUrl', () => {
  const rules = resolveRedactKeys('t', true) as KeyRedaction;

  it.each([
    ['/cb?token=abc&page=2', '/cb?token=[Redacted]&page=2'],
    ['/x?API_KEY=1&Access-Token=2&q=3', '/x?API_KEY=[Redacted]&Access-Token=[Redacted]&q=3'],
    ['/x?api%5Fkey=1', '/x?api%5Fkey=[Redacted]'],
    ['https://u:p@h.example/p?q=1', 'https://[Redacted]@h.example/p?q=1'],
    [
      'https://h.example/cb#access_token=t&state=s',
      'https://h.example/cb#access_token=[Redacted]&state=s',
    ],
    ['https://h.example/a@b?password=x', 'https://h.example/a@b?password=[Redacted]'],
    ['/plain/path', '/plain/path'],
    ['not a url ? token=1', 'not a url ? token=1'],
    ['/x?token', '/x?token'],
    ['/x?%E0%A4%A=1&token=2', '/x?%E0%A4%A=1&token=[Redacted]'],
  ])('%s', (input, output) => {
    expect(redactUrl(input, rules)).toBe(output);
  });
});
