/**
 * The sink worker: drains every attached ring, routes each batch to its destinations by level
 * (level bytes from the frame, never JSON.parse), writes one buffer per destination per round,
 * then releases the ring space. Sleeps on the control block's doorbell when idle. Each
 * destination is driven through a Route (route.ts), which keeps its failures its own.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { BroadcastChannel, parentPort, threadId, workerData } from 'node:worker_threads';
import { errorMessage } from '../../src/protocol/errors.js';
import type {
  AttachMessage,
  DestinationSpec,
  FromSink,
  SinkWorkerData,
  ToSink,
} from '../../src/protocol/messages.js';
import {
  ProcessBlock,
  SINK_NONE,
  SINK_RETIRING,
  SINK_STARTING,
  SINK_UP,
} from '../../src/protocol/process-block.js';
import {
  RingReader,
  SINK_LINGER_MS,
  SINK_LINGER_ROUNDS,
  SinkAlarm,
  SinkDoorbell,
} from '../../src/protocol/ring.js';
import { isExiting, markSinkRound } from '../../src/protocol/stats.js';
import { createDestination } from '../destinations/index.js';
import { markProcessEnding } from '../destinations/report.js';
import { onWriterResumed } from '../destinations/stream/fd-writer.js';
import type { Destination } from '../destinations/types.js';
import { createUnavailableDestination } from '../destinations/unavailable.js';
import { Route } from './route.js';
import { acquireDestination, startReopenRequest } from './shared-destinations.js';

// Bytes taken from one ring before the others get a turn and the writes go out: large
// enough that a write syscall carries hundreds of records, small enough to bound the copy.
const ROUND_BYTES = 1 << 20;

// How often counters that change without a round (an asynchronous destination's buffer
// draining) reach metrics(): cheap, and fresh enough for a dashboard.
const STATS_INTERVAL_MS = 500;

// Longest a destination's factory may take (a module's or a transport's): past it the
// destination stands aside, rather than holding every attach and flush behind it.
const CREATE_TIMEOUT_MS = 10_000;

interface AttachedRing {
  reader: RingReader;
  routes: Route[];
  /** The stats block, whose EXITING word says the process is ending. */
  stats: SharedArrayBuffer;
  /** Half the logger's flushTimeoutMs: a slow destination's flush gives up before the
   * logger's flush() does, so the others' records are still reported as written. */
  flushBoundMs: number;
}

if (parentPort === null) throw new Error('workers/sink.js runs as a worker thread only');
const { control, gen, rings: firstRings } = workerData as SinkWorkerData;
const alarm = new SinkAlarm(control);
const selfBell = new SinkDoorbell(control);
const block = new ProcessBlock(control);
const rings = new Map<number, AttachedRing>();
// A destination that paused its ring (a slow pipe reader) says when it can take more.
onWriterResumed(() => selfBell.wake());
const ringBuffers = new Map<number, SharedArrayBuffer>();

/** True while the process block names this sink as the one that drains the rings. */
function current(): boolean {
  const w = block.sinkWord();
  return w.gen === gen && (w.state === SINK_UP || w.state === SINK_RETIRING);
}

// A producer blocked on a full ring cannot see our 'exit' event: tell it through the
// control block (ring.ts), whether this thread ends by process.exit() or by an error. Only
// while we are the current sink: a newer one's state is not ours to touch.
alarm.markRunning();
process.on('uncaughtExceptionMonitor', (err) => {
  if (block.sinkWord().gen === gen) alarm.markStopped(ringBuffers.values(), errorMessage(err));
});
process.on('exit', (code) => {
  if (block.sinkWord().gen === gen)
    alarm.markStopped(ringBuffers.values(), `it exited with code ${code}`);
});

// Messages are handled one after another, in order: an attach that loads a module must not
// be overtaken by the detach or attach behind it.
let queue: Promise<void> = Promise.resolve();

// Every thread's host talks to us here (process-block.ts): attaching never waits for the
// event loop of the thread that started us. Our answers go to every host; each takes its own.
const channel = new BroadcastChannel(block.channelName());
const answer = (msg: FromSink): void => channel.postMessage(msg);
channel.onmessage = (e) => {
  const msg = (e as MessageEvent).data as ToSink | FromSink;
  if (!('gen' in msg) || msg.gen !== gen) return; // another generation's, or an answer
  if (msg.type === 'attach') queue = queue.then(() => attach(msg));
  else if (msg.type === 'detach') queue = queue.then(() => detach(msg.id, msg.reply));
  else if (msg.type === 'reopen') queue = queue.then(() => reopen(msg));
};
// The starting thread's rings first: it may be blocked waiting for them.
for (const msg of firstRings) queue = queue.then(() => attach(msg));
block.noteSinkThread(threadId);
// Listening now: from here on an attach posted by any thread reaches us. A host that retired
// us before we came up (its thread ended at once) has taken the word back to NONE.
if (block.moveSink(gen, SINK_STARTING, gen, SINK_UP)) answer({ type: 'hello', gen });

/** Reopens the file destinations of the rings asked for, between two drain rounds: a batch
 * is written whole to the old file or whole to the new one. What was published before the
 * request (the producer publishes, then posts) goes to the old file: the ring is drained
 * first, up to its capacity so that a busy producer cannot hold the reopen back. */
function reopen(msg: Extract<ToSink, { type: 'reopen' }>): void {
  const failed: string[] = [];
  startReopenRequest();
  for (const [id, r] of rings) {
    if (msg.ids !== null && !msg.ids.includes(id)) continue;
    for (let taken = 0, n = 1; n > 0 && taken < r.reader.capacity; taken += n) n = drainRing(r);
    for (const { dest } of r.routes) if (dest.reopen?.() === false) failed.push(dest.name);
  }
  answer({ type: 'reopened', req: msg.req, failed });
}

/** Creates a destination (or takes the shared instance of an identical file or fd spec:
 * shared-destinations.ts), or its stand-in when that fails: a restart would fail the same way. */
async function createOrReplace(
  spec: DestinationSpec,
  all: DestinationSpec[],
): Promise<Destination> {
  try {
    return await acquireDestination(spec, () => createBounded(spec));
  } catch (err) {
    const stderrTaken = all.some((d) => d !== spec && d.kind === 'fd' && d.fd === 2);
    return createUnavailableDestination(spec, err, stderrTaken);
  }
}

async function createBounded(spec: DestinationSpec): Promise<Destination> {
  let timer: NodeJS.Timeout | undefined;
  try {
    // A factory that never settles would hold every later attach and flush: bounded.
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`it did not finish within ${CREATE_TIMEOUT_MS} ms`)),
        CREATE_TIMEOUT_MS,
      );
    });
    return await Promise.race([createDestination(spec), late]);
  } finally {
    clearTimeout(timer);
  }
}

async function attach(msg: AttachMessage): Promise<void> {
  if (rings.has(msg.id)) return; // posted twice (a hello crossed our start): attached once
  const specs = msg.destinations;
  // Files and fds named alike by several rings are opened once (shared-destinations.ts).
  const dests = await Promise.all(specs.map((spec) => createOrReplace(spec, specs)));
  const stats = new Float64Array(msg.stats);
  const routes = dests.map((dest, i) => new Route(dest, stats, i, specs[i]!.extraStats));
  for (const route of routes) route.publish();
  markSinkRound(msg.stats, Date.now());
  ringBuffers.set(msg.id, msg.ring);
  rings.set(msg.id, {
    reader: new RingReader(msg.ring),
    routes,
    stats: msg.stats,
    flushBoundMs: Math.max(1, msg.flushTimeoutMs >>> 1),
  });
  // From here on this sink drains the ring: its producer may take flush tickets.
  rings.get(msg.id)!.reader.markAttached(gen);
  const names = dests.map((d) => d.name);
  answer({ type: 'attached', id: msg.id, names });
  selfBell.wake();
}

async function detach(id: number, reply: boolean): Promise<void> {
  const r = rings.get(id);
  if (r !== undefined) {
    // Everything published before the detach, not just one round of it (a round stops at
    // ROUND_BYTES); bounded, for a producer that keeps publishing meanwhile.
    for (let taken = 0, n = 1; n > 0 && taken < 2 * r.reader.capacity; taken += n) n = drainRing(r);
    rings.delete(id);
    ringBuffers.delete(id);
    await Promise.all(r.routes.map((route) => route.flush(r.flushBoundMs)));
    await Promise.all(r.routes.map((route) => route.close(r.flushBoundMs)));
  }
  if (reply) answer({ type: 'detached', id });
}

/** Appends the lines of the current batch whose level is at least `minLevel`. */
function routeFiltered(reader: RingReader, route: Route): void {
  const { payload, bytes, levelsStart, records } = reader;
  const min = route.dest.minLevel;
  const levels = route.levels;
  let start = 0;
  let runStart = -1;
  let runFirst = 0;
  let taken = 0;
  for (let i = 0; i < records; i++) {
    const end = payload.indexOf(10, start) + 1;
    if (bytes[levelsStart + i]! >= min) {
      taken++;
      if (runStart < 0) {
        runStart = start;
        runFirst = i;
      }
    } else if (runStart >= 0) {
      route.chunks.push(payload.subarray(runStart, start));
      levels?.push(bytes.subarray(levelsStart + runFirst, levelsStart + i));
      runStart = -1;
    }
    start = end;
  }
  if (runStart >= 0) {
    route.chunks.push(payload.subarray(runStart, start));
    levels?.push(bytes.subarray(levelsStart + runFirst, levelsStart + records));
  }
  route.records += taken;
}

let scratch = Buffer.allocUnsafe(ROUND_BYTES * 2);

function gather(chunks: Buffer[]): Buffer {
  let total = 0;
  for (const c of chunks) total += c.length;
  if (total > scratch.length) scratch = Buffer.allocUnsafe(total);
  let off = 0;
  for (const c of chunks) off += c.copy(scratch, off);
  return scratch.subarray(0, off);
}

/** True while a destination of the ring asks for no more records (stream/fd-writer.ts). */
function isPaused(r: AttachedRing): boolean {
  for (const route of r.routes) if (route.dest.paused?.() === true) return true;
  return false;
}

/** One round on one ring: returns the bytes it took. */
function drainRing(r: AttachedRing): number {
  // A newer sink drains the rings now: two readers would write records twice.
  if (isPaused(r) || !current()) return 0;
  const reader = r.reader;
  let records = 0;
  let taken = 0;
  while (taken < ROUND_BYTES && reader.nextBatch()) {
    for (const route of r.routes) {
      if (route.dest.minLevel <= reader.minLevel) {
        route.chunks.push(reader.payload);
        route.records += reader.records;
        const at = reader.levelsStart;
        route.levels?.push(reader.bytes.subarray(at, at + reader.records));
      } else routeFiltered(reader, route);
    }
    records += reader.records;
    taken += reader.payload.length;
  }
  if (taken === 0 && records === 0) return 0;
  for (const route of r.routes) {
    const chunks = route.chunks;
    if (chunks.length === 0) continue;
    // Destinations write synchronously and keep nothing once write() returns (see
    // destinations/types.ts), so a lone chunk goes straight from shared memory, and several
    // are gathered in a reused buffer: one syscall, no allocation per round.
    // deliver() catches a throwing destination: the others still get this round.
    const levels = route.levels;
    route.deliver(
      chunks.length === 1 ? chunks[0]! : gather(chunks),
      route.records,
      levels === undefined ? undefined : levels.length === 1 ? levels[0] : Buffer.concat(levels),
    );
    chunks.length = 0;
    if (levels !== undefined) levels.length = 0;
    route.records = 0;
    route.publish();
  }
  reader.release(records);
  markSinkRound(r.stats, Date.now());
  return taken;
}

/** The flush being served, if any: rings keep draining while destinations flush. */
let flushing: Promise<void> | undefined;

function hasWork(): boolean {
  // A flush held back by a paused ring is not work: the writer's resume wakes us (a sleep that
  // returned at once here would spin without ever letting the writer's timer run).
  if (flushing === undefined && alarm.hasPendingFlush() && !heldBack()) return true;
  for (const r of rings.values()) if (r.reader.hasData() && !isPaused(r)) return true;
  return false;
}

/** A paused ring with records in it: a flush is not served before they are handed out. */
function heldBack(): boolean {
  for (const r of rings.values()) if (isPaused(r) && r.reader.hasData()) return true;
  return false;
}

/** Flushes every destination in parallel, each bounded, then (at exit) ends them. */
async function flushDestinations(): Promise<void> {
  for (const r of rings.values()) if (isExiting(r.stats)) markProcessEnding();
  const flushes: Promise<void>[] = [];
  for (const r of rings.values())
    for (const route of r.routes) flushes.push(route.flush(r.flushBoundMs));
  await Promise.all(flushes);
  // The exit flush: this thread will not run after it, so streams are ended now.
  const ends: Promise<void>[] = [];
  for (const r of rings.values())
    if (isExiting(r.stats)) for (const route of r.routes) ends.push(route.end(r.flushBoundMs));
  await Promise.all(ends);
}

/**
 * Our owner thread is ending (process-block.ts RETIRING): every ring is released (we are
 * between rounds), so we flush and close the destinations, bounded, and say so with
 * (gen, NONE). The owner then tells the other threads to start the next sink.
 */
async function retire(): Promise<void> {
  const ticket = alarm.flushRequested();
  const buffers = [...ringBuffers.values()];
  await Promise.all([...rings.keys()].map((id) => detach(id, false)));
  // Every ring drained and its destinations flushed: the tickets taken so far are served.
  alarm.markFlushed(ticket);
  block.moveSink(gen, SINK_RETIRING, gen, SINK_NONE);
  // A producer asleep on a full ring starts the next sink when it wakes (sink-host.ts).
  alarm.wakeProducers(buffers);
}

async function run(): Promise<void> {
  let served = alarm.flushDone();
  // Lingers in a row that found nothing (ring.ts): records that come one per event-loop turn
  // are taken every SINK_LINGER_MS without a producer paying a futex wake for each.
  let emptyLingers = SINK_LINGER_ROUNDS;
  for (;;) {
    const ticket = alarm.flushRequested();
    let taken = 0;
    for (const r of rings.values()) taken += drainRing(r);
    if (taken > 0) emptyLingers = 0;
    if (taken > 0) {
      // Let attach/detach messages in between rounds while producers keep us busy.
      await yieldToEventLoop();
      continue;
    }
    const w = block.sinkWord();
    if (w.gen !== gen) return; // replaced (declared dead while stuck): drain nothing more
    if (w.state === SINK_RETIRING) {
      await retire();
      return;
    }
    if (ticket !== served && flushing === undefined && !heldBack()) {
      // Everything published before `ticket` has been handed out. The destinations' flushes
      // run without holding up the rings: a slow one (bounded by flushBoundMs) must not stop
      // the others from receiving what producers publish meanwhile.
      flushing = flushDestinations().then(() => {
        alarm.markFlushed(ticket);
        served = ticket;
        flushing = undefined;
        selfBell.wake(); // a ticket that came in meanwhile is served next
      });
    }
    if (emptyLingers < SINK_LINGER_ROUNDS) {
      emptyLingers++;
      await alarm.sleep(hasWork, SINK_LINGER_MS);
    } else await alarm.sleep(hasWork);
  }
}

// Also the sink's heartbeat for health(): a sink stuck in a destination stops moving it.
function publishStats(): void {
  const now = Date.now();
  block.beatSink();
  for (const r of rings.values()) {
    for (const route of r.routes) route.publish();
    markSinkRound(r.stats, now);
  }
}

setInterval(publishStats, STATS_INTERVAL_MS).unref();
void run();
