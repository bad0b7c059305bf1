/**
 * Disk spool: batches that cannot be sent are kept as files in one directory, one batch per
 * file, holding the NDJSON lines as logged (the body is encoded again when replayed).
 *
 *   <dir>/<seq, 16 digits>-<n, 8 digits>-<records>.ndjson
 *
 *   seq is the batch's number, given when it was cut (so a batch that was in flight when the
 *   backend went down still sorts before the ones cut after it); n tells apart the pieces of
 *   one batch (413 halves, bulk items sent again). Written as .tmp, then renamed: a file
 *   with the final name is always whole.
 *
 * Files are replayed oldest first (lowest name), also by the next process that opens the
 * directory. Past maxBytes the oldest files are deleted and their records counted as dropped.
 * One directory belongs to one process at a time.
 */
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

const NAME = /^(\d{16})-(\d{8})-(\d+)\.ndjson$/;

export interface SpoolEntry {
  name: string;
  seq: number;
  bytes: number;
  records: number;
}

export class Spool {
  private readonly entries: SpoolEntry[] = [];
  /** The first batch number free for this process: above every spooled one. */
  nextSeq = 1;
  private piece = 0;
  bytes = 0;
  records = 0;

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
  ) {
    mkdirSync(dir, { recursive: true });
    for (const name of readdirSync(dir).sort()) {
      const m = NAME.exec(name);
      if (m === null) {
        // A .tmp left by a process that died while writing it: never complete, never sent.
        if (name.endsWith('.tmp')) unlinkSync(join(dir, name));
        continue;
      }
      const bytes = statSync(join(dir, name)).size;
      const seq = Number(m[1]);
      this.entries.push({ name, seq, bytes, records: Number(m[3]) });
      this.bytes += bytes;
      this.records += Number(m[3]);
      this.nextSeq = Math.max(this.nextSeq, seq + 1);
    }
  }

  get size(): number {
    return this.entries.length;
  }

  /** Writes a batch; returns its file name (undefined when it does not fit in the budget)
   * and the records deleted to stay within maxBytes (this batch's, when it does not fit).
   * Files in `busy` (being sent) are never deleted. Throws on I/O errors. */
  add(
    data: Buffer,
    records: number,
    seq: number,
    busy: ReadonlySet<string>,
  ): { name: string | undefined; evicted: number } {
    let free = this.maxBytes - this.bytes;
    if (free < data.length) {
      for (const e of this.entries) if (!busy.has(e.name)) free += e.bytes;
    }
    if (free < data.length) return { name: undefined, evicted: records };
    let dropped = 0;
    for (let i = 0; i < this.entries.length && this.bytes + data.length > this.maxBytes; ) {
      const old = this.entries[i]!;
      if (busy.has(old.name)) {
        i++;
        continue;
      }
      this.entries.splice(i, 1);
      this.forget(old);
      dropped += old.records;
      try {
        unlinkSync(join(this.dir, old.name));
      } catch {
        // Already gone: the budget is what we count, not the file.
      }
    }
    this.piece = (this.piece + 1) % 1e8;
    const name = `${String(seq).padStart(16, '0')}-${String(this.piece).padStart(8, '0')}-${records}.ndjson`;
    const tmp = join(this.dir, `${name}.tmp`);
    writeFileSync(tmp, data);
    renameSync(tmp, join(this.dir, name));
    const entry: SpoolEntry = { name, seq, bytes: data.length, records };
    // Kept in name order: a batch that was in flight may sort before ones spilled earlier.
    let i = this.entries.length;
    while (i > 0 && this.entries[i - 1]!.name > name) i--;
    this.entries.splice(i, 0, entry);
    this.bytes += data.length;
    this.records += records;
    return { name, evicted: dropped };
  }

  /** The oldest batch not in `busy`, without reading it. */
  oldest(busy: Set<string>): SpoolEntry | undefined {
    for (const entry of this.entries) if (!busy.has(entry.name)) return entry;
    return undefined;
  }

  /** The oldest batch not in `busy`, read from disk; undefined when there is none. */
  takeOldest(busy: Set<string>): { entry: SpoolEntry; data: Buffer } | undefined {
    for (const entry of this.entries) {
      if (busy.has(entry.name)) continue;
      try {
        return { entry, data: readFileSync(join(this.dir, entry.name)) };
      } catch {
        // Deleted under us: forget it and go on with the next.
        this.remove(entry.name);
        return this.takeOldest(busy);
      }
    }
    return undefined;
  }

  /** Deletes a batch once it was sent (or rejected for good). */
  remove(name: string): void {
    const i = this.entries.findIndex((e) => e.name === name);
    if (i === -1) return;
    this.forget(this.entries[i]!);
    this.entries.splice(i, 1);
    try {
      unlinkSync(join(this.dir, name));
    } catch {
      // Gone already.
    }
  }

  /** Whether `name` is still spooled (it may have been evicted while in flight). */
  has(name: string): boolean {
    return this.entries.some((e) => e.name === name);
  }

  private forget(e: SpoolEntry): void {
    this.bytes -= e.bytes;
    this.records -= e.records;
  }
}
