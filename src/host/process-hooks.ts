/**
 * The process listeners that make "nothing lost" hold at exit: exit (publish, bounded
 * flushSync, then every later record written synchronously), uncaughtExceptionMonitor,
 * SIGINT/SIGTERM for loggers that handle signals, and the reopen signal of file destinations.
 */
import { isMainThread } from 'node:worker_threads';
import { ErrorCodes } from '../protocol/errors.js';
import { markExiting } from '../protocol/stats.js';
import type { SinkHost } from './sink-host.js';
import { warn } from './stderr.js';

let hooksInstalled = false;

/**
 * One set of process listeners for the thread, whatever the number of loggers:
 * exit (publish, bounded flushSync, then every later record is written synchronously),
 * uncaughtExceptionMonitor (fatal record, then Node goes on as it would), and signals for
 * loggers that asked for them.
 */
export function installProcessHooks(s: SinkHost): void {
  if (hooksInstalled) {
    updateSignalHooks(s);
    return;
  }
  hooksInstalled = true;
  process.on('exit', () => onExit(s));
  process.on('uncaughtExceptionMonitor', (err, origin) => {
    // An app that handles 'uncaughtException' itself decides what happens; say nothing.
    if (origin === 'uncaughtException' && process.listenerCount('uncaughtException') > 0) return;
    for (const a of s.attachedRings()) {
      if (a.hooks.handleExceptions) a.hooks.logFatal(err, origin);
    }
  });
  updateSignalHooks(s);
}

function onExit(s: SinkHost): void {
  let timeoutMs = 0;
  // The sink ends with this thread when it is the main one or the sink's owner; otherwise the
  // sink goes on for the other threads and closes this thread's destinations on detach.
  const sinkEnds = isMainThread || s.ownsSink();
  for (const a of s.attachedRings()) {
    // Before the flush request: the sink serving it then ends asynchronous destinations too.
    if (sinkEnds) markExiting(a.stats);
    a.channel.publish();
    timeoutMs = Math.max(timeoutMs, a.hooks.exitTimeoutMs);
  }
  // One budget for the whole exit: records logged by later exit listeners share what the
  // exit flush left of it, so a stuck sink costs exitTimeoutMs once, not once per record.
  const deadline = Date.now() + timeoutMs;
  for (const a of s.attachedRings()) {
    // From now on nothing runs after this tick: write each later record before returning.
    a.channel.schedule = () => {
      a.channel.publish();
      s.flushSync(Math.max(0, deadline - Date.now()));
    };
  }
  const flushed = timeoutMs === 0 || s.flushSync(timeoutMs);
  reportLoss(s, flushed, timeoutMs);
  // A worker thread: detach its rings, and retire the sink if it is this thread's.
  s.onThreadExit();
}

/**
 * The one line said at exit when records were not written: how many, by the reasons
 * metrics() counts them (its dropped.total + pending, summed over the loggers), and the
 * destinations that dropped records of their own. Nothing is said when nothing was lost.
 */
export function reportLoss(s: SinkHost, flushed: boolean, timeoutMs: number): void {
  let ringFull = 0;
  let blockTimeout = 0;
  let closed = 0;
  let sinkRestart = 0;
  let pending = 0;
  const byDestination: string[] = [];
  for (const a of s.attachedRings()) {
    const ch = a.channel;
    const d = ch.dropped;
    ringFull += d.ringFull;
    blockTimeout += d.blockTimeout;
    closed += d.closed;
    // The tail of a fragmented record cut by a sink restart: metrics()'s dropped.sinkRestart.
    const discarded = ch.ring.recordsDiscarded();
    sinkRestart += discarded;
    pending +=
      ch.enqueued - ch.ring.recordsWritten() - discarded - d.ringFull - d.blockTimeout - d.closed;
    for (const m of s.destinationMetrics(a.id)) {
      // Held by an asynchronous destination (syslog, HTTP) when the process ends: lost with it.
      const held = m.buffered > 0 ? `${m.buffered} held, lost with the process` : '';
      if (m.dropped > 0 || held !== '')
        byDestination.push(
          `${m.name} ${[m.dropped > 0 ? `${m.dropped} dropped` : '', held].filter(Boolean).join(', ')}`,
        );
    }
  }
  const total = ringFull + blockTimeout + closed + sinkRestart + pending;
  if (total === 0 && byDestination.length === 0) return;
  const parts: string[] = [];
  if (ringFull > 0) parts.push(`${ringFull} dropped on a full ring`);
  if (blockTimeout > 0) parts.push(`${blockTimeout} dropped after blockTimeoutMs`);
  if (closed > 0) parts.push(`${closed} logged after close()`);
  if (sinkRestart > 0) parts.push(`${sinkRestart} cut by a sink restart`);
  if (pending > 0)
    parts.push(
      flushed
        ? `${pending} still pending`
        : `${pending} still pending when the exit flush gave up after exitTimeoutMs=${timeoutMs}`,
    );
  const dests = byDestination.join(', ');
  const line =
    total === 0
      ? `every record reached the sink, but single destinations did not write them all: ${dests}`
      : `${total} records not written at exit: ${parts.join(', ')}${byDestination.length > 0 ? `; single destinations: ${dests}` : ''}`;
  warn(line, flushed ? ErrorCodes.RECORDS_LOST : ErrorCodes.FLUSH_TIMEOUT);
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
let signalHandler: ((signal: NodeJS.Signals) => void) | undefined;

function updateSignalHooks(s: SinkHost): void {
  let wanted = false;
  for (const a of s.attachedRings()) wanted ||= a.hooks.handleSignals;
  if (!wanted || signalHandler !== undefined) return;
  const handler = (signal: NodeJS.Signals): void => {
    let timeoutMs = 0;
    const ending = process.listenerCount(signal) === 1;
    for (const a of s.attachedRings()) {
      if (ending) markExiting(a.stats);
      a.channel.publish();
      timeoutMs = Math.max(timeoutMs, a.hooks.exitTimeoutMs);
    }
    s.flushSync(timeoutMs);
    // Alone on this signal: end as Node would have without us (killed by the signal).
    if (process.listenerCount(signal) === 1) {
      for (const sig of SIGNALS) process.removeListener(sig, handler);
      process.kill(process.pid, signal);
    }
  };
  signalHandler = handler;
  for (const sig of SIGNALS) process.on(sig, handler);
}

/** Bound on a reopen started by a signal; a sink stuck longer than this is reported anyway. */
const SIGNAL_REOPEN_TIMEOUT_MS = 5000;
const reopenHandlers = new Map<NodeJS.Signals, () => void>();

/**
 * One listener per signal named by some attached logger's reopenOnSignal, removed when no
 * logger wants it any more: a process whose loggers have no file keeps Node's default
 * behaviour on SIGHUP (it ends).
 */
export function updateReopenHooks(s: SinkHost): void {
  const wanted = new Set<NodeJS.Signals>();
  for (const a of s.attachedRings())
    if (a.hooks.reopenOnSignal !== false) wanted.add(a.hooks.reopenOnSignal);
  for (const [sig, handler] of reopenHandlers) {
    if (wanted.has(sig)) continue;
    process.removeListener(sig, handler);
    reopenHandlers.delete(sig);
  }
  for (const sig of wanted) {
    if (reopenHandlers.has(sig)) continue;
    const handler = (): void => {
      const ids: number[] = [];
      for (const a of s.attachedRings()) if (a.hooks.reopenOnSignal === sig) ids.push(a.id);
      // The sink reports each failure on stderr with its code; nothing to add here.
      void s.reopen(ids, SIGNAL_REOPEN_TIMEOUT_MS);
    };
    reopenHandlers.set(sig, handler);
    process.on(sig, handler);
  }
}
