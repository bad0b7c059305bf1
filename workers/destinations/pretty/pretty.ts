/**
 * `{ type: 'pretty' }`: records formatted for people (pretty-format.ts), written to stdout,
 * stderr or any fd through sonic-boom, synchronously like the other standard streams.
 * Colours are decided here, in the sink, from the option, FORCE_COLOR, NO_COLOR and whether
 * the fd is a TTY (a worker sees the process's environment and fds).
 */

import { isatty } from 'node:tty';
import sonicBoom, { type SonicBoom as SonicBoomClass } from 'sonic-boom';
import { destinationName } from '../../../src/protocol/destination-name.js';
import type { PrettySpec } from '../../../src/protocol/messages.js';
import type { Destination } from '../types.js';
import { formatPrettyLine, type PrettyFormat, shouldColorize } from './format.js';

// See stream.ts: sonic-boom's CJS export named explicitly.
const SonicBoom = sonicBoom as unknown as typeof SonicBoomClass;

export function createPrettyDestination(spec: PrettySpec): Destination {
  const format: PrettyFormat = {
    colorize: shouldColorize(spec.colorize, process.env, isatty(spec.fd)),
    labels: spec.labels,
    messageKey: spec.messageKey,
  };
  const sonic = new SonicBoom({ fd: spec.fd, sync: true });
  const name = destinationName(spec);
  return {
    name,
    minLevel: spec.minLevel,
    write(chunk) {
      const text = chunk.toString('utf8');
      let out = '';
      let start = 0;
      for (;;) {
        const end = text.indexOf('\n', start);
        if (end < 0) break;
        out += formatPrettyLine(text.slice(start, end), format);
        start = end + 1;
      }
      sonic.write(out);
    },
    flush() {
      sonic.flushSync();
    },
    close() {
      sonic.flushSync();
    },
  };
}
