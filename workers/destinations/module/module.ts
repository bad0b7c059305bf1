/**
 * A destination from a user's module (ESM or CJS), loaded inside the sink worker. Its default
 * export (or `createDestination`) is a factory `(options) => { write(chunk), flush?(), close?() }`,
 * sync or async. `chunk` is lent for the duration of write(): copy what must outlive it. A
 * write that throws is caught by the sink (workers/sink/route.ts): its records are counted as
 * dropped for this destination and the others go on. A module that cannot be loaded, or
 * exports no factory, throws here; the sink puts a stand-in in its place
 * (unavailable.ts) rather than restarting over it.
 */

import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { destinationName } from '../../../src/protocol/destination-name.js';
import type { DestinationSpec } from '../../../src/protocol/messages.js';
import type { Destination } from '../types.js';

type ModuleSpec = Extract<DestinationSpec, { kind: 'module' }>;

interface UserDestination {
  write(chunk: Buffer, records: number): void;
  flush?(): void | Promise<void>;
  close?(): void | Promise<void>;
}

type Factory = (options: unknown) => UserDestination | Promise<UserDestination>;

export async function createModuleDestination(spec: ModuleSpec): Promise<Destination> {
  const url = isAbsolute(spec.specifier) ? pathToFileURL(spec.specifier).href : spec.specifier;
  let mod: { default?: unknown; createDestination?: unknown };
  try {
    mod = (await import(url)) as typeof mod;
  } catch (err) {
    throw new Error(
      `destination module ${spec.specifier} could not be loaded: ${(err as Error).message}`,
    );
  }
  let factory = mod.createDestination ?? mod.default;
  // A CJS module's module.exports arrives as default; it may itself hold the factory.
  if (typeof factory === 'object' && factory !== null) {
    const inner = factory as { default?: unknown; createDestination?: unknown };
    factory = inner.createDestination ?? inner.default;
  }
  if (typeof factory !== 'function') {
    throw new TypeError(
      `destination module ${spec.specifier} must export a factory function as default or createDestination, got ${typeof factory}`,
    );
  }
  const dest = await (factory as Factory)(spec.options);
  if (dest === null || typeof dest !== 'object' || typeof dest.write !== 'function') {
    throw new TypeError(
      `destination module ${spec.specifier}: the factory must return an object with write(chunk)`,
    );
  }
  return {
    name: destinationName(spec),
    minLevel: spec.minLevel,
    write: (chunk, records) => dest.write(chunk, records),
    flush: () => dest.flush?.(),
    close: () => dest.close?.(),
  };
}
