/**
 * The app side of the process's one sink worker (src/protocol/process-block.ts is the
 * protocol): finds the sink or starts it, attaches this thread's rings to it through the
 * process's BroadcastChannel, serves flush/flushSync/close/reopen, takes the sink over when
 * its owning thread ends or it dies, and falls back to synchronous stderr when it keeps
 * dying. One SinkHost per thread (per copy of ringlog); every root logger attaches a ring.
 * The process hooks that make "nothing lost" hold at exit are process-hooks.ts.
 */

import { existsSync, writeSync } from 'node:fs';
import {
  BroadcastChannel,
  getEnvironmentData,
  isMainThread,
  setEnvironmentData,
  threadId,
  Worker,
} from 'node:worker_threads';
import type { Channel, SinkLink } from '../logger/channel.js';
import type { DestinationHealth, SinkHealth } from '../logger/health.js';
import { SINK_STALE_MS } from '../logger/health.js';
import type { LoggerSink } from '../logger/links.js';
import { destinationName } from '../protocol/destination-name.js';
import { ErrorCodes, errorCodeAt } from '../protocol/errors.js';
import type {
  AttachMessage,
  DestinationSpec,
  FromSink,
  SinkWorkerData,
  ToSink,
} from '../protocol/messages.js';
import {
  createProcessBlock,
  isProcessBlock,
  PROCESS_BLOCK_KEY,
  ProcessBlock,
  SINK_DEAD_MS,
  SINK_FAILED,
  SINK_NONE,
  SINK_RETIRING,
  SINK_STARTING,
  SINK_UP,
  type SinkWord,
  TAKEOVER_DELAY_MS,
  WATCH_MS,
} from '../protocol/process-block.js';
import { RingReader, SinkDoorbell } from '../protocol/ring.js';
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
  /** The sink generation its attach message was last posted for (0: none). */
  postedGen: number;
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

/** How long a thread that ends waits for the sink it owns to finish its round and stop. */
const RETIRE_TIMEOUT_MS = 2000;
/** Longest nap of a thread waiting for a starting sink to open its channel. */
const START_POLL_MS = 20;
/** A flush waits for its ticket in slices this long, looking for a sink that stopped. */
const WAIT_SLICE_MS = 100;

/**
 * The Node options the sink worker starts with, when this thread's cannot be inherited as they
 * are: `--input-type`, which Node refuses for a worker started from a file, is dropped
 * (`node --input-type=module -e '…'` would otherwise fail the sink at every start and leave the
 * logger on the synchronous stderr fallback). Undefined, the usual case: the worker inherits
 * this thread's options as Node does by default (which also passes flags such as `--expose-gc`
 * that an explicit list may not hold).
 */
export function sinkExecArgv(execArgv: readonly string[]): string[] | undefined {
  if (!execArgv.some((a) => a === '--input-type' || a.startsWith('--input-type=')))
    return undefined;
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!;
    if (a === '--input-type')
      i++; // and its value
    else if (!a.startsWith('--input-type=')) out.push(a);
  }
  return out;
}

function startSinkWorker(data: SinkWorkerData): Worker {
  const options = { workerData: data, stdout: false, stderr: false };
  const execArgv = sinkExecArgv(process.execArgv);
  if (execArgv === undefined) return new Worker(resolveSinkPath(), options);
  try {
    return new Worker(resolveSinkPath(), { ...options, execArgv });
  } catch (err) {
    // A flag a worker may not be given explicitly (a V8 option such as --expose-gc): the sink
    // starts with none of the app's options rather than not at all.
    if ((err as NodeJS.ErrnoException).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw err;
    return new Worker(resolveSinkPath(), { ...options, execArgv: [] });
  }
}

export class SinkHost implements SinkLink, LoggerSink {
  readonly control: SharedArrayBuffer;
  readonly doorbell: SinkDoorbell;
  readonly block: ProcessBlock;
  /** Sinks this host restarted after they died. */
  restarts = 0;
  fallback = false;
  /** The sink this host started (a nested worker of this thread), while it may run. */
  private worker: Worker | undefined;
  /** Its generation (process-block.ts). */
  private ownGen = 0;
  private readonly attached = new Map<number, Attached>();
  private readonly failures: number[] = [];
  private readonly detachWaiters = new Map<number, () => void>();
  private lastError: string | undefined;
  private readonly reopenWaiters = new Map<number, (failed: string[]) => void>();
  private bc: BroadcastChannel | undefined;
  private watch: NodeJS.Timeout | undefined;
  /** SINK_BEAT and OWNER_BEAT as the watch last saw them, and when either last moved. */
  private beatsSeen = '';
  private beatsMovedAt = 0;
  /** Set once this thread's exit hook has run: it attaches and starts nothing more. */
  private ended = false;

  constructor(block: SharedArrayBuffer) {
    this.control = block;
    this.doorbell = new SinkDoorbell(block);
    this.block = new ProcessBlock(block);
  }

  attach(
    channel: Channel,
    ring: SharedArrayBuffer,
    destinations: DestinationSpec[],
    hooks: ExitHooks,
  ): number {
    const id = this.block.nextId();
    this.attached.set(id, {
      id,
      ring,
      destinations,
      stats: createStatsBuffer(destinations.length),
      names: destinations.map(destinationName),
      channel,
      hooks,
      postedGen: 0,
    });
    this.block.addLiveRings(1);
    if (isMainThread) this.block.markMainLoggers();
    installProcessHooks(this);
    updateReopenHooks(this);
    this.listen();
    this.ensureSink();
    return id;
  }

  /** True while the sink serving the process is this thread's nested worker. */
  ownsSink(): boolean {
    return this.worker !== undefined && this.block.sinkWord().gen === this.ownGen;
  }

  /** Flushes what `id` published, closes its destinations in the sink and forgets it. */
  async detach(id: number, timeoutMs: number): Promise<void> {
    const a = this.attached.get(id);
    if (a === undefined) return;
    await this.flush(timeoutMs);
    const w = this.block.sinkWord();
    if (!this.fallback && w.state === SINK_UP && a.channel.ring.attachedGeneration() === w.gen) {
      const done = new Promise<void>((resolve) => this.detachWaiters.set(id, resolve));
      this.post({ type: 'detach', id, gen: w.gen, reply: true });
      // Also what keeps the process alive meanwhile: the sink and the channel are unref'd.
      const timer = setTimeout(() => this.detachWaiters.get(id)?.(), timeoutMs);
      await done;
      clearTimeout(timer);
      this.detachWaiters.delete(id);
    }
    if (!this.attached.delete(id)) return;
    this.block.addLiveRings(-1);
    updateReopenHooks(this);
    if (this.attached.size > 0) return;
    this.stopListening();
    // The last ring of the process gone: a sink of ours stops rather than idle for ever.
    if (this.ownsSink() && this.block.addLiveRings(0) === 0) {
      const w = this.worker!;
      this.retire();
      await w.terminate();
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
    const w = this.block.sinkWord();
    const running =
      (w.state === SINK_UP || w.state === SINK_RETIRING) &&
      !this.doorbell.sinkStopped() &&
      (a === undefined || a.channel.ring.attachedGeneration() === w.gen);
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
    // Rung a sleeping sink (once per sleep): also the moment to see that there is none.
    else if (this.doorbell.ring(urgent)) this.ensureSink();
  }

  wake(): void {
    this.restartIfStopped();
    this.ensureSink();
    if (this.fallback) this.drainSync();
    else this.doorbell.wake();
  }

  /** Resolves once everything published so far is written, or false after timeoutMs. */
  async flush(timeoutMs: number): Promise<boolean> {
    if (this.attached.size === 0) return true;
    // A pending Atomics.waitAsync keeps no event loop alive, and the worker is unref'd (and
    // may be replaced meanwhile): this timer holds the process open for as long as we wait.
    const keepAlive = setTimeout(() => {}, timeoutMs);
    const deadline = Date.now() + timeoutMs;
    try {
      for (;;) {
        if (this.fallback) {
          this.drainSync();
          return true;
        }
        const gen = await this.ready(deadline);
        if (gen === 0) {
          if (this.fallback) continue;
          return false;
        }
        // Served by the sink our rings are attached to: done. Else the next one serves it.
        if (await this.waitServed(gen, deadline)) return true;
        if (Date.now() >= deadline) return false;
      }
    } finally {
      clearTimeout(keepAlive);
    }
  }

  /** Blocks this thread until everything published so far is written, or timeoutMs passes. */
  flushSync(timeoutMs: number): boolean {
    if (this.attached.size === 0) return true;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.fallback) {
        this.drainSync();
        return true;
      }
      const gen = this.readySync(deadline);
      if (gen === 0) {
        if (this.fallback) continue;
        return false;
      }
      if (this.waitServedSync(gen, deadline)) return true;
      if (Date.now() >= deadline) return false;
    }
  }

  /**
   * Takes a ticket and waits until the sink of generation `gen` serves it (true), the
   * deadline passes, or that sink stops serving (retired, stopped, replaced): then false,
   * and the caller finds the next sink. Waits in slices of WAIT_SLICE_MS to see the latter.
   */
  private waitServedSync(gen: number, deadline: number): boolean {
    const ticket = this.doorbell.requestFlush();
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      if (this.doorbell.waitFlushedSync(ticket, Math.min(left, WAIT_SLICE_MS)))
        return this.block.sinkWord().gen === gen;
      // The sink stopped under us: a new one serves the same ticket.
      this.restartIfStopped();
      const w = this.block.sinkWord();
      if (w.gen !== gen || w.state !== SINK_UP || this.fallback) return false;
    }
  }

  private async waitServed(gen: number, deadline: number): Promise<boolean> {
    const ticket = this.doorbell.requestFlush();
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      if (await this.doorbell.waitFlushed(ticket, Math.min(left, WAIT_SLICE_MS)))
        return this.block.sinkWord().gen === gen;
      this.restartIfStopped();
      const w = this.block.sinkWord();
      if (w.gen !== gen || w.state !== SINK_UP || this.fallback) return false;
    }
  }

  /**
   * Has the sink close and reopen the file destinations of rings `ids` (null: all) at their
   * paths. Resolves with the names of those that failed (the sink reported each on stderr).
   * A sink that is starting or restarting opens every path anew: nothing to ask it then.
   */
  async reopen(ids: number[] | null, timeoutMs: number): Promise<string[]> {
    const w = this.block.sinkWord();
    if (this.fallback || w.state !== SINK_UP || this.attached.size === 0) return [];
    const req = this.block.nextId();
    const done = new Promise<string[]>((resolve) => this.reopenWaiters.set(req, resolve));
    this.post({ type: 'reopen', req, gen: w.gen, ids });
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

  /**
   * Called by this thread's exit hook after its exit flush. The main thread ends the process:
   * nothing to do. A worker thread detaches its rings; if the sink is its own nested worker
   * (which ends with it), it retires it first so that another thread starts the next one.
   */
  onThreadExit(): void {
    if (isMainThread || this.ended) return;
    this.ended = true;
    const w = this.block.sinkWord();
    const n = this.attached.size;
    if (this.ownsSink()) this.retire();
    else if (w.state === SINK_UP)
      for (const a of this.attached.values())
        this.post({ type: 'detach', id: a.id, gen: w.gen, reply: false });
    this.block.addLiveRings(-n);
    this.attached.clear();
    this.stopListening();
  }

  /**
   * Stops the sink this thread owns, in order: (g, RETIRING), the sink ends its round and
   * answers (g, NONE); then retired{g} tells the other threads to start generation g+1.
   * Bounded: a sink that does not answer in RETIRE_TIMEOUT_MS is declared stopped.
   */
  private retire(): void {
    const gen = this.ownGen;
    this.worker = undefined;
    if (this.block.moveSink(gen, SINK_UP, gen, SINK_RETIRING)) {
      this.doorbell.wake();
      const deadline = Date.now() + RETIRE_TIMEOUT_MS;
      for (;;) {
        const w = this.block.sinkWord();
        if (w.gen !== gen || w.state !== SINK_RETIRING) break;
        const left = deadline - Date.now();
        if (left <= 0) {
          this.block.moveSink(gen, SINK_RETIRING, gen, SINK_NONE);
          break;
        }
        this.block.waitSinkWord(w, left);
      }
    } else this.block.moveSink(gen, SINK_STARTING, gen, SINK_NONE);
    // The next publish of any thread rings, and finds no sink: its host starts the next.
    this.doorbell.markAsleep();
    this.doorbell.wake();
    this.post({ type: 'retired', gen });
  }

  /**
   * Moves towards a sink that drains our rings, without waiting: starts one when there is
   * none (the compareExchange decides between racing threads), posts the attaches a running
   * one has not had. A starting one will say hello.
   */
  private ensureSink(): void {
    if (this.fallback || this.ended || this.attached.size === 0) return;
    const w = this.block.sinkWord();
    if (w.state === SINK_FAILED) {
      this.enterFallback('another thread gave the sink worker up');
    } else if (w.state === SINK_NONE) {
      if (this.block.moveSink(w.gen, SINK_NONE, w.gen + 1, SINK_STARTING)) this.start(w.gen + 1);
    } else if (w.state === SINK_UP) this.postAttaches(w.gen);
  }

  /**
   * Blocks until a running sink has attached every ring of ours; its generation, or 0 at the
   * deadline (or in fallback).
   */
  private readySync(deadline: number): number {
    for (;;) {
      this.ensureSink();
      if (this.fallback) return 0;
      const w = this.block.sinkWord();
      const left = deadline - Date.now();
      if (w.state === SINK_UP) {
        let all = true;
        for (const a of this.attached.values())
          if (!a.channel.ring.waitAttached(w.gen, Math.max(0, deadline - Date.now()))) all = false;
        if (all) return w.gen;
        if (sameWord(w, this.block.sinkWord())) {
          this.restartIfStopped();
          if (Date.now() >= deadline) return 0;
        }
        continue;
      }
      if (left <= 0) return 0;
      this.watchBeats();
      this.block.waitSinkWord(w, Math.min(left, START_POLL_MS));
    }
  }

  /** As readySync(), without blocking the thread. */
  private async ready(deadline: number): Promise<number> {
    for (;;) {
      this.ensureSink();
      if (this.fallback) return 0;
      const w = this.block.sinkWord();
      const left = deadline - Date.now();
      if (w.state === SINK_UP) {
        let all = true;
        for (const a of this.attached.values())
          if (!(await a.channel.ring.waitAttachedAsync(w.gen, Math.max(0, deadline - Date.now()))))
            all = false;
        if (all) return w.gen;
        if (sameWord(w, this.block.sinkWord())) {
          this.restartIfStopped();
          if (Date.now() >= deadline) return 0;
        }
        continue;
      }
      if (left <= 0) return 0;
      this.watchBeats();
      await new Promise((resolve) => setTimeout(resolve, Math.min(left, START_POLL_MS)));
    }
  }

  /**
   * A sink that announced its end in the control block is replaced now, without waiting for
   * its 'exit' event: a thread blocked on the ring never runs its event loop to see it.
   * Whichever thread sees it first replaces it (compareExchange on the sink word).
   */
  private restartIfStopped(): void {
    if (this.fallback || this.ended || !this.doorbell.sinkStopped()) return;
    const w = this.block.sinkWord();
    if (w.state !== SINK_UP) return;
    const reason = this.doorbell.stopReason() ?? this.lastError ?? 'it stopped';
    if (this.worker !== undefined && this.ownGen === w.gen) {
      const dead = this.worker;
      this.worker = undefined; // its 'exit' event will find it replaced
      void dead.terminate();
    }
    this.onCrash(w.gen, reason);
  }

  private post(msg: ToSink | FromSink): void {
    this.bc?.postMessage(msg);
  }

  private attachMessage(a: Attached, gen: number): AttachMessage {
    a.postedGen = gen;
    return {
      type: 'attach',
      id: a.id,
      gen,
      ring: a.ring,
      destinations: a.destinations,
      stats: a.stats,
      flushTimeoutMs: a.hooks.flushTimeoutMs,
    };
  }

  private postAttaches(gen: number): void {
    for (const a of this.attached.values())
      if (a.postedGen !== gen && a.channel.ring.attachedGeneration() !== gen)
        this.post(this.attachMessage(a, gen));
  }

  /** The process's channel, while this thread has rings; unref'd, as the sink worker is. */
  private listen(): void {
    if (this.bc === undefined) {
      const bc = new BroadcastChannel(this.block.channelName());
      bc.onmessage = (e) => this.onMessage((e as MessageEvent).data as FromSink | ToSink);
      bc.unref();
      this.bc = bc;
    }
    if (this.watch === undefined) {
      this.watch = setInterval(() => this.watchSink(), WATCH_MS);
      this.watch.unref();
    }
  }

  private stopListening(): void {
    this.bc?.close();
    this.bc = undefined;
    clearInterval(this.watch);
    this.watch = undefined;
  }

  private onMessage(msg: FromSink | ToSink): void {
    switch (msg.type) {
      case 'hello': {
        // Delivered when this thread's event loop runs, which may be long after: a hello of a
        // sink already replaced says nothing (ours may be the newer one).
        const now = this.block.sinkWord();
        if (now.gen !== msg.gen) break;
        // A newer sink than the one this thread started: ours no longer drains anything.
        if (this.worker !== undefined && this.ownGen !== now.gen) {
          const old = this.worker;
          this.worker = undefined;
          void old.terminate();
        }
        if (!this.fallback && !this.ended) this.postAttaches(msg.gen);
        break;
      }
      case 'retired': {
        // Records waiting in our rings need a sink now; otherwise our next publish starts one.
        let pending = false;
        for (const a of this.attached.values()) pending ||= a.channel.ring.usedBytes() > 0;
        if (!pending) break;
        // The main thread takes over at once; others give it a moment (it lives longest).
        const delay = isMainThread || !this.block.mainHasLoggers() ? 0 : TAKEOVER_DELAY_MS;
        setTimeout(() => this.ensureSink(), delay).unref();
        break;
      }
      case 'attached': {
        const a = this.attached.get(msg.id);
        if (a !== undefined) a.names = msg.names;
        break;
      }
      case 'detached':
        this.detachWaiters.get(msg.id)?.();
        break;
      case 'reopened':
        this.reopenWaiters.get(msg.req)?.(msg.failed);
        break;
    }
  }

  /** Every WATCH_MS while this thread has rings (unref'd): the owner's beat, a missed hello
   * or retired message, and a sink whose owner thread vanished. */
  private watchSink(): void {
    if (this.fallback || this.ended || this.attached.size === 0) return;
    if (this.ownsSink()) this.block.beatOwner();
    this.restartIfStopped();
    this.ensureSink();
    this.watchBeats();
  }

  /** Takes over a sink whose beat and whose owner's beat have both stood still too long. */
  private watchBeats(): void {
    const w = this.block.sinkWord();
    if (w.state === SINK_NONE || w.state === SINK_FAILED || this.ownsSink()) {
      this.beatsSeen = '';
      return;
    }
    const now = Date.now();
    const beats = `${w.gen}:${w.state}:${this.block.sinkBeat()}:${this.block.ownerBeat()}`;
    if (beats !== this.beatsSeen) {
      this.beatsSeen = beats;
      this.beatsMovedAt = now;
      return;
    }
    if (now - this.beatsMovedAt < SINK_DEAD_MS) return;
    this.beatsSeen = '';
    if (this.block.moveSink(w.gen, w.state, w.gen + 1, SINK_STARTING)) {
      warn(
        `the sink worker's thread ${this.block.ownerThread()} stopped without a word (terminated?); starting a new sink from the rings' read positions`,
        ErrorCodes.SINK_CRASH,
      );
      this.start(w.gen + 1);
    }
  }

  /** Starts the sink of generation `gen`, which this host has just won (SINK_STARTING). */
  private start(gen: number): void {
    const data: SinkWorkerData = {
      control: this.control,
      gen,
      rings: [...this.attached.values()].map((a) => this.attachMessage(a, gen)),
      workerData: { pinoWillSendConfig: true },
    };
    this.doorbell.resetSinkState();
    let worker: Worker;
    try {
      worker = startSinkWorker(data);
    } catch (err) {
      this.enterFallback(`the sink worker could not be started: ${(err as Error).message}`);
      return;
    }
    this.block.noteStarted(threadId);
    this.lastError = undefined;
    this.worker = worker;
    this.ownGen = gen;
    worker.on('error', (err) => {
      if (this.worker === worker) this.lastError = err.message;
    });
    worker.on('exit', (code) => {
      this.settleReopens();
      if (this.worker !== worker) return; // terminated on purpose
      this.worker = undefined;
      this.onCrash(
        gen,
        this.lastError ?? this.doorbell.stopReason() ?? `it exited with code ${code}`,
      );
    });
    worker.unref();
  }

  /** The sink of generation `gen` died: the first thread to see it starts the next one. */
  private onCrash(gen: number, reason: string): void {
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
    if (
      !this.block.moveSink(gen, SINK_UP, gen + 1, SINK_STARTING) &&
      !this.block.moveSink(gen, SINK_STARTING, gen + 1, SINK_STARTING)
    )
      return; // another thread replaced it already
    warn(
      `the sink worker stopped (${reason}); restarting it from the ring's read position`,
      ErrorCodes.SINK_CRASH,
    );
    this.restarts++;
    this.start(gen + 1);
    this.doorbell.wake();
  }

  /** A sink that stops answers no reopen; the one replacing it opens every path anew. */
  private settleReopens(): void {
    for (const resolve of this.reopenWaiters.values()) resolve([]);
  }

  private enterFallback(reason: string): void {
    warn(
      `${reason}; writing records to stderr synchronously from now on`,
      ErrorCodes.SINK_FALLBACK,
    );
    this.fallback = true;
    this.block.markFailed();
    this.drainSync();
    this.doorbell.settleFlushes();
    this.post({ type: 'retired', gen: 0 });
  }

  private readers = new Map<number, RingReader>();

  /** Fallback: this thread drains its own rings to stderr. No sink worker runs any more. */
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

function sameWord(a: SinkWord, b: SinkWord): boolean {
  return a.gen === b.gen && a.state === b.state;
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

/**
 * Internal, for benchmarks/threads.js only: each thread gets a sink of its own, as before
 * one sink per process (measured there; no case found where it wins, see docs/benchmarks.md).
 */
const PER_THREAD_ENV = 'RINGLOG_SINK_PER_THREAD';

/**
 * The process block this thread shares: the one a parent thread published with
 * setEnvironmentData (inherited by every worker spawned after it, nested ones too), or a new
 * one, published in turn for the workers this thread spawns later. A worker spawned before
 * ringlog was loaded in its parent finds none and gets a sink of its own.
 */
function findProcessBlock(): SharedArrayBuffer {
  const perThread = process.env[PER_THREAD_ENV] === '1';
  if (!perThread) {
    const found = getEnvironmentData(PROCESS_BLOCK_KEY);
    if (isProcessBlock(found)) return found;
  }
  const block = createProcessBlock();
  if (!perThread) setEnvironmentData(PROCESS_BLOCK_KEY, block);
  return block;
}

let processBlock: SharedArrayBuffer | undefined;
// Loaded in the main thread: published now, so that workers spawned before the first logger
// is created share it too.
if (isMainThread) processBlock = findProcessBlock();

let sink: SinkHost | undefined;

/** This thread's host of the process's sink, created on first use. */
export function getSinkHost(): SinkHost {
  if (sink === undefined) {
    processBlock ??= findProcessBlock();
    sink = new SinkHost(processBlock);
  }
  return sink;
}
