/**
 * One factory per destination kind. Each kind lives in its own file; this switch is the only
 * place the sink learns about them.
 */
import type { DestinationSpec } from '../../src/sink-protocol.js';
import { createHttpDestination } from './http.js';
import { createModuleDestination } from './module.js';
import { createStreamDestination } from './stream.js';
import type { Destination } from './types.js';

export async function createDestination(spec: DestinationSpec): Promise<Destination> {
  switch (spec.kind) {
    case 'module':
      return createModuleDestination(spec);
    case 'fd':
    case 'file':
      return createStreamDestination(spec);
    case 'http':
      return createHttpDestination(spec);
  }
}
