import { JsonLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffMs } from '../../workers/destinations/backoff.js';
import { createEncoder, encodeBulk, encodeLoki } from '../../workers/destinations/http/encoders.js';
import { resolveHttpDestination } from '../../workers/destinations/http/options.js';
import { otlpRequest, toAnyValue } from '../../workers/destinations/http/otlp.js';
import { countLines, recordTimeMs } from '../../workers/destinations/http/records.js';
import { classifyStatus, parseRetryAfter } from '../../workers/destinations/http/retry.js';

const LINES = [
  '{"level":10,"time":1700000000001,"pid":7,"hostname":"h","msg":"trace me"}',
  '{"level":20,"time":1700000000002,"msg":"debug","n":-3,"big":9007199254740991}',
  '{"level":30,"time":1700000000003,"msg":"info","pi":3.25,"ok":true,"nothing":null}',
  '{"level":40,"time":1700000000004,"msg":"warn","user":{"name":"ada","tags":["a",1,false,{"x":1.5}]}}',
  '{"level":50,"time":1700000000005,"msg":"error","err":{"type":"Error","message":"boom","stack":"Error: boom\\n at x"}}',
  '{"level":60,"time":1700000000006,"msg":"fatal","traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"eee19b7ec3c1b174","traceFlags":1}',
  '{"level":35,"time":1700000000007,"msg":"custom level"}',
];

/** The same records as ReadableLogRecords, serialized by the OpenTelemetry JS SDK. */
function referenceJson(now: number) {
  // pid and hostname are resource attributes: one resource per distinct pair, as the SDK
  // groups records by resource.
  const resources = new Map<string, ReturnType<typeof resourceFromAttributes>>();
  const resourceOf = (pid: unknown, hostname: unknown) => {
    const key = JSON.stringify([pid, hostname]);
    let r = resources.get(key);
    if (r === undefined) {
      r = resourceFromAttributes({
        'service.name': 'svc',
        'deployment.environment': 'test',
        ...(pid === undefined ? {} : { 'process.pid': pid as number }),
        ...(hostname === undefined ? {} : { 'host.name': hostname as string }),
      });
      resources.set(key, r);
    }
    return r;
  };
  const scope = { name: 'ringlog' };
  const sev: Record<number, [number, string]> = {
    10: [1, 'TRACE'],
    20: [5, 'DEBUG'],
    30: [9, 'INFO'],
    35: [9, 'INFO'],
    40: [13, 'WARN'],
    50: [17, 'ERROR'],
    60: [21, 'FATAL'],
  };
  const records = LINES.map((line) => {
    const { level, time, msg, traceId, spanId, traceFlags, pid, hostname, err, ...rest } =
      JSON.parse(line);
    const resource = resourceOf(pid, hostname);
    // err as the semantic conventions' exception attributes.
    const attributes =
      err === undefined
        ? rest
        : {
            ...rest,
            'exception.type': err.type,
            'exception.message': err.message,
            'exception.stacktrace': err.stack,
          };
    const ms = time as number;
    return {
      hrTime: [Math.floor(ms / 1000), (ms % 1000) * 1e6] as [number, number],
      hrTimeObserved: [Math.floor(now / 1000), (now % 1000) * 1e6] as [number, number],
      severityNumber: sev[level as number]![0],
      severityText: sev[level as number]![1],
      body: msg,
      attributes,
      droppedAttributesCount: 0,
      resource,
      instrumentationScope: scope,
      ...(traceId ? { spanContext: { traceId: traceId.toLowerCase(), spanId, traceFlags } } : {}),
    };
  });
  // The SDK's record type is structural: these objects have every field it reads.
  const bytes = JsonLogsSerializer.serializeRequest(records as any);
  return JSON.parse(Buffer.from(bytes!).toString('utf8'));
}

/** The SDK writes int64 intValue as a JSON number and adds droppedAttributesCount: 0; the
 * proto3 JSON mapping (and our encoder) writes int64 as a string. Align those two. */
function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === 'droppedAttributesCount' && x === 0) continue;
      out[k] = k === 'intValue' ? String(x) : normalize(x);
    }
    return out;
  }
  return v;
}

describe('otlp encoding', () => {
  it('produces what the OpenTelemetry JS SDK serializes for the same records', () => {
    const now = 1_700_000_001_234;
    const ours = otlpRequest(
      LINES,
      {
        serviceName: 'svc',
        resourceAttributes: { 'deployment.environment': 'test' },
        messageKey: 'msg',
      },
      now,
    );
    expect(normalize(JSON.parse(JSON.stringify(ours)))).toEqual(normalize(referenceJson(now)));
  });

  it('writes int64 as decimal strings and trace ids as lower-case hex', () => {
    const r = otlpRequest(
      LINES,
      { serviceName: 's', resourceAttributes: {}, messageKey: 'msg' },
      0,
    );
    const recs = r.resourceLogs.flatMap((rl) => rl.scopeLogs[0]!.logRecords);
    expect(recs[0]!.timeUnixNano).toBe('1700000000001000000');
    expect(recs[1]!.attributes).toContainEqual({ key: 'n', value: { intValue: '-3' } });
    expect(recs[5]).toMatchObject({
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      flags: 1,
      severityNumber: 21,
    });
    expect(recs[5]!.attributes.map((a) => a.key)).not.toContain('traceId');
  });

  it('reads epoch seconds and ISO times, and ships a line that is not JSON as its body', () => {
    expect(recordTimeMs(1_700_000_000, 0)).toBe(1_700_000_000_000);
    expect(recordTimeMs('2023-11-14T22:13:20.005Z', 0)).toBe(1_700_000_000_005);
    expect(recordTimeMs(undefined, 42)).toBe(42);
    const r = otlpRequest(
      ['not json'],
      { serviceName: 's', resourceAttributes: {}, messageKey: 'msg' },
      5,
    );
    expect(r.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!.body).toEqual({
      stringValue: 'not json',
    });
  });

  it('maps any JSON value to an AnyValue that round-trips (property)', () => {
    const back = (v: ReturnType<typeof toAnyValue>): unknown => {
      if ('stringValue' in v) return v.stringValue;
      if ('boolValue' in v) return v.boolValue;
      if ('intValue' in v) return Number(v.intValue);
      if ('doubleValue' in v) return v.doubleValue;
      if ('arrayValue' in v) return v.arrayValue.values.map(back);
      if ('kvlistValue' in v)
        return Object.fromEntries(v.kvlistValue.values.map((kv) => [kv.key, back(kv.value)]));
      return null;
    };
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const j = JSON.parse(JSON.stringify(v));
        expect(back(toAnyValue(j))).toEqual(j);
      }),
    );
  });
});

describe('loki encoding', () => {
  it('groups records into one stream per level with the configured labels', () => {
    const body = JSON.parse(
      encodeLoki(
        Buffer.from(`${LINES.join('\n')}\n`),
        resolveHttpDestination(
          {
            type: 'http',
            url: 'http://loki/',
            encoding: 'loki',
            labels: { app: 'svc', env: 'prod' },
          },
          'd',
          0,
        ),
      ).toString(),
    );
    expect(body.streams.map((s: { stream: Record<string, string> }) => s.stream.level)).toEqual([
      'trace',
      'debug',
      'info',
      'warn',
      'error',
      'fatal',
    ]);
    const info = body.streams[2];
    expect(info.stream).toEqual({ app: 'svc', env: 'prod', level: 'info' });
    expect(info.values).toEqual([
      ['1700000000003000000', LINES[2]],
      ['1700000000007000000', LINES[6]],
    ]);
  });
});

describe('elasticsearch encoding', () => {
  it('puts a create action before every record', () => {
    const spec = resolveHttpDestination(
      {
        type: 'http',
        url: 'http://es/',
        encoding: 'elasticsearch',
        index: 'logs-app',
        atTimestamp: 'off',
      },
      'd',
      0,
    );
    const body = encodeBulk(Buffer.from(`${LINES[0]}\n${LINES[1]}\n`), spec).toString();
    expect(body).toBe(
      `{"create":{"_index":"logs-app"}}\n${LINES[0]}\n{"create":{"_index":"logs-app"}}\n${LINES[1]}\n`,
    );
  });

  it('passes ndjson through as it is', () => {
    const spec = resolveHttpDestination({ type: 'http', url: 'http://x/' }, 'd', 0);
    const data = Buffer.from(`${LINES[0]}\n`);
    expect(createEncoder(spec).encode(data)).toBe(data);
    expect(countLines(Buffer.from('a\nb\nc\n'))).toBe(3);
  });
});

describe('retry rules', () => {
  it('classifies statuses per encoding', () => {
    for (const s of [200, 201, 204]) expect(classifyStatus(s, 'otlp')).toBe('ok');
    for (const s of [408, 429, 502, 503, 504]) expect(classifyStatus(s, 'loki')).toBe('retry');
    expect(classifyStatus(500, 'ndjson')).toBe('retry');
    expect(classifyStatus(500, 'otlp')).toBe('reject');
    expect(classifyStatus(413, 'elasticsearch')).toBe('split');
    for (const s of [400, 401, 403, 404]) expect(classifyStatus(s, 'ndjson')).toBe('reject');
  });

  it('reads Retry-After as seconds and as an HTTP date', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffMs(1, 100, 10_000, () => 0)).toBe(50);
    expect(backoffMs(1, 100, 10_000, () => 1)).toBe(100);
    expect(backoffMs(4, 100, 10_000, () => 1)).toBe(800);
    expect(backoffMs(30, 100, 10_000, () => 1)).toBe(10_000);
    const d = backoffMs(3, 100, 10_000);
    expect(d).toBeGreaterThanOrEqual(200);
    expect(d).toBeLessThanOrEqual(400);
  });
});
