/**
 * Messages between a producing thread and the sink worker. Types only, shared by both sides;
 * the data path itself is the ring (ring.ts), these carry set-up and tear-down.
 */

/** Where a ring's records go; built from the user's options on the producing side. */
import type { HttpDestinationSpec } from './http-options.js';

export type DestinationSpec =
  | { kind: 'fd'; fd: number; minLevel: number }
  | { kind: 'file'; path: string; minLevel: number; mkdir: boolean; append: boolean }
  | { kind: 'module'; specifier: string; options: unknown; minLevel: number }
  | HttpDestinationSpec;

export interface SinkWorkerData {
  /** The control block (ring.ts) shared by every ring of this sink. */
  control: SharedArrayBuffer;
}

export type ToSink =
  | {
      type: 'attach';
      id: number;
      /** ATTACH_SEQ taken for this message (see ring.ts). */
      seq: number;
      ring: SharedArrayBuffer;
      destinations: DestinationSpec[];
    }
  | { type: 'detach'; id: number };

/** Destination failures are not messages: the sink counts them in the ring and reports them
 * on stderr itself, so a report survives a producer that is blocked or exiting. */
export type FromSink = { type: 'attached'; id: number } | { type: 'detached'; id: number };
