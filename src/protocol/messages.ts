/**
 * Messages between a producing thread and the sink worker. Types only, shared by both sides;
 * the data path itself is the ring (ring.ts), these carry set-up and tear-down.
 */

import type { FileRotationSpec, FileSpec } from '../../workers/destinations/file/options.js';
import type { HttpDestinationSpec } from '../../workers/destinations/http/options.js';
import type { ModuleSpec } from '../../workers/destinations/module/options.js';
import type { PinoTransportSpec } from '../../workers/destinations/pino-transport/options.js';
import type { PrettySpec } from '../../workers/destinations/pretty/options.js';
import type { FdSpec } from '../../workers/destinations/stream/options.js';
import type { SyslogSpec } from '../../workers/destinations/syslog/options.js';

/** Where a ring's records go; built from the user's options on the producing side. Each
 * kind's spec is declared in its folder, workers/destinations/<kind>/options.ts. */
export type DestinationSpec =
  | FdSpec
  | FileSpec
  | ModuleSpec
  | SyslogSpec
  | PrettySpec
  | PinoTransportSpec
  | HttpDestinationSpec;

export type {
  FdSpec,
  FileRotationSpec,
  FileSpec,
  HttpDestinationSpec,
  ModuleSpec,
  PinoTransportSpec,
  PrettySpec,
  SyslogSpec,
};

export interface SinkWorkerData {
  /** The process block (process-block.ts), whose first bytes are ring.ts's control block. */
  control: SharedArrayBuffer;
  /** This sink's generation (process-block.ts). */
  gen: number;
  /** The starting thread's rings, attached before anything else: that thread may be blocked
   * (a flushSync right after its first record) and post nothing until they are. */
  rings: AttachMessage[];
  /** Read by pino-abstract-transport as pino's thread-stream sets it: we send the config
   * that transports built with `expectPinoConfig` wait for. */
  workerData: { pinoWillSendConfig: true };
}

export interface AttachMessage {
  type: 'attach';
  /** Unique in the process (process-block.ts NEXT_ID). */
  id: number;
  /** The sink generation this is meant for: another generation's sink ignores it. */
  gen: number;
  ring: SharedArrayBuffer;
  destinations: DestinationSpec[];
  /** Per-destination counters the sink writes and metrics() reads (destination-stats.ts). */
  stats: SharedArrayBuffer;
  /** The logger's flushTimeoutMs: the sink bounds a destination's flush below it. */
  flushTimeoutMs: number;
}

/**
 * Every message goes through the process's BroadcastChannel (process-block.ts), so every
 * host and the sink see all of them, and each takes only what is addressed to it: the sink
 * the ToSink messages of its generation, a host the FromSink answers about its own ids.
 */
export type ToSink =
  | AttachMessage
  /** Drain `id` once more, close its destinations, forget it. `reply`: answer 'detached'. */
  | { type: 'detach'; id: number; gen: number; reply: boolean }
  /** Close and reopen the file destinations of rings `ids` (null: every ring) at their path. */
  | { type: 'reopen'; req: number; gen: number; ids: number[] | null };

/** Destination failures are not messages: the sink counts them in the ring and reports them
 * on stderr itself, so a report survives a producer that is blocked or exiting. */
export type FromSink =
  /** A sink of generation `gen` listens: post an attach for every ring not attached to it. */
  | { type: 'hello'; gen: number }
  /** The sink of generation `gen` has stopped draining: whoever has rings starts the next. */
  | { type: 'retired'; gen: number }
  | { type: 'attached'; id: number; names: string[] }
  | { type: 'detached'; id: number }
  /** Answer to a reopen: the names of the destinations that could not reopen (each already
   * reported on stderr as RINGLOG_REOPEN_FAILED). */
  | { type: 'reopened'; req: number; failed: string[] };
