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
  /** The control block (ring.ts) shared by every ring of this sink. */
  control: SharedArrayBuffer;
  /** Read by pino-abstract-transport as pino's thread-stream sets it: we send the config
   * that transports built with `expectPinoConfig` wait for. */
  workerData: { pinoWillSendConfig: true };
}

export type ToSink =
  | {
      type: 'attach';
      id: number;
      /** ATTACH_SEQ taken for this message (see ring.ts). */
      seq: number;
      ring: SharedArrayBuffer;
      destinations: DestinationSpec[];
      /** Per-destination counters the sink writes and metrics() reads (destination-stats.ts). */
      stats: SharedArrayBuffer;
      /** The logger's flushTimeoutMs: the sink bounds a destination's flush below it. */
      flushTimeoutMs: number;
    }
  | { type: 'detach'; id: number }
  /** Close and reopen the file destinations of rings `ids` (null: every ring) at their path. */
  | { type: 'reopen'; req: number; ids: number[] | null };

/** Destination failures are not messages: the sink counts them in the ring and reports them
 * on stderr itself, so a report survives a producer that is blocked or exiting. */
export type FromSink =
  | { type: 'attached'; id: number; names: string[] }
  | { type: 'detached'; id: number }
  /** Answer to a reopen: the names of the destinations that could not reopen (each already
   * reported on stderr as RINGLOG_REOPEN_FAILED). */
  | { type: 'reopened'; req: number; failed: string[] };
