/**
 * Messages between a producing thread and the sink worker. Types only, shared by both sides;
 * the data path itself is the ring (ring.ts), these carry set-up and tear-down.
 */

import type { HttpDestinationSpec } from '../../workers/destinations/http/options.js';

/** Where a ring's records go; built from the user's options on the producing side. */
export type DestinationSpec =
  | { kind: 'fd'; fd: number; minLevel: number }
  | {
      kind: 'file';
      path: string;
      minLevel: number;
      mkdir: boolean;
      append: boolean;
      /** Built-in rotation (workers/destinations/file/options.ts), or null for none. */
      rotation: FileRotationSpec | null;
      /** Absolute path of a symlink kept pointing at `path`, or null. */
      symlink: string | null;
    }
  | { kind: 'module'; specifier: string; options: unknown; minLevel: number }
  | SyslogSpec
  | PrettySpec
  | PinoTransportSpec
  | HttpDestinationSpec;

/** When and how a file destination rotates; see docs/destinations.md#files. */
export interface FileRotationSpec {
  /** Rotate before a write that would take the file past this many bytes. */
  sizeBytes: number | null;
  interval: 'daily' | 'hourly' | null;
  /** Rotated files kept (oldest deleted beyond it); null keeps all. */
  keep: number | null;
  compress: 'gzip' | null;
  /** Time boundaries and file-name dates in UTC rather than local time. */
  utc: boolean;
}

/** `{ type: 'pretty' }`: human-readable lines formatted in the sink (destinations/pretty.ts). */
export interface PrettySpec {
  kind: 'pretty';
  fd: number;
  /** undefined: decided in the sink from NO_COLOR, FORCE_COLOR and isatty(fd). */
  colorize: boolean | undefined;
  /** Level number → label, custom levels included. */
  labels: Record<number, string>;
  messageKey: string;
  minLevel: number;
}

/** `{ type: 'pino-transport' }`: a pino transport module fed our lines (destinations/pino-transport.ts). */
export interface PinoTransportSpec {
  kind: 'pino-transport';
  /** Absolute path, file: URL or package name as the caller wrote it. */
  target: string;
  options: unknown;
  /** Most bytes held for the transport while it applies backpressure. */
  maxBufferBytes: number;
  minLevel: number;
  /** What pino sends transports built with `expectPinoConfig` (pino.js, PINO_CONFIG). */
  pinoConfig: {
    levels: { labels: Record<number, string>; values: Record<string, number> };
    messageKey: string;
    errorKey: string;
  };
}

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

/** A syslog destination, resolved and validated by workers/destinations/syslog/options.ts. */
export interface SyslogSpec {
  kind: 'syslog';
  minLevel: number;
  host: string;
  port: number;
  protocol: 'tcp' | 'udp';
  /** 0..23. */
  facility: number;
  /** Static APP-NAME, or null: the record's "name" field, else the process title. */
  appName: string | null;
  hostname: string;
  procid: string;
  /** Static MSGID ('-' for none), or the record field it is taken from. */
  msgid: { value: string } | { field: string };
  /** Severity (0..7) for each level number 0..255. */
  severityByLevel: number[];
  /** SD-ID of the element carrying the record's fields. */
  sdId: string;
  /** Keys written as SD-PARAMs: null = every key not in excludeFields. */
  fields: string[] | null;
  excludeFields: string[];
  structuredData: boolean;
  messageKey: string;
  /** 'msg': MSG is the record's message; 'json': MSG is the whole NDJSON line. */
  msgFormat: 'msg' | 'json';
  maxDatagramBytes: number;
  bufferBytes: number;
  bufferRecords: number;
  reconnectInitialMs: number;
  reconnectMaxMs: number;
  connectTimeoutMs: number;
  flushTimeoutMs: number;
}
