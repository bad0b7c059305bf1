/**
 * The name a destination goes by in metrics().destinations and in stderr reports, from its
 * spec alone, so the app side (before the sink answers), the sink and a destination that could
 * not be created all say the same.
 */
import type { DestinationSpec } from './messages.js';

const fdName = (fd: number) => ['stdin', 'stdout', 'stderr'][fd] ?? `fd:${fd}`;

export function destinationName(spec: DestinationSpec): string {
  switch (spec.kind) {
    case 'fd':
      return fdName(spec.fd);
    case 'file':
      return `file:${spec.path}`;
    case 'module':
      return `module:${spec.specifier}`;
    case 'pretty':
      return `pretty:${fdName(spec.fd)}`;
    case 'pino-transport':
      return `pino-transport:${spec.target}`;
    case 'syslog':
      return `syslog:${spec.protocol}://${spec.host}:${spec.port}`;
    case 'http': {
      // Origin and path only: credentials or a query may be in the URL.
      const u = new URL(spec.url);
      return `http:${u.origin}${u.pathname}`;
    }
  }
}
