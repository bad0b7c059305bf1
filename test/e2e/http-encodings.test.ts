import { describe, expect, it } from 'vitest';
import { exactlyOnce, lines, makeDestination, useReceiversAndStderr } from './http-receiver.js';

const { stderr: capturedStderr, receiver } = useReceiversAndStderr();

interface OtlpBody {
  resourceLogs: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeLogs: {
      scope: { name: string };
      logRecords: {
        timeUnixNano: string;
        severityNumber: number;
        severityText: string;
        body: { stringValue: string };
        attributes: { key: string; value: Record<string, unknown> }[];
      }[];
    }[];
  }[];
}

const otlpIds = (b: Buffer) =>
  (JSON.parse(b.toString()) as OtlpBody).resourceLogs[0]!.scopeLogs[0]!.logRecords.map((r) =>
    Number((r.attributes.find((a) => a.key === 'id')!.value as { intValue: string }).intValue),
  );

describe('otlp over HTTP', () => {
  it('sends ExportLogsServiceRequest JSON that a collector accepts, every record once', async () => {
    const r = await receiver(() => ({ status: 200, body: '{}' }));
    const dest = makeDestination({
      url: `${r.url.replace('/ingest', '/v1/logs')}`,
      encoding: 'otlp',
      serviceName: 'checkout',
      batchRecords: 250,
    });
    for (let i = 0; i < 1000; i += 100) dest.write(lines(i, 100));
    await dest.flush();
    const ids: number[] = [];
    for (const q of r.requests) {
      expect(q.url).toBe('/v1/logs');
      expect(q.headers['content-type']).toBe('application/json');
      const body = JSON.parse(q.body.toString()) as OtlpBody;
      expect(body.resourceLogs[0]!.resource.attributes[0]).toEqual({
        key: 'service.name',
        value: { stringValue: 'checkout' },
      });
      const recs = body.resourceLogs[0]!.scopeLogs[0]!.logRecords;
      for (const rec of recs) {
        const id = Number((rec.attributes[0]!.value as { intValue: string }).intValue);
        expect(rec).toMatchObject({
          timeUnixNano: `${1_700_000_000_000 + id}000000`,
          severityNumber: 9,
          severityText: 'INFO',
          body: { stringValue: `record ${id}` },
        });
        ids.push(id);
      }
    }
    expect(exactlyOnce(ids, 1000)).toBeUndefined();
    await dest.close();
  });

  it('counts a partial success as rejected and does not send those records again', async () => {
    const r = await receiver((q) =>
      q.n === 0
        ? {
            status: 200,
            body: JSON.stringify({
              partialSuccess: { rejectedLogRecords: '3', errorMessage: 'bad attrs' },
            }),
          }
        : { status: 200, body: '{}' },
    );
    const dest = makeDestination({ url: r.url, encoding: 'otlp', batchRecords: 50 });
    dest.write(lines(0, 100));
    await dest.flush();
    expect(r.requests.length).toBe(2);
    expect(
      exactlyOnce(
        r.requests.flatMap((q) => otlpIds(q.body)),
        100,
      ),
    ).toBeUndefined();
    expect(dest.stats()).toMatchObject({ written: 97, rejected: 3, dropped: 3, retried: 0 });
    expect(capturedStderr().join('')).toContain('bad attrs');
    await dest.close();
  });

  it('rejects on 500 (only ndjson retries every 5xx) and retries 503', async () => {
    const r = await receiver((q) => ({ status: q.n === 0 ? 500 : q.n === 1 ? 503 : 200 }));
    const dest = makeDestination({
      url: r.url,
      encoding: 'otlp',
      batchRecords: 10,
      concurrency: 1,
    });
    dest.write(lines(0, 20));
    await dest.flush();
    expect(r.requests.map((q) => otlpIds(q.body)[0])).toEqual([0, 10, 10]);
    expect(dest.stats()).toMatchObject({ written: 10, rejected: 10, retried: 10 });
    await dest.close();
  });
});

describe('loki over HTTP', () => {
  it('pushes streams with the configured labels and a level label', async () => {
    const r = await receiver(() => ({ status: 204 }));
    const dest = makeDestination({
      url: r.url,
      encoding: 'loki',
      labels: { app: 'checkout', env: 'test' },
    });
    dest.write(lines(0, 300));
    dest.write(Buffer.from('{"level":50,"time":1700000000999,"id":300,"msg":"e"}\n'));
    await dest.flush();
    const ids: number[] = [];
    for (const q of r.requests) {
      const body = JSON.parse(q.body.toString()) as {
        streams: { stream: Record<string, string>; values: [string, string][] }[];
      };
      for (const s of body.streams) {
        expect(s.stream).toEqual({ app: 'checkout', env: 'test', level: s.stream.level });
        for (const [ns, line] of s.values) {
          const rec = JSON.parse(line) as { id: number; time: number; level: number };
          expect(ns).toBe(`${rec.time}000000`);
          expect(s.stream.level).toBe(rec.level === 50 ? 'error' : 'info');
          ids.push(rec.id);
        }
      }
    }
    expect(exactlyOnce(ids, 301)).toBeUndefined();
    await dest.close();
  });
});

describe('elasticsearch over HTTP', () => {
  it('retries only the items answered 429 and rejects the other failed items', async () => {
    // First answer: item 1 is 429, item 2 a mapping error, the rest created. The second
    // request must carry item 1 alone.
    const r = await receiver((q) => {
      const parts = q.body.toString().split('\n').filter(Boolean);
      const items = [];
      for (let i = 0; i < parts.length; i += 2) {
        expect(JSON.parse(parts[i]!)).toEqual({ create: { _index: 'logs-app' } });
        const id = (JSON.parse(parts[i + 1]!) as { id: number }).id;
        const status = q.n === 0 && id === 1 ? 429 : id === 2 ? 400 : 201;
        items.push({
          create: {
            _index: 'logs-app',
            status,
            ...(status >= 300
              ? {
                  error: {
                    type:
                      status === 400
                        ? 'mapper_parsing_exception'
                        : 'es_rejected_execution_exception',
                  },
                }
              : {}),
          },
        });
      }
      return {
        status: 200,
        body: JSON.stringify({ errors: items.some((x) => x.create.status >= 300), items }),
      };
    });
    const dest = makeDestination({ url: r.url, encoding: 'elasticsearch', index: 'logs-app' });
    dest.write(lines(0, 10));
    await dest.flush();
    expect(r.requests.length).toBe(2);
    const second = r.requests[1]!.body.toString().split('\n').filter(Boolean);
    expect(second.length).toBe(2);
    expect(JSON.parse(second[1]!).id).toBe(1);
    expect(dest.stats()).toMatchObject({ written: 9, rejected: 1, dropped: 1, retried: 1 });
    expect(capturedStderr().join('')).toContain('mapper_parsing_exception');
    await dest.close();
  });
});

describe('elasticsearch indices by date over HTTP', () => {
  it('sends each record to the index of its own UTC day, with @timestamp, and retries a 429 item to the same index', async () => {
    const midnight = Date.UTC(2026, 11, 5);
    // 400 records, one every 5 ms, across midnight: 200 before, 200 after.
    const timeOf = (id: number) => midnight - 1000 + id * 5;
    let retriedId = -1;
    const r = await receiver((q) => {
      const parts = q.body.toString().split('\n');
      expect(parts.pop()).toBe('');
      const items = [];
      for (let i = 0; i < parts.length; i += 2) {
        const action = JSON.parse(parts[i]!) as { create: { _index: string } };
        const doc = JSON.parse(parts[i + 1]!) as { id: number; time: number; '@timestamp': string };
        // 429 for the first record after midnight, the first time only.
        const again = q.n === 0 && doc.time >= midnight && retriedId < 0;
        if (again) retriedId = doc.id;
        items.push({ create: { _index: action.create._index, status: again ? 429 : 201 } });
      }
      return { status: 200, body: JSON.stringify({ errors: retriedId >= 0 && q.n === 0, items }) };
    });
    const dest = makeDestination({
      url: r.url.replace('/ingest', '/_bulk'),
      encoding: 'elasticsearch',
      index: 'logs-%{+yyyy.MM.dd}',
      batchRecords: 1000,
    });
    let chunk = '';
    for (let id = 0; id < 400; id++) {
      chunk += `{"level":30,"time":${timeOf(id)},"id":${id},"msg":"record ${id}"}\n`;
    }
    dest.write(Buffer.from(chunk));
    await dest.flush();
    expect(r.requests.length).toBe(2);
    const ids: number[] = [];
    const perIndex = new Map<string, number>();
    for (const q of r.requests) {
      expect(q.url).toBe('/_bulk');
      expect(q.headers['content-type']).toBe('application/x-ndjson');
      const parts = q.body.toString().split('\n').filter(Boolean);
      for (let i = 0; i < parts.length; i += 2) {
        const action = JSON.parse(parts[i]!) as { create: { _index: string } };
        const doc = JSON.parse(parts[i + 1]!) as { id: number; time: number; '@timestamp': string };
        expect(doc.time).toBe(timeOf(doc.id));
        expect(Date.parse(doc['@timestamp'])).toBe(doc.time);
        const day = doc.time < midnight ? '2026.12.04' : '2026.12.05';
        expect(action).toEqual({ create: { _index: `logs-${day}` } });
        if (q.n === 0) {
          ids.push(doc.id);
          perIndex.set(day, (perIndex.get(day) ?? 0) + 1);
        } else expect(doc.id).toBe(retriedId);
      }
    }
    expect(exactlyOnce(ids, 400)).toBeUndefined();
    expect(Object.fromEntries(perIndex)).toEqual({ '2026.12.04': 200, '2026.12.05': 200 });
    expect(retriedId).toBe(200);
    expect(dest.stats()).toMatchObject({ written: 400, retried: 1, rejected: 0 });
    await dest.close();
  });
});

describe('loki labels over HTTP', () => {
  it("labels streams by the ring's level bytes, configured level values and chosen fields", async () => {
    const r = await receiver(() => ({ status: 204 }));
    const dest = makeDestination({
      url: r.url,
      encoding: 'loki',
      labels: { app: 'checkout' },
      levelLabels: { warn: 'warning', fatal: 'critical' },
      labelFields: ['hostname'],
    });
    // The lines say "level":"x" (a formatters.level that writes something else): the level
    // comes from the bytes the ring carries beside them.
    const levelOf = (id: number) => [30, 40, 60][id % 3]!;
    let text = '';
    const levels = new Uint8Array(300);
    for (let id = 0; id < 300; id++) {
      text += `{"level":"x","time":${1_700_000_000_000 + id},"hostname":"h${id % 2}","id":${id}}\n`;
      levels[id] = levelOf(id);
    }
    dest.write(Buffer.from(text), 300, levels);
    await dest.flush();
    const ids: number[] = [];
    const names: Record<number, string> = { 30: 'info', 40: 'warning', 60: 'critical' };
    for (const q of r.requests) {
      const body = JSON.parse(q.body.toString()) as {
        streams: { stream: Record<string, string>; values: [string, string][] }[];
      };
      expect(body.streams.length).toBe(6);
      for (const s of body.streams) {
        for (const [ns, line] of s.values) {
          const rec = JSON.parse(line) as { id: number; time: number; hostname: string };
          expect(ns).toBe(`${rec.time}000000`);
          expect(s.stream).toEqual({
            app: 'checkout',
            hostname: rec.hostname,
            level: names[levelOf(rec.id)],
          });
          ids.push(rec.id);
        }
      }
    }
    expect(exactlyOnce(ids, 300)).toBeUndefined();
    await dest.close();
  });
});
