import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameQueue } from '../../workers/destinations/frame-queue.js';

describe('FrameQueue', () => {
  it('takes frames in order up to a byte budget, at least one', () => {
    const q = new FrameQueue();
    for (const s of ['aa', 'bbb', 'c', 'dddd']) q.push(Buffer.from(s));
    expect(q.bytes).toBe(10);
    expect(q.take(5).map(String)).toEqual(['aa', 'bbb']);
    expect(q.take(0).map(String)).toEqual(['c']);
    expect(q.take(1).map(String)).toEqual(['dddd']);
    expect(q.take(100)).toEqual([]);
    expect([q.length, q.bytes]).toEqual([0, 0]);
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
          let model: Buffer[] = [];
          let next = 0;
          for (const { op, n } of ops) {
            if (op === 'push') {
              for (let k = 0; k < n; k++) {
                const b = Buffer.from(String(next++));
                q.push(b);
                model.push(b);
              }
            } else {
              const taken = q.take(n);
              let bytes = 0;
              let count = 0;
              for (const f of model) {
                if (count > 0 && bytes + f.length > n) break;
                bytes += f.length;
                count++;
              }
              expect(taken).toEqual(model.slice(0, count));
              model = model.slice(count);
              if (op === 'back') {
                q.unshift(taken);
                model = taken.concat(model);
              }
            }
            expect(q.length).toBe(model.length);
            expect(q.bytes).toBe(model.reduce((a, b) => a + b.length, 0));
          }
          expect(q.take(Number.MAX_SAFE_INTEGER)).toEqual(model);
        },
      ),
      { numRuns: 100 },
    );
  });
});
