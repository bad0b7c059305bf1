import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Channel } from '../../src/logger/channel.js';
import { createRingBuffer, RingReader, RingWriter } from '../../src/protocol/ring.js';
import { checkRingOutput, recordLine, UNIT_BYTES } from '../e2e/ring-check.js';

/** A small seeded generator for the consumer's choices (fast-check gives the seed). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const levelOf = (seq: number): number => 1 + (seq % 50);

interface SinkSpeed {
  /** Chance that a turn of the sink does anything. */
  drainP: number;
  /** Most batches taken in one turn. */
  maxBatches: number;
  /** Chance that a turn ends by writing what it took and releasing it. */
  releaseP: number;
  /** Chance that a turn begins with the sink dying and a new reader taking over. */
  restartP: number;
}

/**
 * The sink, driven in this thread at the points the producer gives it (each publish, each
 * wake before a producer waits, between records). It takes batches, "writes" them when it
 * releases them (as workers/sink does: write, then release), and may die at the start of a
 * turn, losing what it took and had not released: its successor reads from READ_POS.
 */
class ModelSink {
  readonly out: string[] = [];
  readonly problems: string[] = [];
  private reader: RingReader;
  private taken: string[] = [];
  private takenRecords = 0;
  private finished = false;

  constructor(
    private readonly sab: SharedArrayBuffer,
    private readonly rand: () => number,
    private readonly speed: SinkSpeed,
  ) {
    this.reader = new RingReader(sab);
  }

  turn(): void {
    if (this.finished) return; // a publish's deferred ring after the run ended
    if (this.rand() < this.speed.restartP) {
      this.taken = [];
      this.takenRecords = 0;
      this.reader = new RingReader(this.sab);
    }
    if (this.rand() >= this.speed.drainP) return;
    let budget = 1 + Math.floor(this.rand() * this.speed.maxBatches);
    while (budget-- > 0 && this.reader.nextBatch()) this.take();
    if (this.rand() < this.speed.releaseP) this.release();
  }

  /** Takes everything left, as a sink that keeps going does after the producer stops. */
  finish(): void {
    do {
      while (this.reader.nextBatch()) this.take();
      this.release();
    } while (this.reader.hasData());
    this.finished = true;
  }

  private take(): void {
    const r = this.reader;
    const text = r.payload.toString('utf8');
    const lines = text.split('\n');
    if (lines.pop() !== '') this.problems.push('a batch does not end with a newline');
    if (lines.length !== r.records)
      this.problems.push(`a batch holds ${lines.length} lines for ${r.records} records`);
    // Each line's level byte, where the line is whole (the checker reports the others).
    lines.forEach((line, i) => {
      try {
        const { seq } = JSON.parse(line) as { seq: number };
        if (r.bytes[r.levelsStart + i] !== levelOf(seq))
          this.problems.push(`seq ${seq} came with level byte ${r.bytes[r.levelsStart + i]}`);
      } catch {}
    });
    this.taken.push(text);
    this.takenRecords += r.records;
  }

  private release(): void {
    this.out.push(...this.taken);
    this.reader.release(this.takenRecords);
    this.taken = [];
    this.takenRecords = 0;
  }
}

const sinkSpeed: fc.Arbitrary<SinkSpeed> = fc.oneof(
  // fast: takes everything it can at every turn
  fc.constant({ drainP: 1, maxBatches: 1_000, releaseP: 1, restartP: 0 }),
  // slow: now and then, a little, holding batches across turns
  fc.record({
    drainP: fc.double({ min: 0.02, max: 0.5, noNaN: true }),
    maxBatches: fc.integer({ min: 1, max: 3 }),
    releaseP: fc.double({ min: 0.2, max: 1, noNaN: true }),
    restartP: fc.constant(0),
  }),
  // restarted: any speed, dying at random turns
  fc.record({
    drainP: fc.double({ min: 0.05, max: 1, noNaN: true }),
    maxBatches: fc.integer({ min: 1, max: 50 }),
    releaseP: fc.double({ min: 0.2, max: 1, noNaN: true }),
    restartP: fc.double({ min: 0.01, max: 0.3, noNaN: true }),
  }),
);

const scenario = fc
  .record({
    ringBytes: fc.constantFrom(4096, 8192, 16384, 65536),
    maxBatchBytes: fc.integer({ min: 256, max: 16_384 }),
    onFull: fc.constantFrom('block' as const, 'drop' as const),
    blockTimeoutMs: fc.integer({ min: 0, max: 1 }),
    // Relative to the ring: from a few bytes to 2.5 rings, so some records pass a quarter
    // of the ring (fragmented) and some the whole ring.
    sizes: fc.array(
      fc.oneof(
        fc.double({ min: 0, max: 0.05, noNaN: true }),
        fc.double({ min: 0.05, max: 0.5, noNaN: true }),
        fc.double({ min: 0.5, max: 2.5, noNaN: true }),
      ),
      { minLength: 1, maxLength: 60 },
    ),
    // Chance of an end of tick (publish and a sink turn) after each record.
    tickP: fc.double({ min: 0, max: 1, noNaN: true }),
    speed: sinkSpeed,
    seed: fc.integer(),
  })
  .map((s) => ({
    ...s,
    reps: s.sizes.map((f) => Math.floor((f * s.ringBytes) / UNIT_BYTES)),
  }));

// RINGLOG_PROPERTY_RUNS=5000 npx vitest run test/unit/ring-property.test.ts for a longer search.
const RUNS = Number(process.env.RINGLOG_PROPERTY_RUNS ?? 0) || 300;

describe('property: the ring never yields a broken line', () => {
  it('over ring size, record sizes, policy and a sink that is fast, slow or restarted', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const sab = createRingBuffer(s.ringBytes);
        const writer = new RingWriter(sab);
        const rand = prng(s.seed);
        const sink = new ModelSink(sab, rand, s.speed);
        const channel = new Channel(
          writer,
          { published: () => sink.turn(), wake: () => sink.turn() },
          { maxBatchBytes: s.maxBatchBytes, onFull: s.onFull, blockTimeoutMs: s.blockTimeoutMs },
        );
        channel.schedule = () => {}; // ends of ticks come from this loop
        s.reps.forEach((reps, seq) => {
          channel.append(recordLine(seq, reps), levelOf(seq));
          if (rand() < s.tickP) {
            channel.publish();
            sink.turn();
          }
        });
        channel.publish();
        sink.finish();
        expect(sink.problems).toEqual([]);
        expect(writer.usedBytes()).toBe(0);
        const d = channel.dropped;
        expect(
          checkRingOutput({
            text: sink.out.join(''),
            logged: s.reps.length,
            written: writer.recordsWritten(),
            dropped: d.ringFull + d.blockTimeout + d.closed + writer.recordsDiscarded(),
          }),
        ).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });
});
