/**
 * stdout, stderr, any file descriptor, or a file path, through sonic-boom.
 * sync: the sink worker is the thread that may block on I/O, and writing synchronously is
 * what lets it release ring space only once bytes reached the OS. contentMode 'buffer': the
 * sink hands over bytes, and sonic-boom's default utf8 mode costs about 3 µs a write
 * (sonic-boom#238).
 */
import sonicBoom, { type SonicBoom as SonicBoomClass } from 'sonic-boom';
import type { DestinationSpec } from '../../src/sink-protocol.js';
import type { Destination } from './types.js';

// sonic-boom is CommonJS (module.exports = SonicBoom) while its types declare an ES default
// export, which NodeNext resolution reads as the namespace: name the class explicitly.
const SonicBoom = sonicBoom as unknown as typeof SonicBoomClass;

type StreamSpec = Extract<DestinationSpec, { kind: 'fd' } | { kind: 'file' }>;

export function createStreamDestination(spec: StreamSpec): Destination {
  const name =
    spec.kind === 'fd'
      ? (['stdin', 'stdout', 'stderr'][spec.fd] ?? `fd:${spec.fd}`)
      : `file:${spec.path}`;
  const sonic =
    spec.kind === 'fd'
      ? new SonicBoom({ fd: spec.fd, sync: true, contentMode: 'buffer' })
      : new SonicBoom({
          dest: spec.path,
          sync: true,
          contentMode: 'buffer',
          mkdir: spec.mkdir,
          append: spec.append,
        });
  return {
    name,
    minLevel: spec.minLevel,
    write(chunk) {
      sonic.write(chunk as unknown as string);
    },
    flush() {
      sonic.flushSync();
    },
    close() {
      sonic.flushSync();
      // Never close the process's own stdout/stderr.
      if (spec.kind === 'file') sonic.destroy();
    },
  };
}
