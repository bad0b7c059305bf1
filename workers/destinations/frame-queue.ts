/**
 * A FIFO of encoded messages waiting for a socket, with its byte count. An array read from a
 * moving head: take() is O(frames taken), and the array is cut down only once the taken part
 * outweighs the rest, so a long queue is not copied on every write.
 */

// Below this many taken entries the array is left as it is until it empties.
const COMPACT_AFTER = 4096;

export class FrameQueue {
  private frames: Buffer[] = [];
  private head = 0;
  /** Bytes of the frames queued. */
  bytes = 0;

  get length(): number {
    return this.frames.length - this.head;
  }

  push(frame: Buffer): void {
    this.frames.push(frame);
    this.bytes += frame.length;
  }

  /** Takes frames from the front up to `maxBytes` in all, at least one if any is queued. */
  take(maxBytes: number): Buffer[] {
    const out: Buffer[] = [];
    let bytes = 0;
    const frames = this.frames;
    while (this.head < frames.length) {
      const f = frames[this.head]!;
      if (out.length > 0 && bytes + f.length > maxBytes) break;
      out.push(f);
      bytes += f.length;
      this.head++;
    }
    this.bytes -= bytes;
    if (this.head === frames.length) this.clear();
    else if (this.head > COMPACT_AFTER && this.head * 2 > frames.length) {
      this.frames = frames.slice(this.head);
      this.head = 0;
    }
    return out;
  }

  /** Puts frames taken earlier back at the front, in their order. */
  unshift(taken: Buffer[]): void {
    this.frames = taken.concat(this.frames.slice(this.head));
    this.head = 0;
    for (const f of taken) this.bytes += f.length;
  }

  clear(): void {
    this.frames = [];
    this.head = 0;
    this.bytes = 0;
  }
}
