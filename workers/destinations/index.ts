/**
 * One factory per destination kind. Each kind lives in its own file; this switch is the only
 * place the sink learns about them.
 */
import type { DestinationSpec } from '../../src/protocol/messages.js';
import { createFileDestination } from './file/file.js';
import { createHttpDestination } from './http/http.js';
import { createModuleDestination } from './module/module.js';
import { createPinoTransportDestination } from './pino-transport/pino-transport.js';
import { createPrettyDestination } from './pretty/pretty.js';
import { createStreamDestination } from './stream/stream.js';
import { createSyslogDestination } from './syslog/syslog.js';
import type { Destination } from './types.js';

export async function createDestination(spec: DestinationSpec): Promise<Destination> {
  switch (spec.kind) {
    case 'module':
      return createModuleDestination(spec);
    case 'fd':
      return createStreamDestination(spec);
    case 'file':
      return createFileDestination(spec);
    case 'syslog':
      return createSyslogDestination(spec);
    case 'pretty':
      return createPrettyDestination(spec);
    case 'pino-transport':
      return createPinoTransportDestination(spec);
    case 'http':
      return createHttpDestination(spec);
  }
}
