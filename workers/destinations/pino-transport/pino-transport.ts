/**
 * `{ type: 'pino-transport', target }`: a pino transport module run unmodified in the sink.
 * Its export is a function `(options) => stream` (sync or async; usually built with
 * pino-abstract-transport, which reads lines through split2), as pino's thread-stream worker
 * expects. We write our NDJSON text to that stream through a bounded buffer
 * (stream-feeder.ts), and end it and wait for 'close' on close().
 */

import { createRequire } from 'node:module';
import { isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort } from 'node:worker_threads';
import { destinationName } from '../../../src/protocol/destination-name.js';
import type { PinoTransportSpec } from '../../../src/protocol/messages.js';
import type { Destination } from '../types.js';
import { StreamFeeder, type WritableLike } from './stream-feeder.js';

/** A package name is looked up from the process's working directory first (the app's
 * node_modules), then from ringlog's own location. */
async function importTarget(target: string): Promise<unknown> {
  if (target.startsWith('file:')) return import(target);
  if (isAbsolute(target)) return import(pathToFileURL(target).href);
  let resolved: string;
  try {
    resolved = createRequire(join(process.cwd(), 'noop.js')).resolve(target);
  } catch {
    // Not installed beside the app: from ringlog's own place. require's resolution, not
    // import's, so that 'pino/file' finds file.js as pino's own loader does.
    resolved = createRequire(import.meta.url).resolve(target);
  }
  return import(pathToFileURL(resolved).href);
}

/** How long pino's config is offered to a transport's factory that has not settled. */
const OFFER_CONFIG_MS = 10_000;

/**
 * Runs a transport's factory while offering it pino's config. A transport built with
 * pino-abstract-transport's `expectPinoConfig` listens on parentPort for
 * `{ code: 'PINO_CONFIG', config }`, which pino sends through thread-stream, and does not
 * resolve before it has it. Its listener may be added after an await inside the factory, so
 * the message is emitted (locally, on this thread's port) on every turn until the factory
 * settles; the sink's own message handler ignores it.
 */
async function withPinoConfig(
  factory: () => unknown,
  config: PinoTransportSpec['pinoConfig'],
): Promise<unknown> {
  const message = { code: 'PINO_CONFIG', config };
  const offer = () => parentPort?.emit('message', message);
  const pending = Promise.resolve(factory());
  offer();
  // Not past the sink's own limit on a factory (CREATE_TIMEOUT_MS): a factory that never
  // settles must not leave a 1 ms timer running for the life of the worker.
  const stopAt = Date.now() + OFFER_CONFIG_MS;
  const timer = setInterval(() => {
    if (Date.now() > stopAt) clearInterval(timer);
    else offer();
  }, 1);
  timer.unref();
  try {
    return await pending;
  } finally {
    clearInterval(timer);
  }
}

export async function createPinoTransportDestination(
  spec: PinoTransportSpec,
): Promise<Destination> {
  const name = destinationName(spec);
  let mod: unknown;
  try {
    mod = await importTarget(spec.target);
  } catch (err) {
    throw new Error(
      `pino transport "${spec.target}" could not be loaded: ${(err as Error).message}`,
    );
  }
  // CJS exports arrive as default, sometimes nested once more by transpilers (as pino unwraps).
  let fn = mod;
  if (typeof fn === 'object' && fn !== null) fn = (fn as { default?: unknown }).default;
  if (typeof fn === 'object' && fn !== null) fn = (fn as { default?: unknown }).default;
  if (typeof fn !== 'function') {
    throw new TypeError(
      `pino transport "${spec.target}" must export a function returning a stream, got ${typeof fn}`,
    );
  }
  const stream = (await withPinoConfig(
    () => (fn as (o: unknown) => unknown)(spec.options ?? {}),
    spec.pinoConfig,
  )) as WritableLike;
  if (stream === null || typeof stream !== 'object' || typeof stream.write !== 'function') {
    throw new TypeError(
      `pino transport "${spec.target}": its function must return a writable stream, got ${typeof stream}`,
    );
  }
  const feeder = new StreamFeeder(stream, name, spec.maxBufferBytes);
  return {
    name,
    minLevel: spec.minLevel,
    write: (chunk, records) => feeder.write(chunk, records),
    flush: () => feeder.flush(),
    close: () => feeder.close(),
    // A transport's own buffers (pino-pretty's async sonic-boom, …) are only pushed out by
    // ending its stream, as pino does at exit.
    end: () => feeder.close(),
    stats: () => feeder.stats(),
    state: () => feeder.state(),
  };
}
