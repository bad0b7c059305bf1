// Prototype for issue 16: a record's values written into shared memory in a compact binary
// form on the application thread, and turned into the pino line by the sink thread. Not used by
// ringlog itself; benchmarks/internal/binary-records/run.js measures it against today's path.
//
// Stream of items (little-endian, no alignment):
//   KEYDEF    u8 tag, u16 id, u32 n, n bytes: the key as a JSON string literal ("key"), sent
//             the first time the key is used, before the item that uses it
//   BINDDEF   u8 tag, u16 id, u32 n, n bytes: a logger's bindings text (',"pid":1,...')
//   RECORD    u8 tag, u8 level, f64 time, u16 bindings id, fields, then END, or MSG and a
//             string, or MSG_JSON and finished JSON text
//   a field   u8 value tag, u16 key id, the value
//   values    STR u32 n + n UTF-8 bytes (the sink escapes '"', '\', controls, U+2028/9)
//             JSON u32 n + n bytes of finished JSON text (strings with surrogates: the app
//             side quotes them, as UTF-8 turns a lone half into U+FFFD, where the line
//             must say \udXXX)
//             INT i32 · NUM f64 · TRUE · FALSE · NULL
//             OBJ u32 count, count fields · ARR u32 count, count values (no key ids)
// Anything else (an Error, a Date, a class instance, a lazy value, depth past 10, more than
// 1,000 entries) makes the whole record fall back to today's line, sent as LINE u32 n + bytes.
//
// Ring (single producer, single consumer), one SharedArrayBuffer:
//   Int32 words: [0] WRITE_POS  [16] READ_POS  [32] SLEEPING  [48] STOP  [64] records
//   written (sink), Float64 at byte 512: sink busy ns (sink); data from byte 1024
//   frames: u32 payload bytes, u32 records, payload, padded to 8; PAD_FRAME fills the tail.
import { Buffer } from 'node:buffer';
import { hostname } from 'node:os';

export const T_KEYDEF = 1;
export const T_BINDDEF = 2;
export const T_RECORD = 3;
export const T_LINE = 4;
export const T_END = 5;
export const T_MSG = 6;
export const T_MSG_JSON = 7;
export const T_STR = 10;
export const T_JSON = 11;
export const T_INT = 12;
export const T_NUM = 13;
export const T_TRUE = 14;
export const T_FALSE = 15;
export const T_NULL = 16;
export const T_OBJ = 17;
export const T_ARR = 18;

export const HEADER_BYTES = 1024;
export const W = 0;
export const R = 16;
export const SLEEPING = 32;
export const STOP = 48;
export const DONE = 64;
export const BUSY_AT = 512;
export const PAD_FRAME = 0xffffffff;

const MAX_DEPTH = 10;
const MAX_BREADTH = 1000;
const MAX_KEYS = 4096;
const BATCH_BYTES = 8 * 1024;

export function createRing(capacity) {
  return new SharedArrayBuffer(HEADER_BYTES + capacity);
}

/** A JS string as a JSON string literal, with ringlog's escaping rules (quoteString). */
export function quoteJson(s) {
  let out = '"';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let e;
    if (c < 0x20) {
      e =
        c === 8
          ? '\\b'
          : c === 9
            ? '\\t'
            : c === 10
              ? '\\n'
              : c === 12
                ? '\\f'
                : c === 13
                  ? '\\r'
                  : `\\u${c.toString(16).padStart(4, '0')}`;
    } else if (c === 0x22) e = '\\"';
    else if (c === 0x5c) e = '\\\\';
    else if (c === 0x2028 || c === 0x2029) e = `\\u${c.toString(16)}`;
    else if (c >= 0xd800 && c <= 0xdfff) {
      const d = s.charCodeAt(i + 1);
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
      e = `\\u${c.toString(16)}`;
    } else continue;
    out += s.slice(from, i) + e;
    from = i + 1;
  }
  return `${out}${s.slice(from)}"`;
}

const SURROGATE = /[\ud800-\udfff]/;
const hasOwn = Object.prototype.hasOwnProperty;
const LAZY = Symbol.for('ringlog.lazy');

class Fallback extends Error {}
const FALLBACK = new Fallback('fallback');

/**
 * The app side: one per ring. `fallbackLine(level, a, b, bindingsText)` returns today's line
 * for a record the binary form does not cover.
 */
export class Encoder {
  constructor(sab, { time = Date.now, fallbackLine, publishOnTick = true } = {}) {
    this.sab = sab;
    this.i32 = new Int32Array(sab, 0, HEADER_BYTES / 4);
    this.data = Buffer.from(sab, HEADER_BYTES);
    this.capacity = this.data.length;
    this.buf = Buffer.allocUnsafeSlow(256 * 1024);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
    this.pos = 0;
    this.count = 0;
    this.keys = new Map();
    this.nextKey = 0;
    this.defined = []; // key ids defined by the record being written (undone on fallback)
    this.nextBindings = 0;
    this.time = time;
    this.fallbackLine = fallbackLine;
    this.waits = 0;
    this.fallbacks = 0;
    this.published = 0;
    this.batches = [];
    this.collect = false; // keep each batch instead of publishing it (offline sink measurement)
    this.publishOnTick = publishOnTick;
    this.scheduled = false;
    this.tick = () => {
      this.scheduled = false;
      this.publish();
    };
  }

  root(level = 30) {
    const text = `,"pid":${process.pid},"hostname":${quoteJson(hostname())}`;
    return new ProtoLogger(this, this.bindings(text), text, level);
  }

  bindings(text) {
    return { id: this.nextBindings++, text, sent: false };
  }

  ensure(n) {
    if (this.pos + n > this.buf.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.pos + n));
      this.buf.copy(bigger, 0, 0, this.pos);
      this.buf = bigger;
      this.view = new DataView(bigger.buffer, bigger.byteOffset, bigger.length);
    }
  }

  keyId(key) {
    let id = this.keys.get(key);
    if (id !== undefined) return id;
    if (this.nextKey >= MAX_KEYS || key.length > 256) throw FALLBACK;
    id = this.nextKey++;
    this.keys.set(key, id);
    this.defined.push(key);
    const text = quoteJson(key);
    this.ensure(7 + text.length * 3);
    const buf = this.buf;
    buf[this.pos] = T_KEYDEF;
    buf[this.pos + 1] = id;
    buf[this.pos + 2] = id >>> 8;
    const n = buf.utf8Write(text, this.pos + 7);
    buf.writeUInt32LE(n, this.pos + 3);
    this.pos += 7 + n;
    return id;
  }

  /** One record; `bind` the logger's binding set, `a`/`m` the call's fields and message. */
  record(level, bind, a, m) {
    const start = this.pos;
    this.defined.length = 0;
    try {
      if (!bind.sent) this.sendBindings(bind);
      this.ensure(12);
      const buf = this.buf;
      const p = this.pos;
      buf[p] = T_RECORD;
      buf[p + 1] = level;
      this.view.setFloat64(p + 2, this.time(), true);
      buf[p + 10] = bind.id;
      buf[p + 11] = bind.id >>> 8;
      this.pos = p + 12;
      if (a !== undefined) this.fields(a, 0);
      if (m === undefined) {
        this.ensure(1);
        this.buf[this.pos++] = T_END;
      } else {
        this.ensure(1);
        this.buf[this.pos++] = T_MSG;
        this.string(m);
      }
    } catch (err) {
      if (!(err instanceof Fallback)) throw err;
      this.undo(start);
      this.fallbacks++;
      const line = this.fallbackLine(level, a, m, bind);
      this.ensure(5 + line.length * 3);
      this.buf[this.pos] = T_LINE;
      const n = this.buf.utf8Write(line, this.pos + 5);
      this.buf.writeUInt32LE(n, this.pos + 1);
      this.pos += 5 + n;
    }
    this.count++;
    if (this.pos >= BATCH_BYTES) this.publish();
    else if (this.count === 1 && this.publishOnTick && !this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.tick);
    }
  }

  undo(start) {
    this.pos = start;
    for (const k of this.defined) this.keys.delete(k);
    this.nextKey -= this.defined.length;
    this.defined.length = 0;
  }

  sendBindings(bind) {
    const text = bind.text;
    this.ensure(7 + text.length * 3);
    const buf = this.buf;
    buf[this.pos] = T_BINDDEF;
    buf.writeUInt16LE(bind.id, this.pos + 1);
    const n = buf.utf8Write(text, this.pos + 7);
    buf.writeUInt32LE(n, this.pos + 3);
    this.pos += 7 + n;
    bind.sent = true;
  }

  /** The own enumerable keys of a plain object, each as a field; returns how many. */
  fields(obj, depth) {
    let written = 0;
    let entries = 0;
    for (const key in obj) {
      if (!hasOwn.call(obj, key)) continue;
      if (++entries > MAX_BREADTH) throw FALLBACK;
      const v = obj[key];
      const t = typeof v;
      if (t === 'undefined' || t === 'symbol') continue;
      if (t === 'function') {
        if (v[LAZY] === true) throw FALLBACK;
        continue;
      }
      this.value(v, t, this.keyId(key), depth);
      written++;
    }
    return written;
  }

  /** One value; `id` its key id, or -1 inside an array. */
  value(v, t, id, depth) {
    this.ensure(16);
    const buf = this.buf;
    const p = this.pos;
    const k = id < 0 ? 0 : 2;
    if (k) {
      buf[p + 1] = id;
      buf[p + 2] = id >>> 8;
    }
    switch (t) {
      case 'string':
        buf[p] = T_STR;
        this.pos = p + 1 + k;
        this.string(v, p);
        return;
      case 'number':
        if ((v | 0) === v) {
          buf[p] = T_INT;
          this.view.setInt32(p + 1 + k, v, true);
          this.pos = p + 5 + k;
        } else if (Number.isFinite(v)) {
          buf[p] = T_NUM;
          this.view.setFloat64(p + 1 + k, v, true);
          this.pos = p + 9 + k;
        } else {
          buf[p] = T_NULL;
          this.pos = p + 1 + k;
        }
        return;
      case 'boolean':
        buf[p] = v ? T_TRUE : T_FALSE;
        this.pos = p + 1 + k;
        return;
      case 'object':
        if (v === null) {
          buf[p] = T_NULL;
          this.pos = p + 1 + k;
          return;
        }
        if (depth >= MAX_DEPTH) throw FALLBACK;
        {
          const proto = Object.getPrototypeOf(v);
          if (proto === Array.prototype) {
            buf[p] = T_ARR;
            const at = p + 1 + k;
            this.pos = at + 4;
            const n = v.length;
            if (n > MAX_BREADTH) throw FALLBACK;
            for (let i = 0; i < n; i++) {
              const e = v[i];
              const et = typeof e;
              // In an array, JSON writes null where a key would be omitted.
              if (et === 'undefined' || et === 'function' || et === 'symbol') {
                if (et === 'function' && e[LAZY] === true) throw FALLBACK;
                this.ensure(1);
                this.buf[this.pos++] = T_NULL;
              } else this.value(e, et, -1, depth + 1);
            }
            this.buf.writeUInt32LE(n, at);
            return;
          }
          if (proto !== Object.prototype && proto !== null) throw FALLBACK;
          if (typeof v.toJSON === 'function') throw FALLBACK;
          buf[p] = T_OBJ;
          const at = p + 1 + k;
          this.pos = at + 4;
          // The count is of fields: the sink also reads the KEYDEFs met on the way.
          const written = this.fields(v, depth + 1);
          this.buf.writeUInt32LE(written, at);
        }
        return;
      default:
        throw FALLBACK; // bigint
    }
  }

  /** A string value at this.pos: its tag is already written at `tagAt` (or this is a message). */
  string(s, tagAt = -1) {
    const n = s.length;
    this.ensure(4 + n * 3 + 8);
    const buf = this.buf;
    const at = this.pos;
    let i = 0;
    if (n < 32) {
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[at + 4 + i] = c;
      }
    }
    let bytes = n;
    if (i < n) {
      bytes = buf.utf8Write(s, at + 4);
      if (bytes !== n && SURROGATE.test(s)) {
        // A surrogate (paired or not): quoted here, where the UTF-16 is still known.
        const text = quoteJson(s);
        this.ensure(4 + text.length * 3);
        bytes = this.buf.utf8Write(text, at + 4);
        if (tagAt >= 0) this.buf[tagAt] = T_JSON;
        else this.buf[at - 1] = T_MSG_JSON; // a message already quoted
      }
    }
    const b = this.buf;
    b[at] = bytes;
    b[at + 1] = bytes >>> 8;
    b[at + 2] = bytes >>> 16;
    b[at + 3] = bytes >>> 24;
    this.pos = at + 4 + bytes;
  }

  /** Copies the batch into the ring as one frame and publishes it with one Atomics.store. */
  publish() {
    const n = this.pos;
    if (n === 0) return;
    const records = this.count;
    if (this.collect) {
      // Offline mode: keep the batch instead of publishing it (no consumer runs).
      this.batches.push({ bytes: Buffer.from(this.buf.subarray(0, n)), records });
      this.published += records;
      this.pos = 0;
      this.count = 0;
      return;
    }
    const frame = 8 + ((n + 7) & ~7);
    const i32 = this.i32;
    const cap = this.capacity;
    let w = Atomics.load(i32, W);
    for (;;) {
      const r = Atomics.load(i32, R);
      const off = w & (cap - 1);
      const tail = cap - off;
      const need = frame <= tail ? frame : tail + frame;
      if (cap - (w - r) >= need) {
        if (frame > tail) {
          this.data.writeUInt32LE(PAD_FRAME, off);
          w += tail;
        }
        const o = w & (cap - 1);
        this.data.writeUInt32LE(n, o);
        this.data.writeUInt32LE(records, o + 4);
        this.buf.copy(this.data, o + 8, 0, n);
        w += frame;
        Atomics.store(i32, W, w | 0);
        break;
      }
      this.waits++;
      this.wake();
      Atomics.wait(i32, R, r, 50);
    }
    this.published += records;
    this.pos = 0;
    this.count = 0;
    this.wake();
  }

  wake() {
    if (Atomics.load(this.i32, SLEEPING) === 1) {
      Atomics.store(this.i32, SLEEPING, 0);
      Atomics.notify(this.i32, SLEEPING);
    }
  }
}

/** The app-side logger of the prototype: pino's (obj, msg) and (msg) shapes, no printf. */
export class ProtoLogger {
  constructor(enc, bind, text, level) {
    this.enc = enc;
    this.bind = bind;
    this.text = text;
    this.level = level;
  }
  info(a, b) {
    if (typeof a === 'string') this.enc.record(30, this.bind, undefined, a);
    else this.enc.record(30, this.bind, a, b);
  }
  /** Bindings written once as text (flat values; anything else is not covered here). */
  child(bindings) {
    let text = this.text;
    for (const k of Object.keys(bindings)) text += `,${quoteJson(k)}:${flatJson(bindings[k])}`;
    return new ProtoLogger(this.enc, this.enc.bindings(text), text, this.level);
  }
}

function flatJson(v) {
  if (typeof v === 'string') return quoteJson(v);
  if (typeof v === 'number') return Number.isFinite(v) ? `${v}` : 'null';
  if (typeof v === 'boolean' || v === null) return `${v}`;
  throw new Error('prototype child(): flat bindings only');
}
