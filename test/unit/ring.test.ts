import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { Channel, type SinkLink } from '../../src/logger/channel.js';
import {
  createControlBuffer,
  createRingBuffer,
  FRAME_BATCH,
  FRAME_FIRST,
  FRAME_FRAGMENT,
  FRAME_LAST,
  RingReader,
  RingWriter,
} from '../../src/protocol/ring.js';

const noLink: SinkLink = { published() {}, wake() {} };

function levelsOf(...values: number[]): Uint8ClampedArray {
  return Uint8ClampedArray.from(values);
}

/** Reads every published batch as [text, levels]. */
function readAll(reader: RingReader): Array<[string, number[]]> {
  const out: Array<[string, number[]]> = [];
  let records = 0;
  while (reader.nextBatch()) {
    const levels = [
      ...reader.bytes.subarray(reader.levelsStart, reader.levelsStart + reader.records),
    ];
    out.push([reader.payload.toString('utf8'), levels]);
    records += reader.records;
  }
  reader.release(records);
  return out;
}

describe('ring', () => {
  it('rejects capacities that are not a power of two in range', () => {
    expect(() => createRingBuffer(5000)).toThrow(/power of two/);
    expect(() => createRingBuffer(1024)).toThrow(/power of two/);
  });

  it('passes frames through in order across many wrap-arounds', () => {
    const sab = createRingBuffer(4096);
    const writer = new RingWriter(sab);
    const reader = new RingReader(sab);
    let expected = 0;
    let next = 0;
    for (let round = 0; round < 2000; round++) {
      // Sizes that do not divide the capacity, so frames land on every offset and wrap.
      const text = `${next} ${'x'.repeat((round * 37) % 300)}\n`;
      expect(writer.tryWriteFrame(text, levelsOf(round % 60), 1, round % 60, FRAME_BATCH)).toBe(
        true,
      );
      next++;
      if (round % 3 === 2) {
        for (const [t, levels] of readAll(reader)) {
          expect(Number(t.split(' ')[0])).toBe(expected);
          expect(levels).toEqual([expected % 60]);
          expected++;
        }
      }
    }
    for (const [t] of readAll(reader)) expect(Number(t.split(' ')[0])).toBe(expected++);
    expect(expected).toBe(2000);
    expect(writer.recordsWritten()).toBe(2000);
  });

  it('refuses a frame when full and accepts it once the reader releases space', () => {
    const sab = createRingBuffer(4096);
    const writer = new RingWriter(sab);
    const reader = new RingReader(sab);
    const text = `${'y'.repeat(200)}\n`;
    let published = 0;
    while (writer.tryWriteFrame(text, levelsOf(30), 1, 30, FRAME_BATCH)) published++;
    // 16 header + 1 level byte + 201 text, aligned to 8 = 224 bytes a frame.
    expect(published).toBe(Math.floor(4096 / 224));
    expect(writer.usedBytes()).toBeLessThanOrEqual(4096);
    expect(writer.tryWriteFrame(text, levelsOf(30), 1, 30, FRAME_BATCH)).toBe(false);
    expect(readAll(reader)).toHaveLength(published);
    expect(writer.usedBytes()).toBe(0);
    expect(writer.tryWriteFrame(text, levelsOf(30), 1, 30, FRAME_BATCH)).toBe(true);
    expect(writer.highWaterBytes).toBeGreaterThan(4096 - 224);
  });

  it('keeps multi-byte characters whole, including at the wrap point', () => {
    const sab = createRingBuffer(4096);
    const writer = new RingWriter(sab);
    const reader = new RingReader(sab);
    const texts: string[] = [];
    for (let i = 0; i < 500; i++) {
      const t = `${i} ${'é€😀'.repeat(i % 40)}\n`;
      texts.push(t);
      expect(writer.tryWriteFrame(t, levelsOf(1), 1, 1, FRAME_BATCH)).toBe(true);
      if (i % 4 === 3) for (const [got] of readAll(reader)) expect(got).toBe(texts.shift());
    }
    for (const [got] of readAll(reader)) expect(got).toBe(texts.shift());
    expect(texts).toEqual([]);
  });

  it('carries a record larger than the whole ring as fragments', () => {
    const sab = createRingBuffer(64 * 1024);
    const channel = new Channel(new RingWriter(sab), noLink, {
      maxBatchBytes: 8192,
      onFull: 'drop',
      blockTimeoutMs: 0,
    });
    const reader = new RingReader(sab);
    // 40,000 characters, many of them 3 bytes in UTF-8: too big for one frame.
    const big = `${'€'.repeat(12_000)}${'a'.repeat(28_000)}\n`;
    channel.append('{"small":1}\n', 20);
    channel.append(big, 50);
    channel.publish();
    const batches = readAll(reader);
    const all = batches.map(([t]) => t).join('');
    expect(all).toBe(`{"small":1}\n${big}`);
    expect(batches.flatMap(([, l]) => l)).toEqual([20, 50]);
  });

  it('does not glue a run abandoned midway onto the next run', () => {
    const sab = createRingBuffer(4096);
    const channel = new Channel(new RingWriter(sab), noLink, {
      maxBatchBytes: 256,
      onFull: 'drop',
      blockTimeoutMs: 0,
    });
    const reader = new RingReader(sab);
    // 5,000 characters: its first fragments fill the ring, the rest is refused.
    channel.append(`{"run":1,"pad":"${'a'.repeat(5_000)}"}\n`, 30);
    channel.publish();
    expect(channel.dropped.ringFull).toBe(1);
    expect(readAll(reader)).toEqual([]); // its fragments taken, nothing whole to hand out
    const second = `{"run":2,"pad":"${'b'.repeat(2_000)}"}\n`;
    channel.append(second, 40);
    channel.publish();
    expect(readAll(reader)).toEqual([[second, [40]]]);
    expect(channel.dropped.ringFull).toBe(1);
  });

  it('a reader that begins in the middle of a run skips its rest and counts its records', () => {
    const sab = createRingBuffer(4096);
    const writer = new RingWriter(sab);
    const first = new RingReader(sab);
    expect(writer.tryWriteFrame('{"a":', levelsOf(), 0, 30, FRAME_FRAGMENT | FRAME_FIRST)).toBe(
      true,
    );
    // The first reader copies the fragment and hands its space back, then dies with it.
    expect(first.nextBatch()).toBe(false);
    expect(writer.usedBytes()).toBe(0);
    expect(
      writer.tryWriteFrame('1}\n{"b":2}\n', levelsOf(30, 30), 2, 30, FRAME_BATCH | FRAME_LAST),
    ).toBe(true);
    expect(writer.tryWriteFrame('{"c":3}\n', levelsOf(50), 1, 50, FRAME_BATCH)).toBe(true);
    const second = new RingReader(sab);
    expect(readAll(second)).toEqual([['{"c":3}\n', [50]]]);
    expect(writer.recordsDiscarded()).toBe(2);
    expect(writer.recordsWritten()).toBe(1);
    expect(writer.usedBytes()).toBe(0);
  });

  it("drops and counts a batch under onFull 'drop' and leaves the ring readable", () => {
    const sab = createRingBuffer(4096);
    const channel = new Channel(new RingWriter(sab), noLink, {
      maxBatchBytes: 256,
      onFull: 'drop',
      blockTimeoutMs: 0,
    });
    const reader = new RingReader(sab);
    for (let i = 0; i < 200; i++) channel.append(`{"i":${i},"pad":"${'z'.repeat(100)}"}\n`, 30);
    channel.publish();
    const lines = readAll(reader).flatMap(([t]) => t.split('\n').filter(Boolean));
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(lines.length + channel.dropped.ringFull).toBe(200);
    expect(channel.dropped.ringFull).toBeGreaterThan(0);
    expect(channel.enqueued).toBe(200);
  });

  it("blocks under onFull 'block' for at most blockTimeoutMs, then counts the drop", () => {
    const sab = createRingBuffer(4096);
    const channel = new Channel(new RingWriter(sab), noLink, {
      maxBatchBytes: 256,
      onFull: 'block',
      blockTimeoutMs: 50,
    });
    const started = Date.now();
    for (let i = 0; i < 40; i++) channel.append(`{"i":${i},"pad":"${'z'.repeat(200)}"}\n`, 30);
    channel.publish();
    const waited = Date.now() - started;
    expect(channel.dropped.blockTimeout).toBeGreaterThan(0);
    expect(channel.dropped.ringFull).toBe(0);
    // Each refused batch waited its own 50 ms; nothing waited for ever.
    expect(waited).toBeGreaterThanOrEqual(45);
    expect(waited).toBeLessThan(40 * 50 + 2000);
  });
});

describe('ring between two threads', () => {
  it('moves 1,000,000 records of random sizes in order, with checksums and levels intact', async () => {
    const records = 1_000_000;
    const ring = createRingBuffer(64 * 1024);
    const control = createControlBuffer();
    const producer = new Worker(new URL('../fixtures/ring-producer.mjs', import.meta.url), {
      workerData: { ring, control, records, seed: 12345, maxBatchBytes: 4096 },
    });
    const done = new Promise<{ dropped: Record<string, number>; enqueued: number; big: number }>(
      (resolve, reject) => {
        producer.once('message', resolve);
        producer.once('error', reject);
      },
    );
    const reader = new RingReader(ring);
    const checksum = (str: string): number => {
      let h = 2166136261;
      for (let i = 0; i < str.length; i++) h = Math.imul(h ^ str.charCodeAt(i), 16777619);
      return h >>> 0;
    };
    let seq = 0;
    let bad = 0;
    let carry = '';
    let producerDone = false;
    void done.then(() => {
      producerDone = true;
    });
    while (seq < records) {
      if (!reader.nextBatch()) {
        if (producerDone && !reader.hasData()) break;
        await new Promise((r) => setImmediate(r));
        continue;
      }
      const levels = reader.bytes.subarray(reader.levelsStart, reader.levelsStart + reader.records);
      const text = carry + reader.payload.toString('utf8');
      const lines = text.split('\n');
      carry = lines.pop() ?? '';
      expect(lines.length).toBe(reader.records);
      lines.forEach((line, i) => {
        const [s, len, sum] = line.split(' ', 3);
        const payload = line.slice(s!.length + len!.length + sum!.length + 3);
        if (
          Number(s) !== seq ||
          payload.length !== Number(len) ||
          checksum(payload) !== Number(sum) ||
          levels[i] !== seq % 200
        ) {
          bad++;
        }
        seq++;
      });
      reader.release(reader.records);
    }
    const result = await done;
    await producer.terminate();
    expect(bad).toBe(0);
    expect(carry).toBe('');
    // About one in a thousand records is larger than the whole ring.
    expect(result.big).toBeGreaterThan(500);
    expect(result.dropped).toEqual({ ringFull: 0, blockTimeout: 0, closed: 0 });
    expect(seq).toBe(records);
  }, 180_000); // two threads on 2 cores: 17–40 s alone, more beside other test files
});
