/**
 * Syslog's UDP side (RFC 5426): one message a datagram, cut to maxDatagramBytes when longer
 * (counted in `truncated`), up to MAX_UDP_IN_FLIGHT datagrams handed to the socket at once.
 * There is no connection to lose: only resolving the host can fail and be retried, and a
 * datagram the kernel refuses is counted as dropped on its own.
 */

import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ErrorCodes } from '../../../src/protocol/errors.js';
import { reportDestinationError } from '../report.js';
import { fitDatagram } from './format.js';
import type { Sender, SenderContext } from './syslog.js';

// UDP datagrams handed to the socket and not yet confirmed.
const MAX_UDP_IN_FLIGHT = 64;

export class UdpSender implements Sender {
  /** Datagrams handed to the socket, callback pending (one record each). */
  inFlightRecords = 0;
  inFlightBytes = 0;
  private readonly c: SenderContext;
  private socket: Socket | null = null;
  private address = '';

  constructor(context: SenderContext) {
    this.c = context;
  }

  open(): void {
    const { spec, name, stats } = this.c;
    const family = isIP(spec.host);
    const resolved =
      family !== 0
        ? Promise.resolve({ address: spec.host, family })
        : lookup(spec.host, { verbatim: true });
    resolved.then(
      ({ address, family: f }) => {
        if (this.c.closing) return;
        this.address = address;
        this.socket = createSocket(f === 6 ? 'udp6' : 'udp4');
        this.socket.on('error', (err) => {
          stats.errors++;
          reportDestinationError(
            name,
            ErrorCodes.SYSLOG_CONNECTION,
            `socket error (${err.message})`,
          );
        });
        this.c.opened();
      },
      (err: unknown) => this.c.failed(`cannot resolve ${spec.host}`, err),
    );
  }

  enqueue(lines: string[], now: number, room: { records: number; bytes: number }): number {
    const { spec, format, queue } = this.c;
    let { records, bytes } = room;
    let dropped = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.length === 0) continue;
      if (records >= spec.bufferRecords) {
        dropped++;
        continue;
      }
      const d = this.encodeDatagram(format(line, now));
      if (bytes + d.length > spec.bufferBytes) {
        dropped++;
        continue;
      }
      queue.push(d, 1);
      bytes += d.length;
      records++;
    }
    return dropped;
  }

  pump(): void {
    const u = this.socket;
    if (u === null) return;
    const { spec, name, stats, queue } = this.c;
    while (this.inFlightRecords < MAX_UDP_IN_FLIGHT && !queue.isEmpty) {
      // UDP entries hold one datagram each.
      const { buf } = queue.take(0)[0]!;
      this.inFlightRecords++;
      this.inFlightBytes += buf.length;
      u.send(buf, spec.port, this.address, (err) => {
        this.inFlightRecords--;
        this.inFlightBytes -= buf.length;
        if (err) {
          stats.errors++;
          stats.dropped++;
          reportDestinationError(
            name,
            ErrorCodes.SYSLOG_DROPPED,
            `a datagram of ${buf.length} bytes could not be sent (${err.message})`,
          );
        } else stats.written++;
        this.c.sent();
      });
    }
  }

  /** Datagrams already handed over finish on their own (counted in their callbacks). */
  abandonInFlight(): number {
    return 0;
  }

  async close(): Promise<void> {
    this.socket?.close();
    this.socket = null;
  }

  private encodeDatagram(text: string): Buffer {
    const d = Buffer.from(text);
    if (d.length <= this.c.spec.maxDatagramBytes) return d;
    this.c.stats.truncated++;
    return fitDatagram(this.c.format, text, this.c.spec.maxDatagramBytes);
  }
}
