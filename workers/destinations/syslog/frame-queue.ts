/**
 * A FIFO of encoded messages waiting for a socket, with its record and byte counts. An entry
 * is one Buffer holding one or more whole frames (a TCP write() call's records are encoded
 * into one), so the queue costs one allocation per batch, not per record. Entries are read
 * from a moving head: take() is O(entries taken), and the array is cut down only once the
 * taken part outweighs the rest, so a long queue is not copied on every write.
 */

// Below this many taken entries the array is left as it is until it empties.
const COMPACT_AFTER = 4096;

export interface Entry {
  buf: Buffer;
  records: number;
}

export class FrameQueue {
  private entries: Entry[] = [];
  private head = 0;
  /** Records queued. */
  records = 0;
  /** Bytes queued. */
  bytes = 0;

  get isEmpty(): boolean {
    return this.head === this.entries.length;
  }

  push(buf: Buffer, records: number): void {
    this.entries.push({ buf, records });
    this.records += records;
    this.bytes += buf.length;
  }

  /** Takes entries from the front up to `maxBytes` in all, at least one if any is queued. */
  take(maxBytes: number): Entry[] {
    const out: Entry[] = [];
    let bytes = 0;
    let records = 0;
    const entries = this.entries;
    while (this.head < entries.length) {
      const e = entries[this.head]!;
      if (out.length > 0 && bytes + e.buf.length > maxBytes) break;
      out.push(e);
      bytes += e.buf.length;
      records += e.records;
      this.head++;
    }
    this.bytes -= bytes;
    this.records -= records;
    if (this.head === entries.length) this.clear();
    else if (this.head > COMPACT_AFTER && this.head * 2 > entries.length) {
      this.entries = entries.slice(this.head);
      this.head = 0;
    }
    return out;
  }

  /** Puts entries taken earlier back at the front, in their order. */
  unshift(taken: Entry[]): void {
    this.entries = taken.concat(this.entries.slice(this.head));
    this.head = 0;
    for (const e of taken) {
      this.bytes += e.buf.length;
      this.records += e.records;
    }
  }

  clear(): void {
    this.entries = [];
    this.head = 0;
    this.records = 0;
    this.bytes = 0;
  }
}
