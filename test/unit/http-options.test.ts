import { describe, expect, it } from 'vitest';
import { HTTP_DEFAULTS, resolveHttpDestination } from '../../workers/destinations/http/options.js';

const resolve = (o: Record<string, unknown>) =>
  resolveHttpDestination(
    { type: 'http', url: 'http://collector:4318/v1/logs', ...o },
    'destination[2]',
    30,
  );

function fails(o: Record<string, unknown>): string {
  try {
    resolve(o);
  } catch (e) {
    expect((e as { code: string }).code).toBe('RINGLOG_INVALID_OPTION');
    return (e as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(o)}`);
}

describe('http destination options', () => {
  it('fills in the documented defaults', () => {
    const s = resolve({});
    expect(s).toMatchObject({
      kind: 'http',
      minLevel: 30,
      encoding: 'ndjson',
      batchRecords: 1000,
      batchBytes: 1 << 20,
      batchIntervalMs: 1000,
      maxBufferBytes: 16 << 20,
      concurrency: 2,
      compression: 'gzip',
      compressMinBytes: 1024,
      connectTimeoutMs: 5000,
      requestTimeoutMs: 30_000,
      flushTimeoutMs: 3000,
      tls: { ca: undefined, rejectUnauthorized: true },
      retry: { baseDelayMs: 200, maxDelayMs: 30_000, serverErrorAttempts: 5 },
      breaker: { failures: 5, cooldownMs: 10_000 },
      spool: undefined,
      serviceName: 'unknown_service',
      messageKey: 'msg',
    });
    expect(HTTP_DEFAULTS.spoolMaxBytes).toBe(256 << 20);
    expect(resolve({ spool: { dir: 'rel/dir' } }).spool).toEqual({
      dir: `${process.cwd()}/rel/dir`,
      maxBytes: 256 << 20,
    });
    expect(resolve({ tls: { ca: 'PEM' } }).tls.ca).toEqual(['PEM']);
    expect(resolve({ batchBytes: 8 << 20 }).maxBufferBytes).toBe(32 << 20);
  });

  it('names the option, what it must be, and what came in', () => {
    expect(fails({ url: 'not a url' })).toBe(
      'createLogger: "destination[2].url" must be an http: or https: URL, got "not a url"',
    );
    expect(fails({ headers: { authorization: 5 } })).toBe(
      'createLogger: "destination[2].headers.authorization" must be a string, got a number (value not shown)',
    );
    expect(fails({ spool: { maxBytes: 10 } })).toContain(
      '"destination[2].spool.dir" must be a directory path, got undefined',
    );
    expect(fails({ spool: 'dir' })).toContain(
      '"destination[2].spool" must be an object of { dir, maxBytes }, got "dir"',
    );
    expect(fails({ tls: { ca: [] } })).toContain(
      '"destination[2].tls.ca" must be a PEM string or an array of them',
    );
    expect(fails({ tls: { rejectUnauthorized: 'no' } })).toContain(
      '"destination[2].tls.rejectUnauthorized" must be true or false',
    );
    expect(fails({ compression: 'br' })).toContain(
      '"destination[2].compression" must be "gzip" or "none", got "br"',
    );
    expect(fails({ retry: { baseDelayMs: 1.5 } })).toContain(
      '"destination[2].retry.baseDelayMs" must be an integer >= 1, got 1.5',
    );
    expect(fails({ breaker: { failures: 0 } })).toContain(
      '"destination[2].breaker.failures" must be an integer >= 1, got 0',
    );
    expect(fails({ resourceAttributes: { a: {} } })).toContain(
      '"destination[2].resourceAttributes.a" must be a string, number or boolean',
    );
    expect(fails({ labels: { level: 'x' } })).toContain('other than "level"');
    expect(fails({ encoding: 'elasticsearch' })).toContain(
      '"destination[2].index" must be a non-empty index name',
    );
    expect(fails({ serviceName: '' })).toContain(
      '"destination[2].serviceName" must be a non-empty string',
    );
    expect(fails({ flushTimeoutMs: -1 })).toContain(
      '"destination[2].flushTimeoutMs" must be an integer >= 0, got -1',
    );
    expect(fails({ batchRecord: 5 })).toBe(
      'createLogger: "destination[2].batchRecord" is not an option of type "http" (got 5); did you mean "batchRecords"?',
    );
    // Nothing near: the message lists what there is.
    expect(fails({ batchSize: 5 })).toMatch(
      /"destination\[2\]\.batchSize" is not an option of type "http" \(got 5\); the options are "type", "level", "url", .*"batchRecords", "batchBytes"/,
    );
    expect(fails({ retry: { maxDelay: 5 } })).toBe(
      'createLogger: "destination[2].retry.maxDelay" is not an option of retry (got 5); did you mean "maxDelayMs"?',
    );
    expect(fails({ spool: { dir: '/tmp/s', max: 5 } })).toContain(
      '"destination[2].spool.max" is not an option of spool (got 5); the options are "dir", "maxBytes"',
    );
    expect(fails({ tls: { rejectUnauthorised: false } })).toContain(
      'did you mean "rejectUnauthorized"?',
    );
    expect(fails({ breaker: { cooldown: 1 } })).toContain('did you mean "cooldownMs"?');
  });
});
