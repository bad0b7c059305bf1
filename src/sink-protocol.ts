/**
 * Messages between a producing thread and the sink worker. Types only, shared by both sides;
 * the data path itself is the ring (ring.ts), these carry set-up and tear-down.
 */

/** Where a ring's records go; built from the user's options on the producing side. */
export type DestinationSpec =
  | { kind: 'fd'; fd: number; minLevel: number }
  | { kind: 'file'; path: string; minLevel: number; mkdir: boolean; append: boolean }
  | { kind: 'module'; specifier: string; options: unknown; minLevel: number }
  | PrettySpec
  | PinoTransportSpec;

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
  | { type: 'detach'; id: number };

/** Destination failures are not messages: the sink counts them in the ring and reports them
 * on stderr itself, so a report survives a producer that is blocked or exiting. */
export type FromSink =
  | { type: 'attached'; id: number; names: string[] }
  | { type: 'detached'; id: number };
