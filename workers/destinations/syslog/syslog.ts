/**
 * Syslog over TCP (octet-counted frames, RFC 6587 §3.4.1: `LEN SP MSG`) or UDP (one message a
 * datagram, RFC 5426). Sending is asynchronous: write() formats each record (syslog-format.ts)
 * and copies it into this destination's own queue, bounded in records and bytes; beyond the
 * bound records are dropped and counted. The queue drains into the socket as the socket takes
 * it, and is held while the server is away; the connection is retried with exponential
 * backoff and jitter.
 *
 * "written" means handed to the kernel (the socket write's callback fired). Over TCP what the
 * kernel still holds, or what the server received but had not stored, is lost if the server
 * dies: this destination cannot see it. Over UDP a datagram the kernel took may still never
 * arrive.
 */

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { connect, isIP, type Socket } from 'node:net';
import { destinationName } from '../../../src/protocol/destination-name.js';
import { ErrorCodes, errorMessage } from '../../../src/protocol/errors.js';
import type { SyslogSpec } from '../../../src/protocol/messages.js';
import { processEnding, reportDestinationError } from '../report.js';
import type { Destination, DestinationStats } from '../types.js';
import { createSyslogFormatter, fitDatagram } from './format.js';
import { type Entry, FrameQueue } from './frame-queue.js';

// One TCP write carries up to this many bytes of frames: hundreds of records per syscall,
// and a bounded copy when frames are joined.
const MAX_WRITE_BYTES = 256 << 10;
// UDP datagrams handed to the socket and not yet confirmed.
const MAX_UDP_IN_FLIGHT = 64;
const KEEPALIVE_MS = 10_000;
// close() waits this long for the TCP connection to finish closing before destroying it.
const CLOSE_WAIT_MS = 1000;

export interface SyslogStats extends DestinationStats {
  /** UDP messages longer than maxDatagramBytes that were cut (and still sent). */
  truncated: number;
}

export type SyslogDestination = Destination & { stats(): SyslogStats };

type State = 'idle' | 'connecting' | 'open' | 'closed';

export function createSyslogDestination(spec: SyslogSpec): SyslogDestination {
  const name = destinationName(spec);
  const format = createSyslogFormatter(spec);
  const tcp = spec.protocol === 'tcp';

  // Frames not yet handed to the socket.
  const queue = new FrameQueue();
  // Handed to the socket, callback pending. TCP: one write at a time.
  let inFlight: Entry[] | null = null;
  let inFlightRecords = 0;
  let inFlightBytes = 0;
  let udpInFlight = 0;

  let state: State = 'idle';
  let socket: Socket | null = null;
  let udp: UdpSocket | null = null;
  let udpAddress = '';
  let attempt = 0;
  let reconnectTimer: NodeJS.Timeout | null = null;
  let closing = false;
  let flushWaiters: Array<() => void> = [];

  const stats: SyslogStats = { written: 0, dropped: 0, errors: 0, buffered: 0, truncated: 0 };

  const held = (): number => queue.records + inFlightRecords + udpInFlight;
  const heldBytes = (): number => queue.bytes + inFlightBytes;

  function settleFlushes(): void {
    if (held() !== 0 || flushWaiters.length === 0) return;
    const waiters = flushWaiters;
    flushWaiters = [];
    for (const w of waiters) w();
  }

  function encodeDatagram(text: string): Buffer {
    const d = Buffer.from(text);
    if (d.length <= spec.maxDatagramBytes) return d;
    stats.truncated++;
    return fitDatagram(format, text, spec.maxDatagramBytes);
  }

  function failConnection(what: string, err: unknown): void {
    stats.errors++;
    const reason = errorMessage(err);
    const delay = nextDelay();
    reportDestinationError(
      name,
      ErrorCodes.SYSLOG_CONNECTION,
      `${what} (${reason}); retrying in ${delay} ms, holding ${held()} records`,
    );
    scheduleReconnect(delay);
  }

  function nextDelay(): number {
    const base = Math.min(
      spec.reconnectMaxMs,
      spec.reconnectInitialMs * 2 ** Math.min(attempt, 30),
    );
    attempt++;
    // Jitter: a random delay in [base/2, base], so clients that lost the same server do not
    // all come back at the same instant.
    return Math.round(base / 2 + Math.random() * (base / 2));
  }

  function scheduleReconnect(delay: number): void {
    state = 'idle';
    if (closing || reconnectTimer !== null) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      open();
    }, delay);
  }

  /** Puts frames that were in flight back at the front of the queue. */
  function requeueInFlight(): void {
    if (inFlight === null) return;
    queue.unshift(inFlight);
    inFlight = null;
    inFlightRecords = 0;
    inFlightBytes = 0;
  }

  function openTcp(): void {
    const s = connect({ host: spec.host, port: spec.port });
    socket = s;
    s.setNoDelay(true);
    // A server that vanishes without closing (host down, cable out) is noticed by keepalive
    // probes, not only when the kernel's send buffer fills.
    s.setKeepAlive(true, KEEPALIVE_MS);
    // Syslog servers send nothing back; read (and discard) anyway so that their FIN is seen.
    s.resume();
    let failed = false;
    const timer = setTimeout(() => {
      s.destroy(new Error(`no connection within connectTimeoutMs=${spec.connectTimeoutMs}`));
    }, spec.connectTimeoutMs);
    s.on('connect', () => {
      clearTimeout(timer);
      state = 'open';
      attempt = 0;
      pump();
    });
    s.on('end', () => {
      // The server closed its side: nothing more it reads, so stop writing into it now.
      s.destroy(new Error('the server closed the connection'));
    });
    s.on('error', (err) => {
      if (failed) return;
      failed = true;
      clearTimeout(timer);
      requeueInFlight();
      socket = null;
      if (closing) return;
      failConnection(
        state === 'open'
          ? `lost the connection to ${spec.host}:${spec.port}`
          : `cannot connect to ${spec.host}:${spec.port}`,
        err,
      );
    });
    s.on('close', () => {
      clearTimeout(timer);
      if (socket === s) socket = null;
      requeueInFlight();
      if (!failed && !closing) {
        failed = true;
        failConnection(`lost the connection to ${spec.host}:${spec.port}`, 'closed');
      }
    });
  }

  function openUdp(): void {
    const family = isIP(spec.host);
    const resolved =
      family !== 0
        ? Promise.resolve({ address: spec.host, family })
        : lookup(spec.host, { verbatim: true });
    resolved.then(
      ({ address, family: f }) => {
        if (closing) return;
        udpAddress = address;
        udp = createSocket(f === 6 ? 'udp6' : 'udp4');
        udp.on('error', (err) => {
          stats.errors++;
          reportDestinationError(
            name,
            ErrorCodes.SYSLOG_CONNECTION,
            `socket error (${err.message})`,
          );
        });
        state = 'open';
        attempt = 0;
        pump();
      },
      (err: unknown) => failConnection(`cannot resolve ${spec.host}`, err),
    );
  }

  function open(): void {
    if (closing || state !== 'idle') return;
    state = 'connecting';
    if (tcp) openTcp();
    else openUdp();
  }

  function pumpTcp(s: Socket): void {
    if (inFlight !== null || queue.isEmpty) return;
    const entries = queue.take(MAX_WRITE_BYTES);
    let bytes = 0;
    let records = 0;
    for (const e of entries) {
      bytes += e.buf.length;
      records += e.records;
    }
    inFlight = entries;
    inFlightRecords = records;
    inFlightBytes = bytes;
    const chunk =
      entries.length === 1
        ? entries[0]!.buf
        : Buffer.concat(
            entries.map((e) => e.buf),
            bytes,
          );
    s.write(chunk, (err) => {
      // After an error or a close, requeueInFlight() already took these frames back.
      if (err || inFlight !== entries) return;
      stats.written += records;
      inFlight = null;
      inFlightRecords = 0;
      inFlightBytes = 0;
      pump();
      settleFlushes();
    });
  }

  function pumpUdp(u: UdpSocket): void {
    while (udpInFlight < MAX_UDP_IN_FLIGHT && !queue.isEmpty) {
      // UDP entries hold one datagram each.
      const { buf } = queue.take(0)[0]!;
      udpInFlight++;
      inFlightBytes += buf.length;
      u.send(buf, spec.port, udpAddress, (err) => {
        udpInFlight--;
        inFlightBytes -= buf.length;
        if (err) {
          stats.errors++;
          stats.dropped++;
          reportDestinationError(
            name,
            ErrorCodes.SYSLOG_DROPPED,
            `a datagram of ${buf.length} bytes could not be sent (${err.message})`,
          );
        } else stats.written++;
        pump();
        settleFlushes();
      });
    }
  }

  function pump(): void {
    if (state !== 'open') {
      if (state === 'idle' && reconnectTimer === null) open();
      return;
    }
    if (socket !== null) pumpTcp(socket);
    else if (udp !== null) pumpUdp(udp);
  }

  function dropRecords(n: number, why: string): void {
    stats.dropped += n;
    reportDestinationError(name, ErrorCodes.SYSLOG_DROPPED, `${n} records dropped: ${why}`);
  }

  function flush(): void | Promise<void> {
    pump();
    if (held() === 0) return;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        // At exit this is the last word on these records: the process may end right after.
        // Its own code, so that a connection report of the last seconds does not hold it back.
        reportDestinationError(
          name,
          ErrorCodes.FLUSH_TIMEOUT,
          `flush gave up after flushTimeoutMs=${spec.flushTimeoutMs} with ${held()} records not yet handed to ${spec.host}:${spec.port} (${state === 'open' ? 'the server is slow' : 'not connected'}); ${processEnding() ? 'the process is ending: they are lost with it' : 'they stay queued'}`,
        );
        done();
      }, spec.flushTimeoutMs);
      function done(): void {
        clearTimeout(timer);
        flushWaiters = flushWaiters.filter((w) => w !== done);
        resolve();
      }
      flushWaiters.push(done);
    });
  }

  // Connect now, so that a server that is not there is reported before the first record.
  open();

  return {
    name,
    minLevel: spec.minLevel,
    write(chunk) {
      const lines = chunk.toString('utf8').split('\n');
      const now = Date.now();
      let dropped = 0;
      // TCP: the frames of this call joined in one string, encoded once.
      let batch = '';
      let batchRecords = 0;
      let records = held();
      let bytes = heldBytes();
      // The last element is what follows the final newline: empty for whole lines.
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        if (line.length === 0) continue;
        if (closing || records >= spec.bufferRecords) {
          dropped++;
          continue;
        }
        const text = format(line, now);
        if (tcp) {
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
        } else {
          const d = encodeDatagram(text);
          if (bytes + d.length > spec.bufferBytes) {
            dropped++;
            continue;
          }
          queue.push(d, 1);
          bytes += d.length;
        }
        records++;
      }
      if (batchRecords > 0) queue.push(Buffer.from(batch), batchRecords);
      if (dropped > 0) {
        dropRecords(
          dropped,
          closing
            ? 'the destination is closed'
            : `the buffer is full (bufferRecords=${spec.bufferRecords}, bufferBytes=${spec.bufferBytes}, ${state === 'open' ? 'the server is slow' : 'not connected'})`,
        );
      }
      pump();
    },
    flush,
    async close() {
      await flush();
      closing = true;
      state = 'closed';
      if (reconnectTimer !== null) clearTimeout(reconnectTimer);
      reconnectTimer = null;
      // UDP sends already handed over finish on their own (counted in their callbacks).
      const left = held() - udpInFlight;
      if (left > 0)
        dropRecords(left, `closed with records not handed to ${spec.host}:${spec.port}`);
      queue.clear();
      inFlight = null;
      inFlightRecords = 0;
      inFlightBytes = 0;
      const s = socket;
      if (s !== null) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => s.destroy(), CLOSE_WAIT_MS);
          s.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          s.end();
        });
      }
      udp?.close();
      udp = null;
      settleFlushes();
    },
    stats() {
      stats.buffered = held();
      return { ...stats };
    },
  };
}
