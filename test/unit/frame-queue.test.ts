import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Entry, FrameQueue } from '../../workers/destinations/syslog/frame-queue.js';

const text = (es: Entry[]) => es.map((e) => `${e.buf}/${e.records}`);

describe('FrameQueue', () => {
  it('takes entries in order up to a byte budget, at least one, counting records', () => {
    const q = new FrameQueue();
    q.push(Buffer.from('aa'), 2);
    q.push(Buffer.from('bbb'), 1);
    q.push(Buffer.from('c'), 1);
    q.push(Buffer.from('dddd'), 3);
    expect([q.records, q.bytes]).toEqual([7, 10]);
    expect(text(q.take(5))).toEqual(['aa/2', 'bbb/1']);
    expect([q.records, q.bytes]).toEqual([4, 5]);
    expect(text(q.take(0))).toEqual(['c/1']);
    const last = q.take(1);
    expect(text(last)).toEqual(['dddd/3']);
    expect(q.isEmpty).toBe(true);
    q.unshift(last);
    expect([q.records, q.bytes, q.isEmpty]).toEqual([3, 4, false]);
  });

  it('property: pushes, takes and put-backs keep order and counts, across compaction', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('push' as const), n: fc.integer({ min: 1, max: 3000 }) }),
            fc.record({ op: fc.constant('take' as const), n: fc.integer({ min: 0, max: 20_000 }) }),
            fc.record({ op: fc.constant('back' as const), n: fc.integer({ min: 0, max: 5000 }) }),
          ),
          { maxLength: 40 },
        ),
        (ops) => {
          const q = new FrameQueue();
          let model: Entry[] = [];
          let next = 0;
          for (const { op, n } of ops) {
            if (op === 'push') {
              for (let k = 0; k < n; k++) {
                const e = { buf: Buffer.from(String(next)), records: (next % 3) + 1 };
                next++;
                q.push(e.buf, e.records);
                model.push(e);
              }
            } else {
              const taken = q.take(n);
              let bytes = 0;
              let count = 0;
              for (const e of model) {
                if (count > 0 && bytes + e.buf.length > n) break;
                bytes += e.buf.length;
                count++;
              }
              expect(text(taken)).toEqual(text(model.slice(0, count)));
              model = model.slice(count);
              if (op === 'back') {
                q.unshift(taken);
                model = taken.concat(model);
              }
            }
            expect(q.records).toBe(model.reduce((a, e) => a + e.records, 0));
            expect(q.bytes).toBe(model.reduce((a, e) => a + e.buf.length, 0));
          }
          expect(text(q.take(Number.MAX_SAFE_INTEGER))).toEqual(text(model));
        },
      ),
      { numRuns: 100 },
    );
  });
});
