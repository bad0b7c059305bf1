import { describe, expect, it, vi } from 'vitest';
import { bulkOutcome, otlpRejected } from '../../workers/destinations/http/answers.js';
import { Batcher } from '../../workers/destinations/http/batcher.js';

const line = (i: number) => `{"id":${i},"msg":"${'x'.repeat(i % 7)}"}\n`;

describe('batcher', () => {
  it('cuts at batchRecords and batchBytes, keeps every line whole and in order', () => {
    const batches: { data: string; records: number }[] = [];
    const b = new Batcher(10, 200, 60_000, (d, n) =>
      batches.push({ data: d.toString(), records: n }),
    );
    let all = '';
    for (let c = 0; c < 30; c++) {
      let chunk = '';
      for (let i = c * 7; i < c * 7 + 7; i++) chunk += line(i);
      all += chunk;
      const lent = Buffer.from(chunk);
      b.add(lent);
      lent.fill(0); // lent: overwritten once add() returns
    }
    b.cut();
    expect(batches.map((x) => x.data).join('')).toBe(all);
    for (const x of batches) {
      expect(x.data.endsWith('\n')).toBe(true);
      expect(x.data.split('\n').length - 1).toBe(x.records);
      expect(x.records).toBeLessThanOrEqual(10);
      // A batch ends with the line that reaches batchBytes: at most one line past it.
      expect(x.data.length).toBeLessThan(200 + 30);
    }
    expect(batches.reduce((n, x) => n + x.records, 0)).toBe(210);
    b.stop();
  });

  it('cuts what is pending batchIntervalMs after its first record', () => {
    vi.useFakeTimers();
    try {
      const got: number[] = [];
      const b = new Batcher(1000, 1 << 20, 30, (_d, n) => got.push(n));
      b.add(Buffer.from(line(1) + line(2)));
      vi.advanceTimersByTime(20);
      // A later record does not push the cut back: the interval runs from the first.
      b.add(Buffer.from(line(3)));
      vi.advanceTimersByTime(9);
      expect(got).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(got).toEqual([3]);
      expect(b.records).toBe(0);
      // Nothing pending: no empty batch later.
      vi.advanceTimersByTime(1000);
      expect(got).toEqual([3]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("reading backends' answers", () => {
  it('OTLP partial success, as a string or a number; nothing from an empty or binary answer', () => {
    const json = (o: unknown) => Buffer.from(JSON.stringify(o));
    expect(
      otlpRejected(json({ partialSuccess: { rejectedLogRecords: '4', errorMessage: 'm' } })),
    ).toEqual({
      rejected: 4,
      message: 'm',
    });
    expect(otlpRejected(json({ partialSuccess: { rejectedLogRecords: 2 } })).rejected).toBe(2);
    expect(otlpRejected(json({})).rejected).toBe(0);
    expect(otlpRejected(Buffer.alloc(0)).rejected).toBe(0);
    expect(otlpRejected(Buffer.from([0x0a, 0x02])).rejected).toBe(0);
  });

  it('bulk items: created, 429 to send again, others rejected; a missing item is rejected', () => {
    const body = Buffer.from(
      JSON.stringify({
        errors: true,
        items: [
          { create: { status: 201 } },
          { create: { status: 429, error: { type: 'es_rejected_execution_exception' } } },
          { create: { status: 400, error: { type: 'mapper_parsing_exception' } } },
        ],
      }),
    );
    expect(bulkOutcome(body, () => ['a', 'b', 'c', 'd'])).toEqual({
      accepted: 1,
      again: ['b'],
      rejected: 2,
      firstError: '400 {"type":"mapper_parsing_exception"}',
    });
    expect(bulkOutcome(Buffer.from('{"errors":false,"items":[]}'), () => [])).toBeUndefined();
  });
});
