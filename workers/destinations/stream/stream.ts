/**
 * stdout, stderr or any other open file descriptor, through sonic-boom. File paths are
 * file.ts. sync: the sink worker is the thread that may block on I/O, and writing
 * synchronously is what lets it release ring space only once bytes reached the OS.
 * contentMode 'buffer': the sink hands over bytes, and sonic-boom's default utf8 mode costs
 * about 3 µs a write (sonic-boom#238).
 */

import sonicBoom, { type SonicBoom as SonicBoomClass } from 'sonic-boom';
import { destinationName } from '../../../src/protocol/destination-name.js';
import type { DestinationSpec } from '../../../src/protocol/messages.js';
import type { Destination } from '../types.js';

// sonic-boom is CommonJS (module.exports = SonicBoom) while its types declare an ES default
// export, which NodeNext resolution reads as the namespace: name the class explicitly.
const SonicBoom = sonicBoom as unknown as typeof SonicBoomClass;

type StreamSpec = Extract<DestinationSpec, { kind: 'fd' }>;

export function createStreamDestination(spec: StreamSpec): Destination {
  const sonic = new SonicBoom({ fd: spec.fd, sync: true, contentMode: 'buffer' });
  return {
    name: destinationName(spec),
    minLevel: spec.minLevel,
    write(chunk) {
      sonic.write(chunk as unknown as string);
    },
    flush() {
      sonic.flushSync();
    },
    close() {
      // Never close the process's own stdout/stderr, nor a descriptor we did not open.
      sonic.flushSync();
    },
  };
}
