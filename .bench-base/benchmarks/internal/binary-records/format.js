// The sink side of the prototype (codec.js has the byte layout): binary records in, pino's
// lines out, written byte by byte into one output buffer. No JS string is made per record
// except for non-integer numbers (String(v)) and a new time value.
import { Buffer } from 'node:buffer';
import {
  PAD_FRAME,
  T_ARR,
  T_BINDDEF,
  T_END,
  T_FALSE,
  T_INT,
  T_JSON,
  T_KEYDEF,
  T_LINE,
  T_MSG,
  T_MSG_JSON,
  T_NULL,
  T_NUM,
  T_OBJ,
  T_RECORD,
  T_STR,
  T_TRUE,
} from './codec.js';

const HEX = '0123456789abcdef';
const MSG_KEY = Buffer.from(',"msg":');
const TIME_KEY = Buffer.from(',"time":');
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');

export class Formatter {
  constructor(outBytes = 1 << 20) {
    this.out = Buffer.allocUnsafeSlow(outBytes);
    this.o = 0;
    this.keys = []; // id → Buffer ',"key":'
    this.binds = []; // id → Buffer of the bindings text
    this.levels = []; // level → Buffer '{"level":30'
    this.lastTime = Number.NaN;
    this.timeText = Buffer.alloc(0);
    this.p = 0;
    this.src = undefined;
  }

  ensure(n) {
    if (this.o + n > this.out.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(this.out.length * 2, this.o + n));
      this.out.copy(bigger, 0, 0, this.o);
      this.out = bigger;
    }
  }

  /** Formats the items of src[from, to) after this.o; returns the records formatted. */
  batch(src, from, to) {
    this.src = src;
    this.p = from;
    let records = 0;
    while (this.p < to) {
      const tag = src[this.p];
      if (tag === T_RECORD) {
        this.record();
        records++;
      } else if (tag === T_KEYDEF || tag === T_BINDDEF) this.define(tag);
      else if (tag === T_LINE) {
        const n = src.readUInt32LE(this.p + 1);
        this.ensure(n + 1);
        src.copy(this.out, this.o, this.p + 5, this.p + 5 + n);
        this.o += n;
        this.out[this.o++] = 10;
        this.p += 5 + n;
        records++;
      } else throw new Error(`binary-records: unknown item tag ${tag} at ${this.p}`);
    }
    return records;
  }

  define(tag) {
    const src = this.src;
    const id = src[this.p + 1] | (src[this.p + 2] << 8);
    const n = src.readUInt32LE(this.p + 3);
    const start = this.p + 7;
    if (tag === T_KEYDEF) {
      const b = Buffer.allocUnsafeSlow(n + 2);
      b[0] = 0x2c; // ,
      src.copy(b, 1, start, start + n);
      b[n + 1] = 0x3a; // :
      this.keys[id] = b;
    } else this.binds[id] = Buffer.from(src.subarray(start, start + n));
    this.p = start + n;
  }

  record() {
    const src = this.src;
    let p = this.p;
    const level = src[p + 1];
    const time = src.readDoubleLE(p + 2);
    const bind = src[p + 10] | (src[p + 11] << 8);
    this.p = p + 12;
    this.ensure(64);
    let prefix = this.levels[level];
    if (prefix === undefined) prefix = this.levels[level] = Buffer.from(`{"level":${level}`);
    this.bytes(prefix);
    this.bytes(TIME_KEY);
    if (time !== this.lastTime) {
      this.lastTime = time;
      this.timeText = Buffer.from(`${time}`, 'latin1');
    }
    this.bytes(this.timeText);
    this.bytes(this.binds[bind]);
    for (;;) {
      p = this.p;
      const tag = src[p];
      if (tag === T_END) {
        this.p = p + 1;
        break;
      }
      if (tag === T_MSG || tag === T_MSG_JSON) {
        this.p = p + 1;
        this.bytes(MSG_KEY);
        this.stringValue(tag === T_MSG_JSON);
        break;
      }
      if (tag === T_KEYDEF) {
        this.define(tag);
        continue;
      }
      this.field(false);
    }
    this.ensure(2);
    this.out[this.o++] = 0x7d; // }
    this.out[this.o++] = 10;
  }

  /** One field at this.p: its key (',"k":', or '"k":' for the first of an object), its value. */
  field(first) {
    const src = this.src;
    const p = this.p;
    const tag = src[p];
    const key = this.keys[src[p + 1] | (src[p + 2] << 8)];
    this.ensure(key.length);
    if (first) this.bytesFrom(key, 1);
    else this.bytes(key);
    this.p = p + 3;
    this.value(tag);
  }

  value(tag) {
    const src = this.src;
    switch (tag) {
      case T_STR:
        this.stringValue(false);
        return;
      case T_JSON:
        this.stringValue(true);
        return;
      case T_INT:
        this.int(src.readInt32LE(this.p));
        this.p += 4;
        return;
      case T_NUM: {
        const s = `${src.readDoubleLE(this.p)}`;
        this.ensure(s.length);
        this.o += this.out.latin1Write(s, this.o);
        this.p += 8;
        return;
      }
      case T_TRUE:
        this.bytes(TRUE);
        return;
      case T_FALSE:
        this.bytes(FALSE);
        return;
      case T_NULL:
        this.bytes(NULL);
        return;
      case T_OBJ: {
        const count = src.readUInt32LE(this.p);
        this.p += 4;
        this.ensure(2);
        this.out[this.o++] = 0x7b; // {
        for (let i = 0; i < count; ) {
          if (src[this.p] === T_KEYDEF) {
            this.define(T_KEYDEF);
            continue;
          }
          this.field(i === 0);
          i++;
        }
        this.ensure(1);
        this.out[this.o++] = 0x7d;
        return;
      }
      case T_ARR: {
        const count = src.readUInt32LE(this.p);
        this.p += 4;
        this.ensure(2);
        this.out[this.o++] = 0x5b; // [
        for (let i = 0; i < count; i++) {
          if (i > 0) {
            this.ensure(1);
            this.out[this.o++] = 0x2c;
          }
          const t = src[this.p++];
          this.value(t);
        }
        this.ensure(1);
        this.out[this.o++] = 0x5d;
        return;
      }
      default:
        throw new Error(`binary-records: unknown value tag ${tag}`);
    }
  }

  /** A string at this.p (u32 length, bytes): quoted and escaped, or `raw` JSON text as is. */
  stringValue(raw) {
    const src = this.src;
    const n = src.readUInt32LE(this.p);
    const a = this.p + 4;
    const end = a + n;
    this.p = end;
    if (raw) {
      this.ensure(n);
      src.copy(this.out, this.o, a, end);
      this.o += n;
      return;
    }
    this.ensure(n * 6 + 2);
    const out = this.out;
    let o = this.o;
    out[o++] = 0x22;
    // Most strings need no escape: one scan, then one copy (a native memcpy past 24 bytes).
    let i = a;
    for (; i < end; i++) {
      const b = src[i];
      if (b < 0x20 || b === 0x22 || b === 0x5c || b === 0xe2) break;
    }
    if (i === end) {
      if (n < 24) for (let j = a; j < end; j++) out[o++] = src[j];
      else o += src.copy(out, o, a, end);
      out[o++] = 0x22;
      this.o = o;
      return;
    }
    for (let j = a; j < i; j++) out[o++] = src[j];
    this.o = o;
    this.escapeFrom(src, i, end);
  }

  /** The rest of a string from `i`, escaped where needed, and its closing quote. */
  escapeFrom(src, i, end) {
    const out = this.out;
    let o = this.o;
    for (; i < end; i++) {
      const b = src[i];
      if (b >= 0x20 && b !== 0x22 && b !== 0x5c && b !== 0xe2) {
        out[o++] = b;
        continue;
      }
      if (b === 0xe2) {
        const c = src[i + 2];
        if (src[i + 1] === 0x80 && (c === 0xa8 || c === 0xa9) && i + 2 < end) {
          // U+2028 / U+2029: escaped, as a raw one ends a JS source line.
          o += out.latin1Write(c === 0xa8 ? '\\u2028' : '\\u2029', o);
          i += 2;
        } else out[o++] = b;
        continue;
      }
      out[o++] = 0x5c; // \
      if (b === 0x22 || b === 0x5c) out[o++] = b;
      else if (b === 8) out[o++] = 0x62;
      else if (b === 9) out[o++] = 0x74;
      else if (b === 10) out[o++] = 0x6e;
      else if (b === 12) out[o++] = 0x66;
      else if (b === 13) out[o++] = 0x72;
      else {
        out[o++] = 0x75;
        out[o++] = 0x30;
        out[o++] = 0x30;
        out[o++] = HEX.charCodeAt(b >> 4);
        out[o++] = HEX.charCodeAt(b & 15);
      }
    }
    out[o++] = 0x22;
    this.o = o;
  }

  int(v) {
    this.ensure(12);
    const out = this.out;
    if (v < 0) {
      out[this.o++] = 0x2d;
      if (v === -2147483648) {
        this.o += out.latin1Write('2147483648', this.o);
        return;
      }
      v = -v;
    }
    let digits = 1;
    for (let x = v; x >= 10; x = (x / 10) | 0) digits++;
    let o = this.o + digits;
    this.o = o;
    do {
      out[--o] = 0x30 + (v % 10);
      v = (v / 10) | 0;
    } while (v > 0);
  }

  bytes(b) {
    this.bytesFrom(b, 0);
  }

  bytesFrom(b, from) {
    const n = b.length - from;
    this.ensure(n);
    const out = this.out;
    let o = this.o;
    if (n < 48) for (let i = from; i < b.length; i++) out[o++] = b[i];
    else o += b.copy(out, o, from);
    this.o = o;
  }
}

/** Walks the frames of a ring from READ_POS to WRITE_POS; calls fn(data, start, end, records). */
export function readFrames(data, cap, r, w, fn) {
  while (r !== w) {
    const off = r & (cap - 1);
    const n = data.readUInt32LE(off);
    if (n === PAD_FRAME) {
      r += cap - off;
      continue;
    }
    const records = data.readUInt32LE(off + 4);
    fn(data, off + 8, off + 8 + n, records);
    r += 8 + ((n + 7) & ~7);
  }
  return r;
}
