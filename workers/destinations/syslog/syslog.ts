/**
 * Syslog over TCP (tcp.ts) or UDP (udp.ts). Sending is asynchronous: write() formats each
 * record (format.ts) and copies it into this destination's own queue (frame-queue.ts),
 * bounded in records and bytes; beyond the bound records are dropped and counted. The queue
 * drains into the socket as the socket takes it, and is held while the server is away; the
 * connection is retried with exponential backoff and jitter (../backoff.ts).
 *
 * This file holds what both protocols share: the queue and its bounds, the connection's
 * state and reconnect, flush and close, and the counters. A sender (tcp.ts, udp.ts) frames
 * records for its protocol, owns its socket and what is in flight on it, and tells this file
 * when it is open, when it failed, and when a send finished.
 *
 * "written" means handed to the kernel (the socket write's callback fired). Over TCP what the
 * kernel still holds, or what the server received but had not stored, is lost if the server
 * dies: this destination cannot see it. Over UDP a datagram the kernel took may still never
 * arrive.
 */

import { destinationName } from '../../../src/protocol/destination-name.js';
import { ErrorCodes, errorMessage } from '../../../src/protocol/errors.js';
import type { SyslogSpec } from '../../../src/protocol/messages.js';
import { backoffMs } from '../backoff.js';
import { processEnding, reportDestinationError } from '../report.js';
import type { Destination, DestinationState, DestinationStats } from '../types.js';
import { createSyslogFormatter, type SyslogFormatter } from './format.js';
import { FrameQueue } from './frame-queue.js';
import { TcpSender } from './tcp.js';
import { UdpSender } from './udp.js';

export interface SyslogStats extends DestinationStats {
  /** UDP messages longer than maxDatagramBytes that were cut (and still sent). */
  truncated: number;
}

export type SyslogDestination = Destination & { stats(): SyslogStats };

/** What a sender (tcp.ts, udp.ts) is given by the destination it sends for. */
export interface SenderContext {
  readonly spec: SyslogSpec;
  readonly name: string;
  readonly format: SyslogFormatter;
  /** Frames not yet handed to the socket. */
  readonly queue: FrameQueue;
  readonly stats: SyslogStats;
  /** True once close() has begun: no reconnect, nothing more queued. */
  readonly closing: boolean;
  /** The socket is ready: the backoff starts over and sending begins. */
  opened(): void;
  /** Connecting failed or the connection was lost: report, and reconnect after a backoff. */
  failed(what: string, err: unknown): void;
  /** A send finished (or failed and was counted): send more, settle waiting flushes. */
  sent(): void;
}

/** One protocol's side of a syslog destination: its socket and what is in flight on it. */
export interface Sender {
  /** Handed to the socket, callback pending. */
  readonly inFlightRecords: number;
  readonly inFlightBytes: number;
  /** Starts connecting (or resolving); answers through the context's opened() or failed(). */
  open(): void;
  /** Hands queued frames to the open socket, as much as it takes now. */
  pump(): void;
  /** Frames the non-empty lines of one write() into the queue while they fit in `room`;
   * returns how many it dropped for want of room. */
  enqueue(lines: string[], now: number, room: { records: number; bytes: number }): number;
  /** At close: forgets what is in flight without a callback to come, and returns its count. */
  abandonInFlight(): number;
  /** Closes the socket. */
  close(): Promise<void>;
}

type State = 'idle' | 'connecting' | 'open' | 'closed';

export function createSyslogDestination(spec: SyslogSpec): SyslogDestination {
  const name = destinationName(spec);
  const queue = new FrameQueue();
  const stats: SyslogStats = { written: 0, dropped: 0, errors: 0, buffered: 0, truncated: 0 };

  let state: State = 'idle';
  let attempt = 0;
  let reconnectTimer: NodeJS.Timeout | null = null;
  let closing = false;
  let flushWaiters: Array<() => void> = [];
  /** Records were dropped for a full buffer since the queue was last empty. */
  let full = false;

  const context: SenderContext = {
    spec,
    name,
    format: createSyslogFormatter(spec),
    queue,
    stats,
    get closing() {
      return closing;
    },
    opened() {
      state = 'open';
      full = false;
      attempt = 0;
      pump();
    },
    failed,
    sent() {
      if (held() === 0) full = false;
      pump();
      settleFlushes();
    },
  };
  const sender: Sender = spec.protocol === 'tcp' ? new TcpSender(context) : new UdpSender(context);

  const held = (): number => queue.records + sender.inFlightRecords;
  const heldBytes = (): number => queue.bytes + sender.inFlightBytes;

  function settleFlushes(): void {
    if (held() !== 0 || flushWaiters.length === 0) return;
    const waiters = flushWaiters;
    flushWaiters = [];
    for (const w of waiters) w();
  }

  function failed(what: string, err: unknown): void {
    stats.errors++;
    const reason = errorMessage(err);
    const delay = backoffMs(++attempt, spec.reconnectInitialMs, spec.reconnectMaxMs);
    reportDestinationError(
      name,
      ErrorCodes.SYSLOG_CONNECTION,
      `${what} (${reason}); retrying in ${delay} ms, holding ${held()} records`,
    );
    state = 'idle';
    if (closing || reconnectTimer !== null) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      open();
    }, delay);
  }

  function open(): void {
    if (closing || state !== 'idle') return;
    state = 'connecting';
    sender.open();
  }

  function pump(): void {
    if (state !== 'open') {
      if (state === 'idle' && reconnectTimer === null) open();
      return;
    }
    sender.pump();
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
      // The last element is what follows the final newline: empty for whole lines.
      const lines = chunk.toString('utf8').split('\n');
      let dropped = 0;
      if (closing) {
        for (const line of lines) if (line.length > 0) dropped++;
      } else {
        dropped = sender.enqueue(lines, Date.now(), { records: held(), bytes: heldBytes() });
      }
      if (dropped > 0) {
        if (!closing) full = true;
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
      const left = queue.records + sender.abandonInFlight();
      if (left > 0)
        dropRecords(left, `closed with records not handed to ${spec.host}:${spec.port}`);
      queue.clear();
      await sender.close();
      settleFlushes();
    },
    // closed once closed; failing while its buffer is full (records dropped); retrying while
    // not connected (records held, reconnecting with backoff).
    state(): DestinationState {
      if (closing) return 'closed';
      if (full) return 'failing';
      return state === 'open' ? 'ok' : 'retrying';
    },
    stats() {
      stats.buffered = held();
      return { ...stats };
    },
  };
}
