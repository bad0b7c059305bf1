// Verdicts, the console summary with a legend under each table, and what `--write-docs`
// writes: docs/benchmarks.md (between its markers), docs/benchmarks.svg and
// benchmarks/results/<date>-<commit>.json. Every sentence that reads the figures (met or
// missed, who is faster, why) is computed here from the figures it is about.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import {
  renderStartupMarkdown,
  STARTUP_END,
  STARTUP_HEADER,
  STARTUP_START,
  startupLegend,
  startupRows,
} from '../startup.js';
import { CONTENDERS, PINO_MODES } from './contenders.js';
import { PER_CALL_SCENARIOS, SCENARIOS } from './scenarios.js';

export function machineInfo() {
  // Read from node_modules directly: not every package exports its package.json.
  const version = (p) =>
    JSON.parse(
      readFileSync(new URL(`../../node_modules/${p}/package.json`, import.meta.url), 'utf8'),
    ).version;
  let commit = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    packages: {
      ringlog: JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
        .version,
      pino: version('pino'),
      'sonic-boom': version('sonic-boom'),
      'thread-stream': version('thread-stream'),
      winston: version('winston'),
      tinybench: version('tinybench'),
    },
    commit,
    date: new Date().toISOString(),
  };
}

const ns = (v) =>
  v >= 1e6
    ? `${(v / 1e6).toFixed(2)} ms`
    : v >= 1e3
      ? `${(v / 1e3).toFixed(2)} µs`
      : `${v.toFixed(0)} ns`;
const x = (v) => `${v.toFixed(2)}×`;
const n0 = (v) => Math.round(v).toLocaleString('en-US');
const range = (s, f) => `${f(s.median)} (${f(s.min)}–${f(s.max)})`;

/** Each target: its figure (a round-by-round ratio), the bound, and whether it holds. */
export function evaluate(S) {
  const t = [];
  const add = (id, text, ratio, bound, atMost, stretch = false) =>
    t.push({
      id,
      text,
      ratio: ratio.median,
      min: ratio.min,
      max: ratio.max,
      bound,
      atMost,
      stretch,
      met: atMost ? ratio.median <= bound : ratio.median >= bound,
    });
  add(
    's1-percall',
    'S1 per call (paced) ≤ 0.5 × pino best',
    S.percall.S1.paced.ringlogVsBestPino,
    0.5,
    true,
  );
  add(
    's2-percall',
    'S2 per call (paced) ≤ 0.5 × pino best',
    S.percall.S2.paced.ringlogVsBestPino,
    0.5,
    true,
  );
  add('s4-disabled', 'S4 disabled ≤ 1 × pino best', S.percall.S4.paced.ringlogVsBestPino, 1, true);
  add(
    's2-e2e-pino',
    'S2 end to end ≥ 2 × pino best (records/s)',
    S.e2e.throughputVsBestPino,
    2,
    false,
  );
  add(
    's2-e2e-winston',
    'S2 end to end ≥ 10 × winston (records/s)',
    S.e2e.throughputVsWinston,
    10,
    false,
  );
  add('s2-cpu', 'S2 CPU per record, all threads ≤ 1 × pino best', S.e2e.cpuVsBestPino, 1, true);
  add('s2-p999', 'S2 p99.9 latency ≤ 0.5 × pino sync', S.latency.S2.p999VsPinoSync, 0.5, true);
  add('s7-p999', 'S7 p99.9 latency ≤ 0.5 × pino sync', S.latency.S7.p999VsPinoSync, 0.5, true);
  const mem = S.memory.ringlog.heldMB;
  if (mem !== null) {
    t.push({
      id: 'memory',
      text: '10,000 buffered records ≤ 4 MB held',
      value: mem.median,
      min: mem.min,
      max: mem.max,
      bound: 4,
      atMost: true,
      stretch: false,
      met: mem.median <= 4,
    });
  }
  for (const row of S.ring) {
    t.push({
      id: `ring-${row.recordBytes}`,
      text: `ring ≥ 2 × thread-stream, ${row.recordBytes} B records`,
      ratio: row.ratioMedian,
      min: row.ratioMin,
      max: row.ratioMax,
      bound: 2,
      atMost: false,
      stretch: false,
      met: row.ratioMedian >= 2,
    });
  }
  add(
    's1-stretch',
    'next: S1 per call ≤ 0.25 × pino best',
    S.percall.S1.paced.ringlogVsBestPino,
    0.25,
    true,
    true,
  );
  add(
    's2-stretch',
    'next: S2 per call ≤ 0.33 × pino best',
    S.percall.S2.paced.ringlogVsBestPino,
    0.33,
    true,
    true,
  );
  add(
    'e2e-stretch',
    'next: S2 end to end ≥ 3 × pino best',
    S.e2e.throughputVsBestPino,
    3,
    false,
    true,
  );
  return t;
}

/**
 * For each *next:* goal missed: how far the run is from it, in ns per call (per call) or per
 * record (end to end), and, when the run has a profile, where S2's time on the application
 * thread goes, part by part (benchmarks/profile.js). Empty when every goal is met.
 */
export function gapLines(r) {
  const S = r.summary;
  const out = [];
  const missed = (id) => r.verdicts.find((v) => v.id === id && !v.met);
  for (const [id, scenario] of [
    ['s1-stretch', 'S1'],
    ['s2-stretch', 'S2'],
  ]) {
    const v = missed(id);
    if (v === undefined) continue;
    const mine = S.percall[scenario].paced.ns.ringlog.median;
    // From the verdict's own figure (the median of the round-by-round ratios), so the gap and
    // the verdict always agree; the medians of the absolute times can fall either side of it.
    const share = v.bound / v.ratio;
    out.push(
      `${scenario} per call: ${x(v.ratio)} pino best, the goal ${v.bound}×: ringlog's call has to cost ${x(share)} of what it does (${ns(mine)} in this run's median: ${ns(mine * (1 - share))} a call to go).`,
    );
  }
  const e = missed('e2e-stretch');
  if (e !== undefined) {
    const rps = S.e2e.recordsPerSec.ringlog.median;
    const need = (rps * e.bound) / e.ratio;
    out.push(
      `S2 end to end: ringlog ${n0(rps)} records/s, the goal ${n0(need)} (${e.bound} × pino best): ${ns(1e9 / rps)} a record now against ${ns(1e9 / need)}. The application thread bounds it (one thread makes every call, at about the S2 per-call cost above), so it moves with S2 per call.`,
    );
  }
  if (out.length === 0) return out;
  const p = r.profile;
  if (p?.parts === undefined) {
    out.push(
      'No profile in this run (`npm run bench -- --full`, or `node benchmarks/profile.js DIR --quick`): docs/benchmarks.md has the last one.',
    );
    return out;
  }
  const parts = [...p.parts].sort((a, b) => b.nsPerRecord - a.nsPerRecord);
  const total = parts.reduce((sum, q) => sum + q.nsPerRecord, 0);
  out.push(
    `Where an S2 call's ${ns(total)} go on the application thread (profile of ${n0(p.records)} S2 records, paced, self time per record; its own run, so its total differs from the per-call figure):`,
    ...parts
      .filter((q) => q.nsPerRecord >= 1)
      .map((q) => `  - ${q.part}: ${ns(q.nsPerRecord)} (${(q.share * 100).toFixed(0)} %)`),
  );
  return out;
}

/** gapLines() as a paragraph and a list, for docs/benchmarks.md. */
function gapMarkdown(r) {
  const lines = gapLines(r);
  if (lines.length === 0) return [];
  return [
    '',
    '**The goals missed, and where the time goes.**',
    '',
    ...lines.map((l) => (l.startsWith('  - ') ? `  ${l.slice(2)}` : `- ${l}`)),
  ];
}

function verdictLine(v) {
  const fig =
    v.ratio !== undefined
      ? `${x(v.ratio)} (rounds ${x(v.min)}–${x(v.max)})`
      : `${v.value.toFixed(2)} MB (${v.min.toFixed(2)}–${v.max.toFixed(2)})`;
  return `${v.met ? 'met   ' : 'MISSED'}  ${v.text}: ${fig}`;
}

function percallRows(S, loop) {
  const rows = [];
  for (const id of PER_CALL_SCENARIOS) {
    const p = S.percall[id][loop];
    rows.push([
      SCENARIOS[id].title,
      ...CONTENDERS.map((c) =>
        c === 'ringlog'
          ? range(p.ns[c], ns)
          : `${ns(p.ns[c].median)} · ${x(p.vsRinglog[c].median)}`,
      ),
    ]);
  }
  return rows;
}

function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function mdTable(header, rows) {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function e2eRows(S) {
  const e = S.e2e;
  return CONTENDERS.map((c) => [
    c,
    range(e.recordsPerSec[c], n0),
    range(e.cpuNsPerRecord[c], ns),
    range(e.peakRssMB[c], (v) => `${v.toFixed(0)} MB`),
  ]);
}

function latencyRows(S, s) {
  return CONTENDERS.map((c) => {
    const l = S.latency[s].ns[c];
    return [c, ns(l.p50.median), ns(l.p99.median), range(l.p999, ns), ns(l.max.median)];
  });
}

function memoryRows(S) {
  return CONTENDERS.map((c) => {
    const m = S.memory[c];
    if (m.heldMB === null) return [c, `blocked in ${m.blocked} of ${m.runs} runs`, '—', '—'];
    return [
      c,
      range(m.heldMB, (v) => `${v.toFixed(2)} MB`),
      range(m.rssGrowthMB, (v) => `${v.toFixed(1)} MB`),
      m.dropped ? n0(m.dropped.median) : '0',
    ];
  });
}

/** What the per-call table's cells mean, and why a contender below 1× is not simply faster. */
function percallLegend(r, loop) {
  const S = r.summary;
  const lines = [
    `Each cell is the median time of one call on the application thread over ${r.config.rounds} round${r.config.rounds > 1 ? 's' : ''}.`,
    "*ringlog (min–max)*: ringlog's median, with its fastest and slowest round. *×ringlog*: the",
    "contender's time divided by ringlog's, round by round (median): 2.00× takes twice ringlog's",
    'time, 0.50× half of it.',
    loop === 'paced'
      ? 'Paced: the loop yields to the event loop after every 1,000 calls, so work a logger defers to the next turn is counted.'
      : 'Tight: the loop never yields, so this is the call alone; work deferred to later turns is not counted.',
  ];
  const below = PER_CALL_SCENARIOS.filter(
    (id) => !SCENARIOS[id].disabled && S.percall[id][loop].vsRinglog.winston.median < 1,
  );
  if (below.length > 0) {
    const e = S.e2e;
    const cpu = e.cpuNsPerRecord.winston.median / e.cpuNsPerRecord.ringlog.median;
    lines.push(
      `winston below 1× (${below
        .map((id) => `${id} ${x(S.percall[id][loop].vsRinglog.winston.median)}`)
        .join(', ')}) is work deferred, not work done faster: its call queues the record in its`,
      `stream pipeline, which formats and writes it later, after the measured calls (${
        loop === 'paced' ? 'one yield per 1,000 calls does not drain it' : 'this loop never yields'
      }).`,
      "End to end, where that work is counted, winston's CPU per",
      `record is ${x(cpu)} ringlog's and its peak RSS ${e.peakRssMB.winston.median.toFixed(0)} MB against ringlog's ${e.peakRssMB.ringlog.median.toFixed(0)} MB.`,
    );
  }
  return lines;
}

function e2eLegend(r) {
  const e = r.summary.e2e;
  return [
    `Medians over ${r.config.rounds} round${r.config.rounds > 1 ? 's' : ''}, fastest and slowest in brackets. *records/s*: records divided by the time`,
    'from the first call to the last byte on disk. *CPU per record*: user + system time of the',
    'whole process (every thread) divided by the records. *peak RSS*: the largest resident set.',
    `ringlog moves ${x(e.throughputVsBestPino.median)} the records/s of the best pino mode and ${x(e.throughputVsWinston.median)} winston's, round by round;`,
    `its CPU per record is ${x(e.cpuVsBestPino.median)} the best pino mode's.`,
  ];
}

function latencyLegend() {
  return [
    'Each call timed alone (`process.hrtime`); percentiles over every call of a round, from the first',
    'call on (JIT warm-up included), then the median over rounds; p99.9 with its range.',
  ];
}

function memoryLegend(r) {
  const n = (r.config.memoryRecords ?? 10_000).toLocaleString('en-US');
  return [
    `${n} S2 records logged to a FIFO that nothing reads. *held*: growth of the V8 heap plus`,
    'the larger of external and ArrayBuffer memory after a forced GC, from before the logger',
    'existed. *RSS growth*: noisy (allocator pages are not returned). *dropped*: records the',
    "logger discarded by its own policy (ringlog's `onFull`), counted. *blocked*: the application",
    `thread did not get through the ${n} calls within ${(r.config.blockAfterMs ?? 8_000) / 1000} s (pino's sync destination waits on a full pipe for good).`,
  ];
}

function ringLegend() {
  return [
    'The same records moved between two threads by the ring and by thread-stream (the channel of',
    '`pino.transport`), consumers that only count; *ratio*: ring over thread-stream, round by round.',
  ];
}

function featuresLegend() {
  return [
    "Each pair in one process, alternating, paced; medians per call. *ratio*: the feature's time",
    "over the plain path's, round by round; below 1× the feature is cheaper than the plain path.",
  ];
}

function targetsLegend(r) {
  const settled = r.verdicts.filter((v) =>
    v.atMost ? v.max <= v.bound || v.min > v.bound : v.min >= v.bound || v.max < v.bound,
  );
  return [
    'met / missed: the median of the round-by-round figures against the bound; the range shows the',
    `rounds. ${settled.length} of ${r.verdicts.length} verdicts come out the same in every round; the others depend on the round.`,
    '*next:* lines are the following targets, not yet promised.',
  ];
}

export function printSummary(r) {
  const S = r.summary;
  const head = [
    'scenario',
    ...CONTENDERS.map((c) => (c === 'ringlog' ? 'ringlog (min–max)' : `${c} · ×ringlog`)),
  ];
  const out = [''];
  const section = (title, header, rows, legend) => {
    out.push(title, table(header, rows), ...legend.map((l) => `  ${l}`), '');
  };
  for (const loop of ['paced', 'tight']) {
    section(
      `Per call on the application thread, ${loop} loop`,
      head,
      percallRows(S, loop),
      percallLegend(r, loop),
    );
  }
  section(
    `End to end, ${n0(r.config.e2eRecords)} S2 records, every line verified`,
    E2E_HEADER,
    e2eRows(S),
    e2eLegend(r),
  );
  for (const s of ['S2', 'S7']) {
    section(
      `Per-call latency ${s}${s === 'S7' ? ' (bursts of 20, 2 ms idle)' : ' (paced)'}`,
      LATENCY_HEADER,
      latencyRows(S, s),
      s === 'S7' ? latencyLegend() : [],
    );
  }
  section(
    `Memory with ${n0(r.config.memoryRecords ?? 10_000)} S2 records behind a destination that does not drain`,
    MEMORY_HEADER,
    memoryRows(S),
    memoryLegend(r),
  );
  section('Ring against thread-stream (raw records/s)', RING_HEADER, ringRows(S), ringLegend());
  if (r.features !== undefined) {
    section(
      'Optional features against the plain path (paced, per call)',
      FEATURE_HEADER,
      featureRows(r.features),
      featuresLegend(),
    );
  }
  if (r.startup !== undefined) {
    section(
      'Start-up of a hello world, whole process (spawn to exit)',
      STARTUP_HEADER,
      startupRows(r.startup),
      startupLegend(r.startup),
    );
  }
  out.push('Targets (ratios taken round by round, median and range)');
  for (const v of r.verdicts) out.push(verdictLine(v));
  out.push(...targetsLegend(r).map((l) => `  ${l}`));
  const gap = gapLines(r);
  if (gap.length > 0)
    out.push('', 'The goals missed, and where the time goes', ...gap.map((l) => `  ${l}`));
  const mode = r.config.mode ?? (r.config.quick ? 'quick' : 'full');
  out.push('', `${mode} run took ${r.durationSec.toFixed(0)} s`);
  if (mode !== 'full')
    out.push(
      '(shorter and noisier than `npm run bench -- --full`, whose figures are the documented ones)',
    );
  process.stdout.write(`${out.join('\n')}\n`);
}

const E2E_HEADER = ['contender', 'records/s', 'CPU per record (all threads)', 'peak RSS'];
const LATENCY_HEADER = ['contender', 'p50', 'p99', 'p99.9 (min–max)', 'max'];
const MEMORY_HEADER = ['contender', 'held (heap + buffers)', 'RSS growth', 'dropped'];
const RING_HEADER = ['record', 'ring records/s', 'thread-stream records/s', 'ratio (min–max)'];
const FEATURE_HEADER = ['feature', 'with it', 'plain path', 'ratio (min–max)'];

// The chart: per-call cost (paced) per scenario, log scale, one bar per contender.
const COLORS = {
  ringlog: '#1b7f3b',
  'pino-sync': '#2b6cb0',
  'pino-async': '#4c8fd6',
  'pino-transport': '#8bb8e8',
  winston: '#c05621',
};

export function renderSvg(S) {
  const W = 760;
  const left = 190;
  const barH = 9;
  const groupGap = 14;
  const top = 40;
  const scenarios = PER_CALL_SCENARIOS;
  const groupH = CONTENDERS.length * barH + groupGap;
  const H = top + scenarios.length * groupH + 50;
  const all = scenarios.flatMap((id) => CONTENDERS.map((c) => S.percall[id].paced.ns[c].median));
  const lo = 10 ** Math.floor(Math.log10(Math.max(1, Math.min(...all))));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...all)));
  const px = (v) =>
    left +
    ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) *
      (W - left - 20);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${left}" y="18" font-size="13" font-weight="bold">Per-call cost on the application thread (paced loop, median; log scale, lower is better)</text>`,
  ];
  for (let d = lo; d <= hi; d *= 10) {
    const xx = px(d).toFixed(1);
    parts.push(`<line x1="${xx}" y1="${top - 6}" x2="${xx}" y2="${H - 40}" stroke="#ddd"/>`);
    parts.push(`<text x="${xx}" y="${H - 28}" text-anchor="middle" fill="#555">${ns(d)}</text>`);
  }
  scenarios.forEach((id, g) => {
    const y0 = top + g * groupH;
    parts.push(
      `<text x="${left - 8}" y="${y0 + (CONTENDERS.length * barH) / 2 + 4}" text-anchor="end">${SCENARIOS[id].title.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/'/g, '&#39;')}</text>`,
    );
    CONTENDERS.forEach((c, i) => {
      const v = S.percall[id].paced.ns[c].median;
      const y = y0 + i * barH;
      parts.push(
        `<rect x="${left}" y="${y}" width="${(px(v) - left).toFixed(1)}" height="${barH - 2}" fill="${COLORS[c]}"><title>${c}: ${ns(v)}</title></rect>`,
      );
    });
  });
  CONTENDERS.forEach((c, i) => {
    const xx = left + i * 112;
    parts.push(`<rect x="${xx}" y="${H - 16}" width="10" height="10" fill="${COLORS[c]}"/>`);
    parts.push(`<text x="${xx + 14}" y="${H - 7}">${c}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function profileSection(p) {
  const rows = p.top.map((t) => [
    `\`${t.fn.replace(/\|/g, '\\|')}\``,
    `${(t.share * 100).toFixed(1)} %`,
    ns(t.nsPerRecord),
  ]);
  const floor = p.floor.map((f) => [f.op, ns(f.ns)]);
  return [
    `Self time on the application thread while it logs ${n0(p.records)} S2 records (paced), from`,
    `\`--cpu-prof\` at a ${p.sampleIntervalUs} µs interval; idle time left out. Function names are those of the built`,
    'bundle (`dist/index.js`); `waitForSpace` is time spent waiting for the sink to free ring space.',
    '',
    mdTable(['function (self time)', 'share', 'per record'], rows),
    ...(p.parts === undefined
      ? []
      : [
          '',
          'The same self time by part (benchmarks/profile.js assigns each function to one):',
          '',
          mdTable(
            ['part', 'share', 'per record'],
            [...p.parts]
              .sort((a, b) => b.nsPerRecord - a.nsPerRecord)
              .map((q) => [q.part, `${(q.share * 100).toFixed(1)} %`, ns(q.nsPerRecord)]),
          ),
        ]),
    '',
    `The floor on this machine, one operation at a time (the S2 line is ${p.lineBytes} bytes):`,
    '',
    mdTable(['operation', 'per operation'], floor),
  ].join('\n');
}

function ringRows(S) {
  return S.ring.map((row) => [
    `${row.recordBytes} B`,
    n0(row.ringRecordsPerSec),
    n0(row.threadStreamRecordsPerSec),
    `${x(row.ratioMedian)} (${x(row.ratioMin)}–${x(row.ratioMax)})`,
  ]);
}

function featureRows(f) {
  if (f === undefined) return [];
  const ns = (v) => (v >= 1000 ? `${(v / 1000).toFixed(2)} µs` : `${Math.round(v)} ns`);
  return f.pairs.map((p) => [
    p.name,
    ns(p.variantNs.median),
    ns(p.baselineNs.median),
    `${x(p.ratio.median)} (${x(p.ratio.min)}–${x(p.ratio.max)})`,
  ]);
}

/** `<date>-<commit>.json`: the raw figures behind a docs/benchmarks.md written from run `r`. */
export function resultsFileName(r) {
  return `${r.machine.date.slice(0, 10)}-${r.machine.commit ?? 'unknown'}.json`;
}

export function renderMarkdown(r) {
  const S = r.summary;
  const m = r.machine;
  const head = [
    'scenario',
    ...CONTENDERS.map((c) => (c === 'ringlog' ? 'ringlog (min–max)' : `${c} · ×ringlog`)),
  ];
  const mode = r.config.mode ?? (r.config.quick ? 'quick' : 'full');
  const raw = resultsFileName(r);
  const para = (lines) => lines.join('\n');
  return [
    `Generated from a ${mode} run on ${m.date.slice(0, 10)} (${r.config.rounds} rounds, ${r.durationSec.toFixed(0)} s${m.commit ? `, commit ${m.commit}` : ''}); raw figures in [\`benchmarks/results/${raw}\`](../benchmarks/results/${raw}). Every sentence in this section is computed from these figures.`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGB} GiB, ${m.platform}, Node ${m.node}.`,
    `Packages: ${Object.entries(m.packages)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    '',
    '### Targets',
    '',
    ...r.verdicts.map(
      (v) =>
        `- ${v.met ? '**met**' : '**missed**'} ${v.text}: ${v.ratio !== undefined ? `${x(v.ratio)} (rounds ${x(v.min)}–${x(v.max)})` : `${v.value.toFixed(2)} MB (${v.min.toFixed(2)}–${v.max.toFixed(2)})`}`,
    ),
    '',
    para(targetsLegend(r)),
    ...gapMarkdown(r),
    '',
    '### Per call on the application thread',
    '',
    '![per-call cost](benchmarks.svg)',
    '',
    'Paced loop:',
    '',
    mdTable(head, percallRows(S, 'paced')),
    '',
    para(percallLegend(r, 'paced')),
    '',
    'Tight loop:',
    '',
    mdTable(head, percallRows(S, 'tight')),
    '',
    para(percallLegend(r, 'tight')),
    '',
    `### End to end: ${n0(r.config.e2eRecords)} S2 records on disk, every line parsed and counted`,
    '',
    mdTable(E2E_HEADER, e2eRows(S)),
    '',
    para(e2eLegend(r)),
    '',
    '### Per-call latency',
    '',
    'S2, paced:',
    '',
    mdTable(LATENCY_HEADER, latencyRows(S, 'S2')),
    '',
    'S7, bursts of 20 records then 2 ms idle:',
    '',
    mdTable(LATENCY_HEADER, latencyRows(S, 'S7')),
    '',
    para(latencyLegend()),
    '',
    `### Memory with ${n0(r.config.memoryRecords ?? 10_000)} records behind a destination that does not drain`,
    '',
    mdTable(MEMORY_HEADER, memoryRows(S)),
    '',
    para(memoryLegend(r)),
    '',
    '### Ring against thread-stream',
    '',
    mdTable(RING_HEADER, ringRows(S)),
    '',
    para(ringLegend()),
    '',
    '### Optional features on the application thread',
    '',
    mdTable(FEATURE_HEADER, featureRows(r.features)),
    '',
    para(featuresLegend()),
    ...(r.profile === undefined
      ? []
      : ['', '### Where the time goes', '', profileSection(r.profile)]),
  ].join('\n');
}

/** Replaces the text between `start` and `end` in `text` (appending both when missing). */
function replaceBetween(text, start, end, body) {
  let t = text;
  if (!t.includes(start) || !t.includes(end)) t += `\n${start}\n${end}\n`;
  return `${t.slice(0, t.indexOf(start) + start.length)}\n${body}\n${t.slice(t.indexOf(end))}`;
}

/**
 * Writes docs/benchmarks.md's generated sections, docs/benchmarks.svg and the raw figures in
 * benchmarks/results/<date>-<commit>.json. Returns the paths written.
 */
export function writeReport(r, root) {
  const docs = join(root, 'docs');
  const md = join(docs, 'benchmarks.md');
  let text = existsSync(md) ? readFileSync(md, 'utf8') : '# Benchmarks\n';
  text = replaceBetween(text, '<!-- bench:start -->', '<!-- bench:end -->', renderMarkdown(r));
  if (r.startup !== undefined)
    text = replaceBetween(
      text,
      STARTUP_START,
      STARTUP_END,
      renderStartupMarkdown(r.startup, r.machine, 'npm run bench -- --full --write-docs'),
    );
  writeFileSync(md, text);
  const svg = join(docs, 'benchmarks.svg');
  writeFileSync(svg, renderSvg(r.summary));
  const results = join(root, 'benchmarks', 'results');
  mkdirSync(results, { recursive: true });
  const raw = join(results, resultsFileName(r));
  writeFileSync(raw, `${JSON.stringify(r, null, 2)}\n`);
  return [md, svg, raw];
}
