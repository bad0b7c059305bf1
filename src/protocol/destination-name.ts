/**
 * The name a destination goes by in metrics().destinations and in stderr reports. Each kind
 * says its own (DestinationKind.name in workers/destinations/<kind>/options.ts); the app side
 * writes it into the spec, so the app side (before the sink answers), the sink and a
 * destination that could not be created all say the same.
 */
import type { DestinationSpec } from './messages.js';

export function destinationName(spec: DestinationSpec): string {
  return spec.name;
}
