import { describe, expect, it } from 'vitest';
import { Channel, type SinkLink } from '../../src/logger/channel.js';
import {
  createControlBuffer,
  createRingBuffer,
  RingWriter,
  SINK_ASLEEP,
  SINK_LINGERING,
  SinkAlarm,
  SinkDoorbell,
} from '../../src/protocol/ring.js';

// SINK_SLEEPING's word, at the byte offset the header comment of src/protocol/ring.ts gives.
const SINK_SLEEPING = 64 / 4;

function controlBlock() {
  const control = createControlBuffer();
  return {
    alarm: new SinkAlarm(control),
    bell: new SinkDoorbell(control),
    state: () => Atomics.load(new Int32Array(control), SINK_SLEEPING),
  };
}

/** Starts a sleep and reports when it ended, in ms after it started, or undefined. */
function timed(sleep: Promise<void>) {
  const started = performance.now();
  const r: { ms: number | undefined; done: Promise<void> } = { ms: undefined, done: sleep };
  r.done = sleep.then(() => {
    r.ms = performance.now() - started;
  });
  return r;
}

const nothing = () => false;
// A linger long enough that only a ring can have ended it within the test's time.
const LONG_MS = 60_000;

describe('the doorbell of a lingering sink', () => {
  it('is not rung by a plain publish: the sink looks on its own when its linger ends', async () => {
    const { alarm, bell, state } = controlBlock();
    const s = timed(alarm.sleep(nothing, 50));
    expect(state()).toBe(SINK_LINGERING);
    const before = bell.wakes();
    bell.ring(false);
    expect(bell.wakes()).toBe(before);
    await s.done;
    // Ended by its timeout (50 ms), not by the ring.
    expect(s.ms).toBeGreaterThanOrEqual(45);
    expect(state()).toBe(0);
  });

  it('is rung by an urgent publish (a ring that holds enough), at once', async () => {
    const { alarm, bell } = controlBlock();
    const s = timed(alarm.sleep(nothing, LONG_MS));
    const before = bell.wakes();
    bell.ring(true);
    expect(bell.wakes()).toBe(before + 1);
    await s.done;
    expect(s.ms).toBeLessThan(5_000);
  });

  it('is rung by a flush request and by wake() (a producer blocked on a full ring), at once', async () => {
    const { alarm, bell } = controlBlock();
    const f = timed(alarm.sleep(nothing, LONG_MS));
    const ticket = bell.requestFlush();
    await f.done;
    expect(f.ms).toBeLessThan(5_000);
    expect(alarm.flushRequested()).toBe(ticket);
    const w = timed(alarm.sleep(nothing, LONG_MS));
    bell.wake();
    await w.done;
    expect(w.ms).toBeLessThan(5_000);
  });

  it('rings a sink asleep for a ring on every publish, urgent or not', async () => {
    const { alarm, bell, state } = controlBlock();
    const s = timed(alarm.sleep(nothing));
    expect(state()).toBe(SINK_ASLEEP);
    const before = bell.wakes();
    bell.ring(false);
    expect(bell.wakes()).toBe(before + 1);
    // The first ring took the state back: publishes before the sink has run ring no more.
    expect(state()).toBe(0);
    bell.ring(true);
    expect(bell.wakes()).toBe(before + 1);
    await s.done;
    expect(s.ms).toBeLessThan(5_000);
  });

  it('does not wait at all when there is work already', async () => {
    const { alarm } = controlBlock();
    const s = timed(alarm.sleep(() => true, LONG_MS));
    await s.done;
    expect(s.ms).toBeLessThan(5_000);
  });
});

describe('a channel ringing its sink', () => {
  it('marks an end-of-tick publish urgent once the ring holds a 64th of its capacity', () => {
    const calls: boolean[] = [];
    const link: SinkLink = { published: (urgent) => calls.push(urgent), wake() {} };
    const ring = new RingWriter(createRingBuffer(64 * 1024));
    const channel = new Channel(ring, link, {
      maxBatchBytes: 1024,
      onFull: 'drop',
      blockTimeoutMs: 0,
    });
    const line = `${JSON.stringify({ level: 30, msg: 'x'.repeat(200) })}\n`;
    // Nothing drains this ring: publish batches until it holds a 64th of its bytes.
    while (ring.usedBytes() < ring.capacity >>> 6) {
      channel.append(line, 30);
      channel.publish();
      expect(calls.at(-1)).toBe(ring.usedBytes() >= ring.capacity >>> 6);
    }
    expect(calls.filter((u) => !u).length).toBeGreaterThan(0);
    expect(calls.at(-1)).toBe(true);
  });
});
