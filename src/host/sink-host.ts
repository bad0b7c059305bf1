/**
 * Starts the sink worker, hands it the rings, serves flush/flushSync/close and restarts it
 * when it dies. The process hooks that make "nothing lost" hold at exit are process-hooks.ts.
 * One sink per thread that creates loggers; every root logger of that thread attaches a ring.
 */

import { existsSync, writeSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Channel, SinkLink } from '../logger/channel.js';
import type { DestinationHealth, SinkHealth } from '../logger/health.js';
import { SINK_STALE_MS } from '../logger/health.js';
import type { LoggerSink } from '../logger/links.js';
import { destinationName } from '../protocol/destination-name.js';
import { ErrorCodes, errorCodeAt } from '../protocol/errors.js';
import type { DestinationSpec, FromSink, SinkWorkerData, ToSink } from '../protocol/messages.js';
import { createControlBuffer, RingReader, SinkDoorbell } from '../protocol/ring.js';
import {
  createStatsBuffer,
  type DestinationMetrics,
  lastSinkRound,
  readDestinationHealth,
  readDestinationStats,
} from '../protocol/stats.js';
import { installProcessHooks, updateReopenHooks } from './process-hooks.js';
import { warn } from './stderr.js';

/** Sink failures within RESTART_WINDOW_MS beyond which we stop restarting it. */
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 10_000;

export interface Attached {
  id: number;
  ring: SharedArrayBuffer;
  destinations: DestinationSpec[];
  /** Per-destination counters written by the sink (destination-stats.ts). */
  stats: SharedArrayBuffer;
  /** Destination names as the sink reported them; the kinds until it has. */
  names: string[];
  channel: Channel;
  /** What exit and signal hooks need to know about this root logger. */
  hooks: ExitHooks;
}

export interface ExitHooks {
  exitTimeoutMs: number;
  /** The logger's flushTimeoutMs: the sink bounds destination flushes below it. */
  flushTimeoutMs: number;
  handleSignals: boolean;
  handleExceptions: boolean;
  /** Signal that reopens this logger's file destinations, or false. */
  reopenOnSignal: NodeJS.Signals | false;
  /** Logs an uncaught exception or unhandled rejection at fatal (and flushes). */
  logFatal(err: unknown, origin: string): void;
}

/**
 * Where the sink worker's file is: a bundler override first (as pino's
 * globalThis.__bundlerPathsOverrides), then ./sink.js beside this module (the built package),
 * then ../../dist/sink.js (this module run from src/host/ by a TypeScript-aware runner).
 */
export function resolveSinkPath(): string | URL {
  const overrides = (globalThis as { __bundlerPathsOverrides?: Record<string, string | URL> })
    .__bundlerPathsOverrides;
  const override = overrides?.['ringlog-sink'];
  if (override !== undefined) return override;
  const beside = new URL('./sink.js', import.meta.url);
  if (existsSync(beside)) return beside;
  return new URL('../../dist/sink.js', import.meta.url);
}

export class SinkHost implements SinkLink, LoggerSink {
  readonly control = createControlBuffer();
  readonly doorbell = new SinkDoorbell(this.control);
  restarts = 0;
  fallback = false;
  private worker: Worker | undefined;
  private readonly attached = new Map<number, Attached>();
  private readonly failures: number[] = [];
  private nextId = 1;
  private readonly detachWaiters = new Map<number, () => void>();
  private lastError: string | undefined;
  private nextReopen = 1;
  private readonly reopenWaiters = new Map<number, (failed: string[]) => void>();

  attach(
    channel: Channel,
    ring: SharedArrayBuffer,
    destinations: DestinationSpec[],
    hooks: ExitHooks,
  ): number {
    const id = this.nextId++;
    this.attached.set(id, {
      id,
      ring,
      destinations,
      stats: createStatsBuffer(destinations.length),
      names: destinations.map(destinationName),
      channel,
      hooks,
    });
    installProcessHooks(this);
    updateReopenHooks(this);
    if (this.fallback) return id;
    if (this.worker === undefined) this.start();
    else this.postAttach(this.attached.get(id)!);
    return id;
  }

  /** Flushes what `id` published, closes its destinations in the sink and forgets it. */
  async detach(id: number, timeoutMs: number): Promise<void> {
    const a = this.attached.get(id);
    if (a === undefined) return;
    await this.flush(timeoutMs);
    if (this.worker !== undefined && !this.fallback) {
      const done = new Promise<void>((resolve) => this.detachWaiters.set(id, resolve));
      this.post({ type: 'detach', id });
      this.worker.ref();
      const timer = setTimeout(() => this.detachWaiters.get(id)?.(), timeoutMs);
      await done;
      clearTimeout(timer);
      this.detachWaiters.delete(id);
    }
    this.attached.delete(id);
    updateReopenHooks(this);
    if (this.attached.size === 0) {
      const w = this.worker;
      this.worker = undefined;
      await w?.terminate();
    } else {
      this.worker?.unref();
    }
  }

  /** Counters of `id`'s destinations, read from shared memory without asking the sink. */
  destinationMetrics(id: number): DestinationMetrics[] {
    const a = this.attached.get(id);
    return a === undefined
      ? []
      : readDestinationStats(
          a.stats,
          a.names.map((name, i) => ({ name, extraStats: a.destinations[i]!.extraStats })),
        );
  }

  /**
   * Whether the sink serves `id`'s ring, and its destinations' states, from the stats block
   * (no message to the sink: this answers while it is stuck). In fallback no destination is
   * written by the sink: each reads `failing`.
   */
  health(id: number, now: number): { sink: SinkHealth; destinations: DestinationHealth[] } {
    const a = this.attached.get(id);
    const round = a === undefined ? 0 : lastSinkRound(a.stats);
    const lastRoundAgeMs = round === 0 ? null : Math.max(0, now - round);
    const running = this.worker !== undefined && !this.doorbell.sinkStopped();
    const sink: SinkHealth = {
      alive:
        !this.fallback && running && lastRoundAgeMs !== null && lastRoundAgeMs <= SINK_STALE_MS,
      fallback: this.fallback,
      lastRoundAgeMs,
      restarts: this.restarts,
    };
    if (a === undefined) return { sink, destinations: [] };
    const fields = readDestinationHealth(a.stats, a.names.length, errorCodeAt);
    const metrics = this.destinationMetrics(id);
    const destinations = fields.map((f, i) => ({
      name: a.names[i]!,
      state: this.fallback ? ('failing' as const) : f.state,
      lastError: f.lastError,
      buffered: metrics[i]!.buffered,
    }));
    return { sink, destinations };
  }

  /** The root loggers attached to this sink, with what their exit hooks need. */
  attachedRings(): Iterable<Attached> {
    return this.attached.values();
  }

  published(urgent: boolean): void {
    if (this.fallback) this.drainSync();
    else this.doorbell.ring(urgent);
  }

  wake(): void {
    this.restartIfStopped();
    if (this.fallback) this.drainSync();
    else this.doorbell.wake();
  }

  /**
   * A sink that announced its end in the control block is replaced now, without waiting for
   * its 'exit' event: a thread blocked on the ring never runs its event loop to see it.
   */
  private restartIfStopped(): void {
    if (this.worker === undefined || !this.doorbell.sinkStopped()) return;
    const dead = this.worker;
    this.worker = undefined; // its 'exit' event will find it replaced
    void dead.terminate();
    this.onCrash(this.doorbell.stopReason() ?? this.lastError ?? 'it stopped');
  }

  /** Resolves once everything published so far is written, or false after timeoutMs. */
  async flush(timeoutMs: number): Promise<boolean> {
    if (this.attached.size === 0) return true;
    if (this.fallback) {
      this.drainSync();
      return true;
    }
    const ticket = this.doorbell.requestFlush();
    // A pending Atomics.waitAsync keeps no event loop alive, and the worker is unref'd (and
    // may be replaced meanwhile): this timer holds the process open for as long as we wait.
    const keepAlive = setTimeout(() => {}, timeoutMs);
    try {
      return await this.doorbell.waitFlushed(ticket, timeoutMs);
    } finally {
      clearTimeout(keepAlive);
    }
  }

  /**
   * Has the sink close and reopen the file destinations of rings `ids` (null: all) at their
   * paths. Resolves with the names of those that failed (the sink reported each on stderr).
   * A sink that is starting or restarting opens every path anew: nothing to ask it then.
   */
  async reopen(ids: number[] | null, timeoutMs: number): Promise<string[]> {
    if (this.fallback || this.worker === undefined || this.attached.size === 0) return [];
    const req = this.nextReopen++;
    const done = new Promise<string[]>((resolve) => this.reopenWaiters.set(req, resolve));
    this.post({ type: 'reopen', req, ids });
    // Also what keeps the process alive meanwhile: the worker is unref'd.
    const timer = setTimeout(
      () => this.reopenWaiters.get(req)?.([`the sink did not answer within ${timeoutMs} ms`]),
      timeoutMs,
    );
    try {
      return await done;
    } finally {
      clearTimeout(timer);
      this.reopenWaiters.delete(req);
    }
  }

  /** A sink that stops answers no reopen; the one replacing it opens every path anew. */
  private settleReopens(): void {
    for (const resolve of this.reopenWaiters.values()) resolve([]);
  }

  /** Blocks this thread until everything published so far is written, or timeoutMs passes. */
  flushSync(timeoutMs: number): boolean {
    if (this.attached.size === 0) return true;
    if (this.fallback) {
      this.drainSync();
      return true;
    }
    if (this.worker === undefined) this.start();
    const ticket = this.doorbell.requestFlush();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.doorbell.waitFlushedSync(ticket, deadline - Date.now())) return true;
      if (Date.now() >= deadline) return false;
      // The sink stopped under us: a new one serves the same ticket.
      this.restartIfStopped();
      if (this.fallback) {
        this.drainSync();
        return true;
      }
    }
  }

  private post(msg: ToSink): void {
    this.worker?.postMessage(msg);
  }

  private postAttach(a: Attached): void {
    const seq = this.doorbell.nextAttachSeq();
    this.post({
      type: 'attach',
      id: a.id,
      seq,
      ring: a.ring,
      destinations: a.destinations,
      stats: a.stats,
      flushTimeoutMs: a.hooks.flushTimeoutMs,
    });
  }

  private start(): void {
    const data: SinkWorkerData = {
      control: this.control,
      workerData: { pinoWillSendConfig: true },
    };
    let worker: Worker;
    try {
      worker = new Worker(resolveSinkPath(), { workerData: data, stdout: false, stderr: false });
    } catch (err) {
      this.enterFallback(`the sink worker could not be started: ${(err as Error).message}`);
      return;
    }
    this.doorbell.resetSinkState();
    this.lastError = undefined;
    this.worker = worker;
    worker.on('error', (err) => {
      if (this.worker === worker) this.lastError = err.message;
    });
    worker.on('message', (msg: FromSink) => {
      if (msg.type === 'detached') this.detachWaiters.get(msg.id)?.();
      else if (msg.type === 'reopened') this.reopenWaiters.get(msg.req)?.(msg.failed);
      else {
        const a = this.attached.get(msg.id);
        if (a !== undefined) a.names = msg.names;
      }
    });
    worker.on('exit', (code) => {
      this.settleReopens();
      if (this.worker !== worker) return; // terminated on purpose
      this.worker = undefined;
      this.onCrash(this.lastError ?? this.doorbell.stopReason() ?? `it exited with code ${code}`);
    });
    for (const a of this.attached.values()) this.postAttach(a);
    // After the listeners: adding a 'message' listener refs the worker's port again.
    worker.unref();
  }

  private onCrash(reason: string): void {
    const now = Date.now();
    this.failures.push(now);
    while (this.failures.length > 0 && now - this.failures[0]! > RESTART_WINDOW_MS)
      this.failures.shift();
    if (this.failures.length > MAX_RESTARTS) {
      this.enterFallback(
        `the sink worker failed ${this.failures.length} times in ${RESTART_WINDOW_MS / 1000} s (last: ${reason})`,
      );
      return;
    }
    warn(
      `the sink worker stopped (${reason}); restarting it from the ring's read position`,
      ErrorCodes.SINK_CRASH,
    );
    this.restarts++;
    this.start();
    this.doorbell.wake();
  }

  private enterFallback(reason: string): void {
    warn(
      `${reason}; writing records to stderr synchronously from now on`,
      ErrorCodes.SINK_FALLBACK,
    );
    this.fallback = true;
    this.drainSync();
    this.doorbell.settleFlushes();
  }

  private readers = new Map<number, RingReader>();

  /** Fallback: this thread drains every ring to stderr itself. No worker runs any more. */
  private drainSync(): void {
    for (const a of this.attached.values()) {
      let reader = this.readers.get(a.id);
      if (reader === undefined) {
        reader = new RingReader(a.ring);
        this.readers.set(a.id, reader);
      }
      let records = 0;
      while (reader.nextBatch()) {
        writeFully(2, reader.payload);
        records += reader.records;
      }
      if (records !== 0) reader.release(records);
    }
  }
}

/** How long the fallback waits for a stderr that takes nothing (a full pipe) before it gives
 * the rest of a batch up: the app thread writes here, and must not wait for a reader for ever. */
const FALLBACK_WAIT_MS = 1000;
const nap = new Int32Array(new SharedArrayBuffer(4));

function writeFully(fd: number, buf: Buffer): void {
  let off = 0;
  let deadline = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off);
      deadline = 0;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return;
      const now = Date.now();
      if (deadline === 0) deadline = now + FALLBACK_WAIT_MS;
      else if (now >= deadline) return;
      Atomics.wait(nap, 0, 0, 1); // 1 ms: the reader's turn
    }
  }
}

let sink: SinkHost | undefined;

/** This thread's sink, created on first use. */
export function getSinkHost(): SinkHost {
  if (sink === undefined) sink = new SinkHost();
  return sink;
}
