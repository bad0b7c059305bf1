/**
 * How long the oldest record the sink has not released yet has waited, for health(): kept
 * per published batch, not per record. Each mark is (ring write position after a publish,
 * time of the first publish it covers); a mark whose position the ring's read position has
 * passed is released. The oldest mark still ahead of the read position dates the oldest
 * pending record, within the span of one mark: when all MARKS are taken, later publishes
 * extend the newest mark, which keeps its (older) time, so the age is never under-stated.
 *
 * Positions are the ring's free-running uint32 byte counts (ring.ts): "p is ahead of r" is
 * ((p - r) | 0) > 0, right as long as fewer than 2^31 bytes are in flight (a ring is smaller).
 */

// A power of two: positions in the marks wrap with a mask.
const MARKS = 16;

export class PendingAge {
  private readonly ends = new Int32Array(MARKS);
  private readonly times = new Float64Array(MARKS);
  private head = 0;
  private count = 0;

  /** After a publish: the ring's write position now and the ring's read position. */
  published(writePos: number, readPos: number, now: number): void {
    this.release(readPos);
    if (this.count === MARKS) {
      this.ends[(this.head + MARKS - 1) & (MARKS - 1)] = writePos;
      return;
    }
    const at = (this.head + this.count) & (MARKS - 1);
    this.ends[at] = writePos;
    this.times[at] = now;
    this.count++;
  }

  /** Milliseconds the oldest unreleased record has waited, 0 when none is pending. */
  ageMs(readPos: number, now: number): number {
    this.release(readPos);
    return this.count === 0 ? 0 : Math.max(0, now - this.times[this.head]!);
  }

  private release(readPos: number): void {
    while (this.count > 0 && ((this.ends[this.head]! - readPos) | 0) <= 0) {
      this.head = (this.head + 1) & (MARKS - 1);
      this.count--;
    }
  }
}
