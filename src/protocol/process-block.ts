/**
 * The process block: the one SharedArrayBuffer through which every thread of a process that
 * logs finds the process's one sink worker. Both sides import this file; this comment and the
 * ring's (ring.ts) are the protocol. docs/architecture.md ("One sink per process") tells the
 * same with the order of messages.
 *
 * LAYOUT (PROCESS_BLOCK_BYTES; Int32 words)
 *
 *   byte 0    the control block of ring.ts (doorbell, flush tickets, SINK_STATE, ...):
 *             CONTROL_BYTES, shared by every producer thread and the sink
 *   byte 512  i32 SINK_WORD     generation << 2 | state (below). Written with
 *                               compareExchange by producer threads (start, take over,
 *                               retire) and by the sink (RUNNING, retired)
 *   byte 516  i32 OWNER_THREAD  threadId of the thread whose host started the current sink
 *                               (the sink is a nested worker of that thread: it ends with it)
 *   byte 520  i32 SINK_THREAD   the current sink's threadId, written by the sink; 0 before
 *   byte 524  i32 SINK_STARTS   sinks started with this block (Atomics.add by the starter)
 *   byte 528  i32 SINK_BEAT     bumped by the sink every STATS_INTERVAL_MS (500 ms), even idle
 *   byte 532  i32 OWNER_BEAT    bumped by the owning thread's host every WATCH_MS
 *   byte 536  i32 NEXT_ID       ring ids and request ids, unique in the process (Atomics.add)
 *   byte 540  i32 MAIN_LOGGERS  1 once the main thread has attached a ring
 *   byte 544  i32 CHANNEL_ID    names the BroadcastChannel `ringlog-sink-<id>`; written once
 *                               by the thread that creates the block, before publishing it
 *   byte 548  i32 LIVE_RINGS    rings attached and not detached, over all threads
 *
 * SINK_WORD states. The generation counts sinks (it wraps at 2^30; only equality is used):
 *
 *   NONE      no sink. A host that needs one moves (g, NONE) → (g+1, STARTING) with
 *             compareExchange: of threads racing, exactly one wins and starts the worker.
 *   STARTING  the winner has started (or is starting) the worker. Nobody posts attaches yet:
 *             a BroadcastChannel delivers only to receivers that exist when it is posted.
 *   RUNNING   the sink has opened the channel; it stores (g, RUNNING), notifies SINK_WORD
 *             and broadcasts hello{g}. Hosts post attach{g} for each ring not attached to g.
 *   RETIRING  the owning thread is ending: it stored (g, RETIRING) and rang the doorbell. The
 *             sink ends its round (every ring released), flushes its destinations (bounded),
 *             stores (g, NONE), notifies SINK_WORD and drains no more. The owner waits for
 *             that (bounded; past the bound it stores (g, NONE) itself), then broadcasts
 *             retired{g}: any host with rings starts generation g+1 (the main thread at once,
 *             others after TAKEOVER_DELAY_MS when the main thread has loggers, so that the
 *             longest-lived thread tends to own the sink).
 *   FAILED    a host gave up restarting (MAX_RESTARTS): every host writes its own rings to
 *             stderr synchronously from then on (the fallback of sink-host.ts).
 *
 *   A sink that finds SINK_WORD's generation no longer its own stops draining at once: a
 *   newer sink owns the rings (two readers of one ring would write its records twice).
 *   A sink whose owner thread was terminated (worker.terminate(): no exit hook runs) stops
 *   with it and says nothing; SINK_BEAT and OWNER_BEAT both stand still. Each host looks
 *   every WATCH_MS: when both have stood still for SINK_DEAD_MS it takes over
 *   (g, RUNNING) → (g+1, STARTING). A sink that is merely stuck in a destination keeps a
 *   live owner, whose beat goes on: nobody starts a second reader then.
 */

import { CONTROL_BYTES } from './ring.js';

const CONTROL_WORDS = CONTROL_BYTES >>> 2;
const SINK_WORD = CONTROL_WORDS;
const OWNER_THREAD = CONTROL_WORDS + 1;
const SINK_THREAD = CONTROL_WORDS + 2;
const SINK_STARTS = CONTROL_WORDS + 3;
const SINK_BEAT = CONTROL_WORDS + 4;
const OWNER_BEAT = CONTROL_WORDS + 5;
const NEXT_ID = CONTROL_WORDS + 6;
const MAIN_LOGGERS = CONTROL_WORDS + 7;
const CHANNEL_ID = CONTROL_WORDS + 8;
const LIVE_RINGS = CONTROL_WORDS + 9;
export const PROCESS_BLOCK_BYTES = (CONTROL_WORDS + 64) * 4;

export const SINK_NONE = 0;
export const SINK_STARTING = 1;
export const SINK_UP = 2;
export const SINK_RETIRING = 3;
/** Stored as generation 0 with this state: no generation follows a failure. */
export const SINK_FAILED = -1;

/** How often each host looks at the block (owner beat, missed hello, dead owner). */
export const WATCH_MS = 1000;
/** Both beats still for this long: the sink's owner thread is gone (terminated). */
export const SINK_DEAD_MS = 5000;
/** How long a worker thread lets the main thread take over a retired sink first. */
export const TAKEOVER_DELAY_MS = 50;

/** The name of the environment data entry that carries the block to worker threads. */
export const PROCESS_BLOCK_KEY = 'ringlog:process-block:1';

export interface SinkWord {
  gen: number;
  state: number;
}

export function createProcessBlock(): SharedArrayBuffer {
  const sab = new SharedArrayBuffer(PROCESS_BLOCK_BYTES);
  const w = new Int32Array(sab);
  // Any non-zero id: it only has to differ between blocks of one process.
  w[CHANNEL_ID] = 1 + Math.floor(Math.random() * 0x7ffffffe);
  return sab;
}

export function isProcessBlock(v: unknown): v is SharedArrayBuffer {
  return v instanceof SharedArrayBuffer && v.byteLength === PROCESS_BLOCK_BYTES;
}

export class ProcessBlock {
  readonly words: Int32Array;

  constructor(sab: SharedArrayBuffer) {
    this.words = new Int32Array(sab);
  }

  channelName(): string {
    return `ringlog-sink-${Atomics.load(this.words, CHANNEL_ID)}`;
  }

  sinkWord(): SinkWord {
    const v = Atomics.load(this.words, SINK_WORD);
    if (v === SINK_FAILED) return { gen: 0, state: SINK_FAILED };
    return { gen: v >>> 2, state: v & 3 };
  }

  /** compareExchange of SINK_WORD from (gen, state) to (toGen, toState); true if it moved. */
  moveSink(gen: number, state: number, toGen: number, toState: number): boolean {
    const from = state === SINK_FAILED ? SINK_FAILED : (gen << 2) | state;
    const to = toState === SINK_FAILED ? SINK_FAILED : ((toGen & 0x3fffffff) << 2) | toState;
    if (Atomics.compareExchange(this.words, SINK_WORD, from, to) !== from) return false;
    Atomics.notify(this.words, SINK_WORD);
    return true;
  }

  /** Marks the sink failed for good, whatever the word holds. */
  markFailed(): void {
    Atomics.store(this.words, SINK_WORD, SINK_FAILED);
    Atomics.notify(this.words, SINK_WORD);
  }

  /** Blocks while SINK_WORD still holds what `seen` was read from, at most `timeoutMs`. */
  waitSinkWord(seen: SinkWord, timeoutMs: number): void {
    const v = seen.state === SINK_FAILED ? SINK_FAILED : (seen.gen << 2) | seen.state;
    if (timeoutMs > 0) Atomics.wait(this.words, SINK_WORD, v, timeoutMs);
  }

  noteStarted(ownerThread: number): void {
    Atomics.store(this.words, OWNER_THREAD, ownerThread);
    Atomics.store(this.words, SINK_THREAD, 0);
    Atomics.add(this.words, SINK_STARTS, 1);
  }

  ownerThread(): number {
    return Atomics.load(this.words, OWNER_THREAD);
  }

  noteSinkThread(threadId: number): void {
    Atomics.store(this.words, SINK_THREAD, threadId);
  }

  sinkThread(): number {
    return Atomics.load(this.words, SINK_THREAD);
  }

  sinkStarts(): number {
    return Atomics.load(this.words, SINK_STARTS);
  }

  sinkBeat(): number {
    return Atomics.load(this.words, SINK_BEAT);
  }

  beatSink(): void {
    Atomics.add(this.words, SINK_BEAT, 1);
  }

  ownerBeat(): number {
    return Atomics.load(this.words, OWNER_BEAT);
  }

  beatOwner(): void {
    Atomics.add(this.words, OWNER_BEAT, 1);
  }

  nextId(): number {
    return Atomics.add(this.words, NEXT_ID, 1) + 1;
  }

  markMainLoggers(): void {
    Atomics.store(this.words, MAIN_LOGGERS, 1);
  }

  mainHasLoggers(): boolean {
    return Atomics.load(this.words, MAIN_LOGGERS) === 1;
  }

  addLiveRings(n: number): number {
    return Atomics.add(this.words, LIVE_RINGS, n) + n;
  }
}
