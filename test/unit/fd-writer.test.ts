/**
 * The sink's own fd writer (workers/destinations/stream/fd-writer.ts) against a real FIFO:
 * a reader that is slow (EAGAIN: whole records held, nothing lost or doubled once it reads), a
 * reader that goes away (EPIPE: counted as dropped, never written again), the hold bound, and
 * the bounded mkdir walk.
 */
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  constants,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FdWriter,
  makeParentDirectories,
  openFileWriter,
} from '../../workers/destinations/stream/fd-writer.js';

const open: number[] = [];
const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'ringlog-fdw-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  for (const fd of open.splice(0)) {
    try {
      closeSync(fd);
    } catch {
      // closed by the test
    }
  }
});

/** A FIFO with a non-blocking reader (ours) and a non-blocking writer fd. */
function fifo(): { reader: number; writer: number } {
  const path = join(tempDir(), 'p.fifo');
  execFileSync('mkfifo', [path]);
  const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const writer = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  open.push(reader, writer);
  return { reader, writer };
}

function readAll(fd: number): string {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(1 << 16);
  for (;;) {
    let n = 0;
    try {
      n = readSync(fd, buf);
    } catch {
      break; // EAGAIN: nothing more now
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks).toString('utf8');
}

function lines(from: number, to: number, size = 200): Buffer {
  let s = '';
  for (let i = from; i < to; i++) s += `${JSON.stringify({ i, pad: 'x'.repeat(size) })}\n`;
  return Buffer.from(s);
}

function seq(text: string): number[] {
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => (JSON.parse(l) as { i: number }).i);
}

describe('FdWriter', () => {
  it('holds what a slow reader cannot take yet, as whole records, and writes each once when it reads', async () => {
    const { reader, writer } = fifo();
    const w = new FdWriter('test', writer, { owned: false });
    // ~430 KB: far more than the pipe's 64 KiB.
    w.write(lines(0, 2000), 2000);
    expect(w.buffered).toBeGreaterThan(0);
    expect(w.written + w.buffered).toBe(2000);
    let got = '';
    for (let k = 0; k < 200 && (w.holding() || got.length === 0); k++) {
      got += readAll(reader);
      w.drain();
      await new Promise((r) => setTimeout(r, 2));
    }
    got += readAll(reader);
    expect(w.holding()).toBe(false);
    // Pieces of at most 4096 bytes cut at line ends: the reader never saw half a record.
    expect(seq(got)).toEqual(Array.from({ length: 2000 }, (_, k) => k));
    expect(w.stats()).toEqual({ written: 2000, dropped: 0, errors: 0, buffered: 0 });
  });

  it('drops past its bound when the reader takes nothing, and counts every record', () => {
    const { writer } = fifo();
    // stuckMs 0: a reader that took nothing since the last write counts as stuck at once (the
    // sink would otherwise pause the ring for up to STUCK_MS first).
    const w = new FdWriter('test', writer, { owned: false, holdBytes: 100_000, stuckMs: 0 });
    // Nobody reads.
    for (let k = 0; k < 20; k++) w.write(lines(k * 500, (k + 1) * 500), 500);
    const s = w.stats();
    expect(s.dropped).toBeGreaterThan(0);
    expect(s.buffered).toBeGreaterThan(0);
    expect(w.paused()).toBe(false);
    expect(s.written + s.dropped + s.buffered).toBe(10_000);
    w.finish('in the test');
    expect(w.stats().written + w.stats().dropped).toBe(10_000);
    expect(w.stats().buffered).toBe(0);
  });

  it('stops for good when the reader is gone (EPIPE), and counts the rest as dropped', () => {
    const { reader, writer } = fifo();
    const w = new FdWriter('test', writer, { owned: false });
    w.write(lines(0, 10), 10);
    closeSync(reader);
    open.splice(open.indexOf(reader), 1);
    w.write(lines(10, 20), 10);
    w.write(lines(20, 30), 10);
    expect(w.stats()).toEqual({ written: 10, dropped: 20, errors: 1, buffered: 0 });
    expect(w.paused()).toBe(false);
  });

  it('writes a file and counts its records', () => {
    const dir = tempDir();
    const path = join(dir, 'a', 'b', 'x.log');
    const w = openFileWriter('file', path, { mkdir: true, append: true });
    w.write(lines(0, 100), 100);
    w.close();
    expect(w.stats()).toEqual({ written: 100, dropped: 0, errors: 0, buffered: 0 });
  });
});

describe('makeParentDirectories', () => {
  it('fails at once, with the errno, where Node’s recursive mkdir loops for ever', () => {
    expect(() => makeParentDirectories('/proc/nope/x.log')).toThrow(/ENOENT/);
  });

  it('says ENOTDIR when a parent is a file', () => {
    const file = join(tempDir(), 'plain');
    writeFileSync(file, '');
    expect(() => makeParentDirectories(join(file, 'sub', 'x.log'))).toThrow(/ENOTDIR/);
  });
});
