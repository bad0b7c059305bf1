/**
 * The OTLP severity and Loki's level label come from the level the ring carries, through the
 * sink: a logger whose formatters.level writes labels (or another key) still ships the right
 * severities, with and without the destination filtering by level.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, type Logger } from '../../src/index.js';
import { type Receiver, startReceiver } from './http-receiver.js';

let receivers: Receiver[] = [];
const loggers: Logger[] = [];
afterEach(async () => {
  await Promise.all(loggers.splice(0).map((l) => l.close()));
  for (const r of receivers) await r.close();
  receivers = [];
});

interface Rec {
  severityNumber: number;
  body: { stringValue: string };
}
const otlpRecords = (r: Receiver): Rec[] =>
  r.requests.flatMap((q) =>
    (
      JSON.parse(q.body.toString()) as { resourceLogs: { scopeLogs: { logRecords: Rec[] }[] }[] }
    ).resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((s) => s.logRecords)),
  );

describe('severity from the ring level', () => {
  it('formatters.level with labels or another key: OTLP severities and Loki labels are right', async () => {
    const otlpAll = await startReceiver();
    const otlpWarn = await startReceiver();
    const loki = await startReceiver();
    receivers.push(otlpAll, otlpWarn, loki);
    const log = createLogger({
      level: 'trace',
      formatters: { level: (label: string) => ({ severity: label.toUpperCase() }) },
      destination: [
        { type: 'http', url: otlpAll.url, encoding: 'otlp', batchIntervalMs: 20 },
        // Filtered by level in the sink: the level bytes follow the lines that are kept.
        { type: 'http', url: otlpWarn.url, encoding: 'otlp', level: 'warn', batchIntervalMs: 20 },
        { type: 'http', url: loki.url, encoding: 'loki', batchIntervalMs: 20 },
      ],
    });
    loggers.push(log);
    const levels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
    const want = { trace: 1, debug: 5, info: 9, warn: 13, error: 17, fatal: 21 };
    for (let round = 0; round < 3; round++)
      for (const l of levels) (log[l] as (m: string) => void)(`${l} ${round}`);
    await log.flush();
    const all = otlpRecords(otlpAll);
    expect(all).toHaveLength(18);
    for (const rec of all) {
      const name = rec.body.stringValue.split(' ')[0] as keyof typeof want;
      expect(rec.severityNumber, rec.body.stringValue).toBe(want[name]);
    }
    const warn = otlpRecords(otlpWarn);
    expect(warn.map((r) => r.body.stringValue).sort()).toEqual(
      ['warn', 'error', 'fatal'].flatMap((l) => [0, 1, 2].map((i) => `${l} ${i}`)).sort(),
    );
    for (const rec of warn)
      expect(rec.severityNumber).toBe(
        want[rec.body.stringValue.split(' ')[0] as keyof typeof want],
      );
    const streams = loki.requests.flatMap(
      (q) =>
        JSON.parse(q.body.toString()).streams as {
          stream: { level: string };
          values: [string, string][];
        }[],
    );
    let lokiCount = 0;
    for (const s of streams)
      for (const [, line] of s.values) {
        lokiCount++;
        expect(JSON.parse(line).severity).toBe(s.stream.level.toUpperCase());
      }
    expect(lokiCount).toBe(18);
  });
});

describe('backends configured as their users do, through the sink', () => {
  it('Loki level values and label fields, Elasticsearch dated indices with @timestamp', async () => {
    const loki = await startReceiver(() => ({ status: 204 }));
    const es = await startReceiver(() => ({ status: 200, body: '{"errors":false,"items":[]}' }));
    receivers.push(loki, es);
    const log = createLogger({
      level: 'trace',
      customLevels: { notice: 35 },
      formatters: { level: (label: string) => ({ level: label }) },
      destination: [
        {
          type: 'http',
          url: loki.url,
          encoding: 'loki',
          batchIntervalMs: 20,
          levelLabels: { notice: 'notice', warn: 'warning', fatal: 'critical' },
          labelFields: ['tenant'],
        },
        {
          type: 'http',
          url: es.url,
          encoding: 'elasticsearch',
          batchIntervalMs: 20,
          index: 'app-%{+yyyy.MM.dd}',
        },
      ],
    });
    loggers.push(log);
    const want: Record<string, string> = {
      trace: 'trace',
      debug: 'debug',
      info: 'info',
      notice: 'notice',
      warn: 'warning',
      error: 'error',
      fatal: 'critical',
    };
    const names = Object.keys(want);
    for (let i = 0; i < 70; i++) {
      const l = names[i % names.length]!;
      const child = log.child({ tenant: `t${i % 2}` });
      (child as unknown as Record<string, (o: object, m: string) => void>)[l]!({ i }, l);
    }
    await log.flush();
    const seen = new Set<number>();
    for (const q of loki.requests) {
      for (const s of JSON.parse(q.body.toString()).streams as {
        stream: Record<string, string>;
        values: [string, string][];
      }[]) {
        for (const [, line] of s.values) {
          const rec = JSON.parse(line) as { i: number; msg: string; tenant: string };
          expect(s.stream).toEqual({ tenant: rec.tenant, level: want[rec.msg] });
          seen.add(rec.i);
        }
      }
    }
    expect(seen.size).toBe(70);
    const docs: { i: number; time: number }[] = [];
    for (const q of es.requests) {
      const parts = q.body.toString().split('\n').filter(Boolean);
      for (let k = 0; k < parts.length; k += 2) {
        const action = JSON.parse(parts[k]!) as { create: { _index: string } };
        const doc = JSON.parse(parts[k + 1]!) as { i: number; time: number; '@timestamp': string };
        expect(Date.parse(doc['@timestamp'])).toBe(doc.time);
        const day = new Date(doc.time).toISOString().slice(0, 10).replaceAll('-', '.');
        expect(action).toEqual({ create: { _index: `app-${day}` } });
        docs.push(doc);
      }
    }
    expect(new Set(docs.map((d) => d.i)).size).toBe(70);
    expect(docs.length).toBe(70);
  });
});
