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
