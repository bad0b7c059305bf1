/**
 * logger.metrics() read as Prometheus metric families: one table of every family ringlog
 * exposes (name, type, help, labels, where its value comes from), and a reader that turns
 * loggers' metrics() into samples grouped by family. Shared by the text exposition
 * (prometheus.ts) and the prom-client adapter (prom-client.ts).
 *
 * Not part of the core: nothing under src/ outside src/metrics imports this folder, so
 * `import 'ringlog'` never loads it (checked by test/unit/layout.test.ts and
 * test/e2e/prometheus-packaging.test.ts). Runs only when a scrape asks, never per log call.
 */
import type { DestinationHealth, LoggerHealth } from '../logger/health.js';
import type { LoggerMetrics } from '../logger/logger.js';
import type { DestinationMetrics, DestinationState, ExtraStat } from '../protocol/stats.js';

/** What a family needs of a logger: its metrics() and, for the `logger` label, its name;
 * its health() for the health families (a source without it has none of them). */
export interface MetricsSource {
  metrics(): LoggerMetrics;
  bindings(): Record<string, unknown>;
  health?(): LoggerHealth;
}

export type FamilyType = 'counter' | 'gauge';

export interface Sample {
  /** Label names to values, in the order the family's `labelNames` gives. */
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: FamilyType;
  help: string;
  labelNames: readonly string[];
  samples: Sample[];
}

/** A family's definition: where each logger's (or destination's) samples come from. */
export interface FamilyDef {
  name: string;
  type: FamilyType;
  help: string;
  labelNames: readonly string[];
}

interface LoggerFamilyDef extends FamilyDef {
  /** undefined: this logger has no such sample (an optional feature it does not use). */
  read(m: LoggerMetrics): ReadonlyArray<readonly [Record<string, string>, number]> | undefined;
}

interface DestinationFamilyDef extends FamilyDef {
  read(d: DestinationMetrics): number | undefined;
}

const LOGGER = ['logger'] as const;
const DESTINATION = ['logger', 'destination'] as const;
const one = (v: number | undefined) => (v === undefined ? undefined : [[{}, v] as const]);

const LOGGER_FAMILIES: readonly LoggerFamilyDef[] = [
  {
    name: 'ringlog_records_enqueued_total',
    type: 'counter',
    help: 'Records handed to enabled log methods.',
    labelNames: LOGGER,
    read: (m) => one(m.enqueued),
  },
  {
    name: 'ringlog_records_written_total',
    type: 'counter',
    help: 'Records the sink has written to their destinations.',
    labelNames: LOGGER,
    read: (m) => one(m.written),
  },
  {
    name: 'ringlog_records_dropped_total',
    type: 'counter',
    help: 'Records given up on: ring_full (onFull drop), block_timeout (onFull block waited blockTimeoutMs), closed (logged after close), sink_restart (the tail of a fragmented record cut by a sink restart).',
    labelNames: [...LOGGER, 'reason'],
    read: (m) => [
      [{ reason: 'ring_full' }, m.dropped.ringFull],
      [{ reason: 'block_timeout' }, m.dropped.blockTimeout],
      [{ reason: 'closed' }, m.dropped.closed],
      [{ reason: 'sink_restart' }, m.dropped.sinkRestart],
    ],
  },
  {
    name: 'ringlog_records_pending',
    type: 'gauge',
    help: 'Records neither written nor dropped yet: in the batch, the ring or the sink.',
    labelNames: LOGGER,
    read: (m) => one(m.pending),
  },
  {
    name: 'ringlog_batches_published_total',
    type: 'counter',
    help: 'Batches published into the ring.',
    labelNames: LOGGER,
    read: (m) => one(m.batchesPublished),
  },
  {
    name: 'ringlog_ring_capacity_bytes',
    type: 'gauge',
    help: 'Size of the ring (ringBytes).',
    labelNames: LOGGER,
    read: (m) => one(m.ringBytes),
  },
  {
    name: 'ringlog_ring_used_bytes',
    type: 'gauge',
    help: 'Bytes of the ring in use now.',
    labelNames: LOGGER,
    read: (m) => one(m.ringUsedBytes),
  },
  {
    name: 'ringlog_ring_high_water_bytes',
    type: 'gauge',
    help: 'Most bytes of the ring ever in use.',
    labelNames: LOGGER,
    read: (m) => one(m.ringHighWaterBytes),
  },
  {
    name: 'ringlog_sink_restarts_total',
    type: 'counter',
    help: 'Times the sink worker was restarted after dying.',
    labelNames: LOGGER,
    read: (m) => one(m.workerRestarts),
  },
  {
    name: 'ringlog_sink_fallback',
    type: 'gauge',
    help: '1 once the sink failed for good and records go to stderr synchronously, else 0.',
    labelNames: LOGGER,
    read: (m) => one(m.fallback ? 1 : 0),
  },
  {
    name: 'ringlog_records_sampled_out_total',
    type: 'counter',
    help: 'Records left out by sampling (loggers with the sampling option).',
    labelNames: LOGGER,
    read: (m) => one(m.sampledOut),
  },
  {
    name: 'ringlog_flight_recorder_held_records',
    type: 'gauge',
    help: 'Records the flight recorder holds now.',
    labelNames: LOGGER,
    read: (m) => one(m.flightRecorder?.held),
  },
  {
    name: 'ringlog_flight_recorder_dumped_records_total',
    type: 'counter',
    help: 'Records the flight recorder has written out.',
    labelNames: LOGGER,
    read: (m) => one(m.flightRecorder?.dumped),
  },
  {
    name: 'ringlog_flight_recorder_discarded_records_total',
    type: 'counter',
    help: 'Records the flight recorder overwrote before they were written.',
    labelNames: LOGGER,
    read: (m) => one(m.flightRecorder?.discarded),
  },
];

// Every state once (a Record, so a state added to DESTINATION_STATES does not compile here
// until it is listed; src/metrics takes only types from the rest of ringlog).
const STATES = Object.keys({
  ok: 0,
  retrying: 0,
  failing: 0,
  closed: 0,
} satisfies Record<DestinationState, 0>) as DestinationState[];

/** From health(): the sink's liveness and the oldest pending record's age. */
const HEALTH_FAMILIES: readonly (FamilyDef & { read(h: LoggerHealth): number })[] = [
  {
    name: 'ringlog_sink_up',
    type: 'gauge',
    help: 'health().sink.alive: 1 while the sink worker runs, is not in stderr fallback and went round within 2 s, else 0.',
    labelNames: LOGGER,
    read: (h) => (h.sink.alive ? 1 : 0),
  },
  {
    name: 'ringlog_oldest_pending_seconds',
    type: 'gauge',
    help: 'health().oldestPendingMs in seconds: how long the oldest record not yet taken by the sink has waited; 0 when none.',
    labelNames: LOGGER,
    read: (h) => h.oldestPendingMs / 1000,
  },
];

const DESTINATION_HEALTH_FAMILIES: readonly (FamilyDef & {
  read(d: DestinationHealth): ReadonlyArray<readonly [Record<string, string>, number]>;
})[] = [
  {
    name: 'ringlog_destination_state',
    type: 'gauge',
    help: 'health().destinations[i].state: 1 for the state the destination is in (ok, retrying, failing, closed), 0 for the others.',
    labelNames: [...DESTINATION, 'state'],
    read: (d) => STATES.map((s) => [{ state: s }, d.state === s ? 1 : 0] as const),
  },
  {
    name: 'ringlog_destination_last_error_timestamp_seconds',
    type: 'gauge',
    help: "health().destinations[i].lastError.at in seconds since 1970: when the destination's last failure was reported (no sample before the first).",
    labelNames: DESTINATION,
    read: (d) => (d.lastError === null ? [] : [[{}, d.lastError.at / 1000] as const]),
  },
];

/** The counters only some destinations keep (EXTRA_STATS), each as its own family. Typed by
 * ExtraStat, so a counter added to EXTRA_STATS does not compile until it has a family here. */
const EXTRA_FAMILIES: Record<ExtraStat, FamilyDef> = {
  sent: {
    name: 'ringlog_destination_records_sent_total',
    type: 'counter',
    help: 'HTTP shipping: records accepted by the backend.',
    labelNames: DESTINATION,
  },
  retried: {
    name: 'ringlog_destination_records_retried_total',
    type: 'counter',
    help: 'HTTP shipping: records sent again after a failed attempt (a record retried twice counts 2).',
    labelNames: DESTINATION,
  },
  rejected: {
    name: 'ringlog_destination_records_rejected_total',
    type: 'counter',
    help: 'HTTP shipping: records refused by the backend for good (also counted as dropped).',
    labelNames: DESTINATION,
  },
  spilled: {
    name: 'ringlog_destination_records_spilled_total',
    type: 'counter',
    help: 'HTTP shipping: records written to the disk spool.',
    labelNames: DESTINATION,
  },
  replayed: {
    name: 'ringlog_destination_records_replayed_total',
    type: 'counter',
    help: 'HTTP shipping: records sent from the disk spool (also counted as written).',
    labelNames: DESTINATION,
  },
  spooled: {
    name: 'ringlog_destination_spooled_records',
    type: 'gauge',
    help: 'HTTP shipping: records in the disk spool now.',
    labelNames: DESTINATION,
  },
  truncated: {
    name: 'ringlog_destination_messages_truncated_total',
    type: 'counter',
    help: 'Syslog over UDP: messages cut to maxDatagramBytes.',
    labelNames: DESTINATION,
  },
};

const DESTINATION_FAMILIES: readonly DestinationFamilyDef[] = [
  {
    name: 'ringlog_destination_records_written_total',
    type: 'counter',
    help: 'Records a destination handed to the OS, or that its transport or peer accepted.',
    labelNames: DESTINATION,
    read: (d) => d.written,
  },
  {
    name: 'ringlog_destination_records_dropped_total',
    type: 'counter',
    help: 'Records given up on for this destination alone.',
    labelNames: DESTINATION,
    read: (d) => d.dropped,
  },
  {
    name: 'ringlog_destination_errors_total',
    type: 'counter',
    help: 'Failures a destination saw (write errors, stream errors, timed-out flushes); not records.',
    labelNames: DESTINATION,
    read: (d) => d.errors,
  },
  {
    name: 'ringlog_destination_buffered_records',
    type: 'gauge',
    help: "Records waiting in the destination's own bounded buffer now.",
    labelNames: DESTINATION,
    read: (d) => d.buffered,
  },
  ...(Object.entries(EXTRA_FAMILIES) as Array<[ExtraStat, FamilyDef]>).map(
    ([key, def]): DestinationFamilyDef => ({ ...def, read: (d) => d[key] }),
  ),
];

/** Every family ringlog can expose, in exposition order. */
export const FAMILY_DEFS: readonly FamilyDef[] = [
  ...LOGGER_FAMILIES,
  ...DESTINATION_FAMILIES,
  ...HEALTH_FAMILIES,
  ...DESTINATION_HEALTH_FAMILIES,
].map(({ name, type, help, labelNames }) => ({ name, type, help, labelNames }));

/**
 * Gives each of `names` a distinct label value: a name seen before gets `#2`, `#3`, … so
 * that two series never share one label set (a scrape with duplicates is refused whole).
 */
function distinct(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  const taken = new Set(names);
  return names.map((name) => {
    let n = seen.get(name);
    if (n === undefined) {
      seen.set(name, 1);
      return name;
    }
    let label: string;
    do label = `${name}#${++n}`;
    while (taken.has(label));
    seen.set(name, n);
    taken.add(label);
    return label;
  });
}

/** A logger's `logger` label: its `name` (the name option), else its position in the list. */
function loggerNames(sources: readonly MetricsSource[]): string[] {
  return distinct(
    sources.map((s, i) => {
      const name = s.bindings().name;
      return typeof name === 'string' && name !== '' ? name : String(i);
    }),
  );
}

/**
 * Reads metrics() and health() once per logger and returns every family that has samples,
 * loggers grouped inside each family (a family's lines must be consecutive in the exposition).
 */
export function readFamilies(sources: readonly MetricsSource[]): Family[] {
  const names = loggerNames(sources);
  const snapshots = sources.map((s) => s.metrics());
  const healths = sources.map((s) => s.health?.());
  const destinationNames = snapshots.map((m) => distinct(m.destinations.map((d) => d.name)));
  const families: Family[] = [];
  const push = (def: FamilyDef, samples: Sample[]) => {
    if (samples.length > 0)
      families.push({
        name: def.name,
        type: def.type,
        help: def.help,
        labelNames: def.labelNames,
        samples,
      });
  };
  for (const def of LOGGER_FAMILIES) {
    const samples: Sample[] = [];
    snapshots.forEach((m, i) => {
      for (const [labels, value] of def.read(m) ?? [])
        samples.push({ labels: { logger: names[i]!, ...labels }, value });
    });
    push(def, samples);
  }
  for (const def of DESTINATION_FAMILIES) {
    const samples: Sample[] = [];
    snapshots.forEach((m, i) => {
      m.destinations.forEach((d, k) => {
        const value = def.read(d);
        if (value !== undefined)
          samples.push({
            labels: { logger: names[i]!, destination: destinationNames[i]![k]! },
            value,
          });
      });
    });
    push(def, samples);
  }
  for (const def of HEALTH_FAMILIES) {
    const samples: Sample[] = [];
    healths.forEach((h, i) => {
      if (h !== undefined) samples.push({ labels: { logger: names[i]! }, value: def.read(h) });
    });
    push(def, samples);
  }
  for (const def of DESTINATION_HEALTH_FAMILIES) {
    const samples: Sample[] = [];
    healths.forEach((h, i) => {
      h?.destinations.forEach((d, k) => {
        for (const [labels, value] of def.read(d))
          samples.push({
            labels: { logger: names[i]!, destination: destinationNames[i]![k]!, ...labels },
            value,
          });
      });
    });
    push(def, samples);
  }
  return families;
}
