// Verdicts, the console summary, and the files a run writes: docs/benchmarks.md (between
// its markers), docs/benchmarks.svg and benchmarks/results/latest.json.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { CONTENDERS } from './contenders.js';
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

export function printSummary(r) {
  const S = r.summary;
  const head = [
    'scenario',
    ...CONTENDERS.map((c) => (c === 'ringlog' ? 'ringlog (min–max)' : `${c} · ×ringlog`)),
  ];
  const out = [''];
  for (const loop of ['paced', 'tight']) {
    out.push(
      `Per call on the application thread, ${loop} loop (median over ${r.config.rounds} rounds)`,
    );
    out.push(table(head, percallRows(S, loop)), '');
  }
  out.push(`End to end, ${n0(r.config.e2eRecords)} S2 records, every line verified`);
  out.push(
    table(['contender', 'records/s', 'CPU per record (all threads)', 'peak RSS'], e2eRows(S)),
    '',
  );
  for (const s of ['S2', 'S7']) {
    out.push(`Per-call latency ${s}${s === 'S7' ? ' (bursts of 20, 2 ms idle)' : ' (paced)'}`);
    out.push(table(['contender', 'p50', 'p99', 'p99.9 (min–max)', 'max'], latencyRows(S, s)), '');
  }
  out.push('Memory with 10,000 S2 records behind a destination that does not drain');
  out.push(
    table(['contender', 'held (heap + buffers)', 'RSS growth', 'dropped'], memoryRows(S)),
    '',
  );
  out.push('Ring against thread-stream (raw records/s)');
  out.push(table(['record', 'ring', 'thread-stream', 'ratio'], ringRows(S)), '');
  if (r.features !== undefined) {
    out.push('Optional features against the plain path (paced, per call)');
    out.push(table(['feature', 'with it', 'plain path', 'ratio'], featureRows(r.features)), '');
  }
  out.push('Targets (ratios taken round by round, median and range)');
  for (const v of r.verdicts) out.push(verdictLine(v));
  out.push('', `${r.config.quick ? 'quick' : 'full'} run took ${r.durationSec.toFixed(0)} s`);
  process.stdout.write(`${out.join('\n')}\n`);
}

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

export function renderMarkdown(r) {
  const S = r.summary;
  const m = r.machine;
  const head = [
    'scenario',
    ...CONTENDERS.map((c) => (c === 'ringlog' ? 'ringlog (min–max)' : `${c} · ×ringlog`)),
  ];
  const cmd = r.config.quick ? 'npm run bench -- --quick' : 'npm run bench';
  return [
    `Generated by \`${cmd}\` on ${m.date.slice(0, 10)} (${r.config.quick ? 'quick' : 'full'} run, ${r.config.rounds} rounds, ${r.durationSec.toFixed(0)} s${m.commit ? `, commit ${m.commit}` : ''}).`,
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
    '### Per call on the application thread',
    '',
    '![per-call cost](benchmarks.svg)',
    '',
    'Paced loop (yields to the event loop every 1,000 calls, so deferred work is counted). Each',
    "cell: median time per call, and for the others how many times ringlog's time they take.",
    '',
    mdTable(head, percallRows(S, 'paced')),
    '',
    'Tight loop (never yields):',
    '',
    mdTable(head, percallRows(S, 'tight')),
    '',
    `### End to end: ${n0(r.config.e2eRecords)} S2 records on disk, every line parsed and counted`,
    '',
    mdTable(['contender', 'records/s', 'CPU per record (all threads)', 'peak RSS'], e2eRows(S)),
    '',
    '### Per-call latency',
    '',
    'S2, paced:',
    '',
    mdTable(['contender', 'p50', 'p99', 'p99.9 (min–max)', 'max'], latencyRows(S, 'S2')),
    '',
    'S7, bursts of 20 records then 2 ms idle:',
    '',
    mdTable(['contender', 'p50', 'p99', 'p99.9 (min–max)', 'max'], latencyRows(S, 'S7')),
    '',
    '### Memory with 10,000 records behind a destination that does not drain',
    '',
    mdTable(['contender', 'held (heap + buffers)', 'RSS growth', 'dropped'], memoryRows(S)),
    '',
    '### Ring against thread-stream',
    '',
    mdTable(
      ['record', 'ring records/s', 'thread-stream records/s', 'ratio (min–max)'],
      ringRows(S),
    ),
    '',
    '### Optional features on the application thread',
    '',
    'Each pair in one process, alternating, paced; the ratio is the feature’s time over the plain path’s, per round.',
    '',
    mdTable(['feature', 'with it', 'plain path', 'ratio (min–max)'], featureRows(r.features)),
    '',
    '### Where the time goes',
    '',
    profileSection(r.profile),
  ].join('\n');
}

export function writeReport(r, root) {
  const docs = join(root, 'docs');
  const md = join(docs, 'benchmarks.md');
  const START = '<!-- bench:start -->';
  const END = '<!-- bench:end -->';
  let text = existsSync(md) ? readFileSync(md, 'utf8') : `# Benchmarks\n\n${START}\n${END}\n`;
  if (!text.includes(START) || !text.includes(END)) text += `\n${START}\n${END}\n`;
  const before = text.slice(0, text.indexOf(START) + START.length);
  const after = text.slice(text.indexOf(END));
  writeFileSync(md, `${before}\n${renderMarkdown(r)}\n${after}`);
  writeFileSync(join(docs, 'benchmarks.svg'), renderSvg(r.summary));
  mkdirSync(join(root, 'benchmarks', 'results'), { recursive: true });
  writeFileSync(
    join(root, 'benchmarks', 'results', 'latest.json'),
    `${JSON.stringify(r, null, 2)}\n`,
  );
}
