/**
 * One factory per destination kind: the only place the sink learns about them (the app
 * side's list is kinds.ts). Each implementation is imported when a destination of its kind
 * is first created, so a sink that writes to stderr alone never evaluates the HTTP, syslog,
 * pretty or transport code. The bundle stays one file (tsup, splitting off): esbuild keeps
 * each module dynamically imported here in the same file, behind a function that runs it on
 * first call.
 */
import type { DestinationSpec } from '../../src/protocol/messages.js';
import type { Destination } from './types.js';

export async function createDestination(spec: DestinationSpec): Promise<Destination> {
  switch (spec.kind) {
    case 'fd':
      return (await import('./stream/stream.js')).createStreamDestination(spec);
    case 'file':
      return (await import('./file/file.js')).createFileDestination(spec);
    case 'module':
      return (await import('./module/module.js')).createModuleDestination(spec);
    case 'syslog':
      return (await import('./syslog/syslog.js')).createSyslogDestination(spec);
    case 'pretty':
      return (await import('./pretty/pretty.js')).createPrettyDestination(spec);
    case 'pino-transport':
      return (await import('./pino-transport/pino-transport.js')).createPinoTransportDestination(
        spec,
      );
    case 'http':
      return (await import('./http/http.js')).createHttpDestination(spec);
  }
}
