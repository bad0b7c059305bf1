/**
 * Syslog's TCP side: octet-counted frames (RFC 6587 §3.4.1: `LEN SP MSG`), the frames of one
 * write() joined and encoded once, and one socket write at a time of up to MAX_WRITE_BYTES.
 * Frames in flight go back to the front of the queue when the connection is lost, so they are
 * sent again after the reconnect (what the kernel had already taken may be lost with it).
 */

import { connect, type Socket } from 'node:net';
import type { Entry } from './frame-queue.js';
import type { Sender, SenderContext } from './syslog.js';

// One TCP write carries up to this many bytes of frames: hundreds of records per syscall,
// and a bounded copy when frames are joined.
const MAX_WRITE_BYTES = 256 << 10;
const KEEPALIVE_MS = 10_000;
// close() waits this long for the TCP connection to finish closing before destroying it.
const CLOSE_WAIT_MS = 1000;

export class TcpSender implements Sender {
  inFlightRecords = 0;
  inFlightBytes = 0;
  private readonly c: SenderContext;
  private socket: Socket | null = null;
  /** Handed to the socket, callback pending: one write at a time. */
  private inFlight: Entry[] | null = null;

  constructor(context: SenderContext) {
    this.c = context;
  }

  open(): void {
    const { spec } = this.c;
    const s = connect({ host: spec.host, port: spec.port });
    this.socket = s;
    s.setNoDelay(true);
    // A server that vanishes without closing (host down, cable out) is noticed by keepalive
    // probes, not only when the kernel's send buffer fills.
    s.setKeepAlive(true, KEEPALIVE_MS);
    // Syslog servers send nothing back; read (and discard) anyway so that their FIN is seen.
    s.resume();
    let connected = false;
    let failed = false;
    const timer = setTimeout(() => {
      s.destroy(new Error(`no connection within connectTimeoutMs=${spec.connectTimeoutMs}`));
    }, spec.connectTimeoutMs);
    s.on('connect', () => {
      clearTimeout(timer);
      connected = true;
      this.c.opened();
    });
    s.on('end', () => {
      // The server closed its side: nothing more it reads, so stop writing into it now.
      s.destroy(new Error('the server closed the connection'));
    });
    s.on('error', (err) => {
      if (failed) return;
      failed = true;
      clearTimeout(timer);
      this.requeueInFlight();
      this.socket = null;
      if (this.c.closing) return;
      this.c.failed(
        connected
          ? `lost the connection to ${spec.host}:${spec.port}`
          : `cannot connect to ${spec.host}:${spec.port}`,
        err,
      );
    });
    s.on('close', () => {
      clearTimeout(timer);
      if (this.socket === s) this.socket = null;
      this.requeueInFlight();
      if (!failed && !this.c.closing) {
        failed = true;
        this.c.failed(`lost the connection to ${spec.host}:${spec.port}`, 'closed');
      }
    });
  }

  enqueue(lines: string[], now: number, room: { records: number; bytes: number }): number {
    const { spec, format } = this.c;
    let { records, bytes } = room;
    let dropped = 0;
    // The frames of this call joined in one string, encoded once.
    let batch = '';
    let batchRecords = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.length === 0) continue;
      if (records >= spec.bufferRecords) {
        dropped++;
        continue;
      }
      const text = format(line, now);
      const len = Buffer.byteLength(text);
      const frame = `${len} ${text}`;
      const frameBytes = len + frame.length - text.length;
      if (bytes + frameBytes > spec.bufferBytes) {
        dropped++;
        continue;
      }
      batch += frame;
      batchRecords++;
      bytes += frameBytes;
      records++;
    }
    if (batchRecords > 0) this.c.queue.push(Buffer.from(batch), batchRecords);
    return dropped;
  }

  pump(): void {
    const s = this.socket;
    const { queue } = this.c;
    if (s === null || this.inFlight !== null || queue.isEmpty) return;
    const entries = queue.take(MAX_WRITE_BYTES);
    let bytes = 0;
    let records = 0;
    for (const e of entries) {
      bytes += e.buf.length;
      records += e.records;
    }
    this.inFlight = entries;
    this.inFlightRecords = records;
    this.inFlightBytes = bytes;
    const chunk =
      entries.length === 1
        ? entries[0]!.buf
        : Buffer.concat(
            entries.map((e) => e.buf),
            bytes,
          );
    s.write(chunk, (err) => {
      // After an error or a close, requeueInFlight() already took these frames back.
      if (err || this.inFlight !== entries) return;
      this.c.stats.written += records;
      this.forgetInFlight();
      this.c.sent();
    });
  }

  abandonInFlight(): number {
    const n = this.inFlightRecords;
    this.forgetInFlight();
    return n;
  }

  async close(): Promise<void> {
    const s = this.socket;
    if (s === null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => s.destroy(), CLOSE_WAIT_MS);
      s.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      s.end();
    });
  }

  /** Puts frames that were in flight back at the front of the queue. */
  private requeueInFlight(): void {
    if (this.inFlight === null) return;
    this.c.queue.unshift(this.inFlight);
    this.forgetInFlight();
  }

  private forgetInFlight(): void {
    this.inFlight = null;
    this.inFlightRecords = 0;
    this.inFlightBytes = 0;
  }
}
