/**
 * `{ type: 'pretty' }`: records formatted for people (pretty-format.ts), written to stdout,
 * stderr or any fd through the same writer as the other standard streams (stream/fd-writer.ts).
 * Colours are decided here, in the sink, from the option, FORCE_COLOR, NO_COLOR and whether
 * the fd is a TTY (a worker sees the process's environment and fds).
 */

import { isatty } from 'node:tty';
import { destinationName } from '../../../src/protocol/destination-name.js';
import type { PrettySpec } from '../../../src/protocol/messages.js';
import { openFdWriter } from '../stream/fd-writer.js';
import { fdWriterDestination } from '../stream/stream.js';
import type { Destination } from '../types.js';
import { formatPrettyLine, type PrettyFormat, shouldColorize } from './format.js';

export function createPrettyDestination(spec: PrettySpec): Destination {
  const format: PrettyFormat = {
    colorize: shouldColorize(spec.colorize, process.env, isatty(spec.fd)),
    labels: spec.labels,
    messageKey: spec.messageKey,
  };
  const name = destinationName(spec);
  const writer = openFdWriter(name, spec.fd);
  return fdWriterDestination(name, spec.minLevel, writer, (chunk, records) => {
    const text = chunk.toString('utf8');
    let out = '';
    let start = 0;
    for (;;) {
      const end = text.indexOf('\n', start);
      if (end < 0) break;
      out += formatPrettyLine(text.slice(start, end), format);
      start = end + 1;
    }
    // A pretty record may span several lines (a stack below it): the writer holds and
    // drops by the records it is told, and cuts only at a line end.
    writer.write(Buffer.from(out, 'utf8'), records);
  });
}
