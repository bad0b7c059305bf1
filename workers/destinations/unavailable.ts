/**
 * What stands in for a destination that could not be created (a module that is missing or
 * exports no factory, a transport that fails to start): its records go to stderr, or, when
 * stderr is already one of the ring's destinations, are dropped and counted. Reported once
 * with RINGLOG_DESTINATION_UNAVAILABLE, and the sink is not restarted over it: a worker that
 * crashed on every attach would only ever reach the stderr fallback for every destination.
 */
import { destinationName } from '../../src/protocol/destination-name.js';
import { ErrorCodes, errorMessage } from '../../src/protocol/errors.js';
import type { DestinationSpec } from '../../src/protocol/messages.js';
import { noteLastError, reportDestinationError } from './report.js';
import { createStreamDestination } from './stream/stream.js';
import type { Destination } from './types.js';

/** The name a destination would have had, for reports about one that does not exist. */
export function createUnavailableDestination(
  spec: DestinationSpec,
  err: unknown,
  stderrTaken: boolean,
): Destination {
  const name = destinationName(spec);
  // One report, one line: require's "Require stack:" lines stay out.
  const reason = errorMessage(err).split('\n', 1)[0];
  const message = `could not be created: ${reason}; its records ${stderrTaken ? 'are dropped (stderr is already a destination)' : 'go to stderr instead'}`;
  reportDestinationError(name, ErrorCodes.DESTINATION_UNAVAILABLE, message);
  if (!stderrTaken) {
    noteLastError(`${name} (stderr in its place)`, ErrorCodes.DESTINATION_UNAVAILABLE, message);
    const stderr = createStreamDestination({
      kind: 'fd',
      fd: 2,
      minLevel: spec.minLevel,
      name: 'stderr',
      extraStats: [],
    });
    // Its records reach stderr, but not where they were meant to go.
    return { ...stderr, name: `${name} (stderr in its place)`, state: () => 'failing' };
  }
  let dropped = 0;
  return {
    name,
    minLevel: spec.minLevel,
    write(_chunk, records) {
      dropped += records;
    },
    flush() {},
    close() {},
    state: () => 'failing',
    stats: () => ({ written: 0, dropped, errors: 1, buffered: 0 }),
  };
}
