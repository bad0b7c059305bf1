import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { StreamFeeder } from '../../workers/destinations/pino-transport/stream-feeder.js';

/** A stream that takes one write at a time and finishes it only when told to. */
function slowStream() {
  const pending: Array<() => void> = [];
  const stream = new Writable({
    highWaterMark: 1,
    write(_chunk, _enc, cb) {
      pending.push(cb);
    },
  });
  const finishAll = () => {
    for (const cb of pending.splice(0)) cb();
  };
  return { stream, finishAll };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('StreamFeeder', () => {
  it('says its state: retrying while the stream asks to wait, failing when full, closed once closed', async () => {
    const { stream, finishAll } = slowStream();
    const feeder = new StreamFeeder(stream, 'test', 300);
    const line = Buffer.from(`${JSON.stringify({ msg: 'x'.repeat(90) })}\n`);
    expect(feeder.state()).toBe('ok');
    feeder.write(line, 1); // the stream wants a drain after this one
    expect(feeder.state()).toBe('retrying');
    // 101 bytes each: two fit in the 300 bytes, the next two are dropped.
    for (let i = 0; i < 4; i++) feeder.write(line, 1);
    expect(feeder.stats().dropped).toBe(2);
    expect(feeder.state()).toBe('failing');
    for (let i = 0; i < 10 && feeder.state() !== 'ok'; i++) {
      finishAll();
      await tick();
    }
    expect(feeder.state()).toBe('ok');
    expect(feeder.stats()).toMatchObject({ written: 3, buffered: 0 });
    const closing = feeder.close();
    for (let i = 0; i < 10; i++) {
      finishAll();
      await tick();
    }
    await closing;
    expect(feeder.state()).toBe('closed');
  });

  it('counts its buffer in bytes both ways, so non-ASCII backlogs do not leak its bound', async () => {
    const { stream, finishAll } = slowStream();
    const feeder = new StreamFeeder(stream, 'test', 1000);
    const line = Buffer.from(`${JSON.stringify({ msg: 'ü'.repeat(90) })}\n`); // 190 bytes, 100 chars
    for (let cycle = 0; cycle < 20; cycle++) {
      feeder.write(line, 1); // goes to the stream, which then wants a drain
      for (let i = 0; i < 4; i++) feeder.write(line, 1); // 760 bytes queued: within 1000
      finishAll();
      await tick();
      finishAll();
      await tick();
      for (let i = 0; i < 5; i++) {
        finishAll();
        await tick();
      }
    }
    const s = feeder.stats();
    expect(s.dropped).toBe(0);
    expect(s.written).toBe(100);
    expect(s.buffered).toBe(0);
  });

  it('drops, and counts, what goes past its bound while the stream is slow', async () => {
    const { stream, finishAll } = slowStream();
    const feeder = new StreamFeeder(stream, 'test', 1000);
    const line = Buffer.from(`${'x'.repeat(299)}\n`);
    feeder.write(line, 1);
    for (let i = 0; i < 5; i++) feeder.write(line, 1); // 3 fit (900 bytes), 2 do not
    expect(feeder.stats()).toMatchObject({ dropped: 2, buffered: 3 });
    for (let i = 0; i < 6; i++) {
      finishAll();
      await tick();
    }
    expect(feeder.stats()).toMatchObject({ written: 4, dropped: 2, buffered: 0 });
  });
});
