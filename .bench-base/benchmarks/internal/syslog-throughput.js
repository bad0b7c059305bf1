// The syslog destination end to end: a logger writes S2-like records (a few fields, one
// needing escapes) through the sink worker to a loopback TCP receiver in another process,
// which parses the octet-counted frames and counts them. Reports records/s until the last
// one arrived and the logging process's CPU per record (all its threads: app + sink), with a
// file destination on the same records for comparison. Every record is counted.
//
//   npm run build && node benchmarks/internal/syslog-throughput.js [--records N] [--rounds R]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../dist/index.js';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const RECORDS = opt('records', 200_000);
const ROUNDS = opt('rounds', 3);

// The receiver: counts frames, checks the framing, prints the count when asked on stdin.
const RECEIVER = `
const net = require('node:net');
let count = 0;
const server = net.createServer((s) => {
  let buf = Buffer.alloc(0);
  s.on('data', (d) => {
    buf = buf.length ? Buffer.concat([buf, d]) : d;
    for (;;) {
      const sp = buf.indexOf(32);
      if (sp < 0) break;
      const len = Number(buf.subarray(0, sp).toString('latin1'));
      if (!Number.isInteger(len) || len <= 0) throw new Error('bad frame');
      if (buf.length < sp + 1 + len) break;
      count++;
      buf = buf.subarray(sp + 1 + len);
    }
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.stdin.on('data', () => console.log('count ' + count));
`;

async function startReceiver() {
  const child = spawn(process.execPath, ['-e', RECEIVER], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdout.setEncoding('utf8');
  const [first] = await once(child.stdout, 'data');
  return { child, port: Number(first.trim()) };
}

async function countOf(child) {
  child.stdin.write('?\n');
  const [text] = await once(child.stdout, 'data');
  return Number(/count (\d+)/.exec(text)[1]);
}

function logRecords(log) {
  for (let i = 0; i < RECORDS; i++) {
    log.info(
      { i, userId: 1000 + (i % 97), path: '/api/v1/orders', note: 'said "ok"' },
      'request done',
    );
  }
}

async function round(kind, target) {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const log = createLogger({
    destination:
      kind === 'file'
        ? { type: 'file', path: target }
        : { type: 'syslog', port: target.port, bufferRecords: RECORDS * 2, bufferBytes: 1 << 30 },
  });
  logRecords(log);
  await log.flush();
  if (kind === 'syslog') {
    while ((await countOf(target.child)) < target.expected)
      await new Promise((r) => setTimeout(r, 5));
  }
  const ns = Number(process.hrtime.bigint() - t0);
  const cpu = process.cpuUsage(cpu0);
  await log.close();
  if (kind === 'file') {
    const n = readFileSync(target, 'utf8').split('\n').length - 1;
    if (n !== RECORDS) throw new Error(`file: ${n} of ${RECORDS} records`);
  }
  return { perSec: (RECORDS / ns) * 1e9, cpuUsPerRecord: (cpu.user + cpu.system) / RECORDS };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const receiver = await startReceiver();
const dir = mkdtempSync(join(tmpdir(), 'ringlog-bench-'));
const results = { syslog: [], file: [] };
let expected = 0;
for (let r = 0; r < ROUNDS; r++) {
  expected += RECORDS;
  results.syslog.push(await round('syslog', { ...receiver, expected }));
  results.file.push(await round('file', join(dir, `r${r}.log`)));
}
receiver.child.kill();
for (const [kind, rs] of Object.entries(results)) {
  console.log(
    `${kind}: ${(median(rs.map((x) => x.perSec)) / 1e3).toFixed(0)} k records/s, ` +
      `${median(rs.map((x) => x.cpuUsPerRecord)).toFixed(2)} µs CPU per record (median of ${ROUNDS})`,
  );
}
