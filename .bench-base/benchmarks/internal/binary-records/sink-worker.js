// The prototype's sink thread. mode 'drain': read the ring as ringlog's sink does (sleep when
// empty, release after the write), format each record and write the lines to `path`; with
// `copyOnly`, copy each frame's bytes out instead (today's sink's share of work). mode
// 'offline': the sink's cost per record, binary batches formatted against today's text
// batches copied, alternating in this thread, after checking that both give the same bytes.
import { closeSync, openSync, writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { BUSY_AT, DONE, HEADER_BYTES, R, SLEEPING, STOP, W } from './codec.js';
import { Formatter, readFrames } from './format.js';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function drain({ ring, path, copyOnly }) {
  const i32 = new Int32Array(ring, 0, HEADER_BYTES / 4);
  const busy = new Float64Array(ring, BUSY_AT, 1);
  const data = Buffer.from(ring, HEADER_BYTES);
  const cap = data.length;
  const fd = openSync(path, 'w');
  const f = new Formatter();
  let done = 0;
  const onFrame = (src, start, end, records) => {
    if (copyOnly) {
      f.ensure(end - start);
      f.o += src.copy(f.out, f.o, start, end);
      done += records;
    } else done += f.batch(src, start, end);
    if (f.o >= 256 * 1024) {
      writeSync(fd, f.out, 0, f.o);
      f.o = 0;
    }
  };
  let r = Atomics.load(i32, R);
  for (;;) {
    const w = Atomics.load(i32, W);
    if (w !== r) {
      const t0 = process.hrtime.bigint();
      r = readFrames(data, cap, r, w, onFrame);
      if (f.o > 0) writeSync(fd, f.out, 0, f.o);
      f.o = 0;
      busy[0] += Number(process.hrtime.bigint() - t0);
      Atomics.store(i32, R, r);
      Atomics.notify(i32, R);
      Atomics.store(i32, DONE, done);
      Atomics.notify(i32, DONE);
      continue;
    }
    if (Atomics.load(i32, STOP) === 1) break;
    Atomics.store(i32, SLEEPING, 1);
    if (Atomics.load(i32, W) === r) Atomics.wait(i32, SLEEPING, 1, 20);
    Atomics.store(i32, SLEEPING, 0);
  }
  closeSync(fd);
  parentPort.postMessage({ done });
}

/** ns per record: `rounds` alternating rounds of formatting `bin` and copying `text`. */
function offline({ scenarios, rounds }) {
  const results = {};
  for (const [id, { bin, text, expected, records }] of Object.entries(scenarios)) {
    const f = new Formatter(4 << 20);
    // Check first: the formatted batches, end to end, are today's lines byte for byte.
    for (const b of bin) f.batch(Buffer.from(b.bytes), 0, b.bytes.length);
    const got = f.out.subarray(0, f.o);
    const same = Buffer.compare(got, Buffer.from(expected)) === 0;
    f.o = 0;
    const binBufs = bin.map((b) => Buffer.from(b.bytes));
    const textBufs = text.map((t) => Buffer.from(t));
    const out = Buffer.allocUnsafeSlow(4 << 20);
    const format = () => {
      const t0 = process.hrtime.bigint();
      for (const b of binBufs) {
        f.o = 0;
        f.batch(b, 0, b.length);
      }
      return Number(process.hrtime.bigint() - t0) / records;
    };
    const copy = () => {
      const t0 = process.hrtime.bigint();
      // Today's sink hands the batch's bytes to the destination: one copy out of the ring.
      for (const t of textBufs) t.copy(out, 0);
      return Number(process.hrtime.bigint() - t0) / records;
    };
    for (let i = 0; i < 20; i++) {
      format();
      copy();
    }
    const fs = [];
    const cs = [];
    const ratios = [];
    for (let r = 0; r < rounds; r++) {
      const a = r % 2 === 0 ? format() : undefined;
      const c = copy();
      const b = a ?? format();
      fs.push(b);
      cs.push(c);
      ratios.push(b / c);
    }
    results[id] = {
      same,
      formatNs: median(fs),
      formatMin: Math.min(...fs),
      formatMax: Math.max(...fs),
      copyNs: median(cs),
      ratio: median(ratios),
      outBytesPerRecord: got.length / records,
    };
  }
  parentPort.postMessage(results);
}

if (workerData.mode === 'drain') drain(workerData);
else offline(workerData);
