/**
 * stdout, stderr or any other open file descriptor, through ringlog's own writer
 * (fd-writer.ts): one non-blocking write per batch, whatever the reader does. A pipe, FIFO or
 * terminal is written through a non-blocking description of its own (the app's fd keeps its
 * flags); a reader that is slow, stuck or gone costs this destination its records (held,
 * then dropped, counted), never the sink's time.
 */

import { destinationName } from '../../../src/protocol/destination-name.js';
import type { DestinationSpec } from '../../../src/protocol/messages.js';
import type { Destination } from '../types.js';
import { type FdWriter, openFdWriter } from './fd-writer.js';

type StreamSpec = Extract<DestinationSpec, { kind: 'fd' }>;

export function createStreamDestination(spec: StreamSpec): Destination {
  const name = destinationName(spec);
  const writer = openFdWriter(name, spec.fd);
  return fdWriterDestination(name, spec.minLevel, writer, (chunk, records) =>
    writer.write(chunk, records),
  );
}

/**
 * A destination that hands its bytes to `writer` (through `write`, which may transform them
 * first, as pretty output does): flush, exit, close, pause and counters are the writer's.
 */
export function fdWriterDestination(
  name: string,
  minLevel: number,
  writer: FdWriter,
  write: Destination['write'],
): Destination {
  return {
    name,
    minLevel,
    write,
    flush: (boundMs) => writer.flush(boundMs),
    end() {
      writer.finish('at exit');
    },
    close() {
      // Closes only a description this writer opened: never the process's stdout/stderr.
      writer.close();
    },
    paused: () => writer.paused(),
    state: () => writer.state(),
    stats: () => writer.stats(),
  };
}
