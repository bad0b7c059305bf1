/**
 * The sink worker: drains every attached ring, routes each batch to its destinations by level
 * (level bytes from the frame, never JSON.parse), writes one buffer per destination per round,
 * then releases the ring space. Sleeps on the control block's doorbell when idle.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { RingReader, SinkAlarm, SinkDoorbell } from '../src/ring.js';
import type { FromSink, SinkWorkerData, ToSink } from '../src/sink-protocol.js';
import { createDestination } from './destinations/index.js';
import type { Destination } from './destinations/types.js';

// Bytes taken from one ring before the others get a turn and the writes go out: large
// enough that a write syscall carries hundreds of records, small enough to bound the copy.
const ROUND_BYTES = 1 << 20;

interface Route {
  dest: Destination;
  chunks: Buffer[];
  /** Lines in `chunks`, passed on to write(). */
  records: number;
}

interface AttachedRing {
  reader: RingReader;
  routes: Route[];
}

const port = parentPort;
if (port === null) throw new Error('workers/sink.js runs as a worker thread only');
const { control } = workerData as SinkWorkerData;
const alarm = new SinkAlarm(control);
const selfBell = new SinkDoorbell(control);
const rings = new Map<number, AttachedRing>();
const ringBuffers = new Map<number, SharedArrayBuffer>();

// A producer blocked on a full ring cannot see our 'exit' event: tell it through the
// control block (ring.ts), whether this thread ends by process.exit() or by an error.
alarm.markRunning();
process.on('uncaughtExceptionMonitor', (err) => {
  alarm.markStopped(ringBuffers.values(), err instanceof Error ? err.message : String(err));
});
process.on('exit', (code) =>
  alarm.markStopped(ringBuffers.values(), `it exited with code ${code}`),
);

// Messages are handled one after another, in order: an attach that loads a module must not
// be overtaken by the detach or attach behind it.
let queue: Promise<void> = Promise.resolve();
/** ATTACH_SEQ of the last ring attached (see ring.ts): no flush is served before it. */
let attachedSeq = 0;

port.on('message', (msg: ToSink) => {
  queue = queue.then(() => {
    switch (msg.type) {
      case 'attach':
        return attach(msg);
      case 'detach':
        return detach(msg.id);
      case 'reopen':
        return reopen(msg);
    }
  });
});

/** Reopens the file destinations of the rings asked for, between two drain rounds: a batch
 * is written whole to the old file or whole to the new one. What was published before the
 * request (the producer publishes, then posts) goes to the old file: the ring is drained
 * first, up to its capacity so that a busy producer cannot hold the reopen back. */
function reopen(msg: Extract<ToSink, { type: 'reopen' }>): void {
  const failed: string[] = [];
  for (const [id, r] of rings) {
    if (msg.ids !== null && !msg.ids.includes(id)) continue;
    for (let taken = 0, n = 1; n > 0 && taken < r.reader.capacity; taken += n) n = drainRing(r);
    for (const { dest } of r.routes) if (dest.reopen?.() === false) failed.push(dest.name);
  }
  port!.postMessage({ type: 'reopened', req: msg.req, failed } satisfies FromSink);
}

async function attach(msg: Extract<ToSink, { type: 'attach' }>): Promise<void> {
  // A destination that cannot be created throws here, ends this worker, and the producing
  // side restarts it (then falls back to stderr if that keeps happening).
  const dests = await Promise.all(msg.destinations.map(createDestination));
  ringBuffers.set(msg.id, msg.ring);
  rings.set(msg.id, {
    reader: new RingReader(msg.ring),
    routes: dests.map((dest) => ({ dest, chunks: [], records: 0 })),
  });
  attachedSeq = msg.seq;
  port!.postMessage({ type: 'attached', id: msg.id } satisfies FromSink);
  selfBell.wake();
}

async function detach(id: number): Promise<void> {
  const r = rings.get(id);
  if (r !== undefined) {
    drainRing(r);
    rings.delete(id);
    ringBuffers.delete(id);
    for (const { dest } of r.routes) {
      await dest.flush();
      await dest.close();
    }
  }
  port!.postMessage({ type: 'detached', id } satisfies FromSink);
}

/** Appends the lines of the current batch whose level is at least `minLevel`. */
function routeFiltered(reader: RingReader, route: Route): void {
  let kept = 0;
  const { payload, bytes, levelsStart, records } = reader;
  const min = route.dest.minLevel;
  let start = 0;
  let runStart = -1;
  for (let i = 0; i < records; i++) {
    const end = payload.indexOf(10, start) + 1;
    if (bytes[levelsStart + i]! >= min) {
      kept++;
      if (runStart < 0) runStart = start;
    } else if (runStart >= 0) {
      route.chunks.push(payload.subarray(runStart, start));
      runStart = -1;
    }
    start = end;
  }
  if (runStart >= 0) route.chunks.push(payload.subarray(runStart, start));
  route.records += kept;
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

/** One round on one ring: returns the bytes it took. */
function drainRing(r: AttachedRing): number {
  const reader = r.reader;
  let records = 0;
  let taken = 0;
  while (taken < ROUND_BYTES && reader.nextBatch()) {
    for (const route of r.routes) {
      if (route.dest.minLevel <= reader.minLevel) {
        route.chunks.push(reader.payload);
        route.records += reader.records;
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
    route.dest.write(chunks.length === 1 ? chunks[0]! : gather(chunks), route.records);
    chunks.length = 0;
    route.records = 0;
  }
  reader.release(records);
  return taken;
}

function hasWork(): boolean {
  if (alarm.hasPendingFlush()) return true;
  for (const r of rings.values()) if (r.reader.hasData()) return true;
  return false;
}

async function run(): Promise<void> {
  let served = alarm.flushDone();
  for (;;) {
    const ticket = alarm.flushRequested();
    let taken = 0;
    for (const r of rings.values()) taken += drainRing(r);
    if (taken > 0 || (ticket !== served && alarm.attachPending(attachedSeq))) {
      // Let attach/detach messages in between rounds while producers keep us busy, and
      // before a flush that a ring still on its way must be part of.
      await yieldToEventLoop();
      continue;
    }
    if (ticket !== served) {
      for (const r of rings.values()) for (const { dest } of r.routes) await dest.flush();
      alarm.markFlushed(ticket);
      served = ticket;
    }
    await alarm.sleep(hasWork);
  }
}

void run();
