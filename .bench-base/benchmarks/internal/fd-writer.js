// The sink's write path alone: the same 256 KiB batches of S2-size lines appended to a file on
// a tmpfs (/dev/shm, so the disk's writeback does not drown the CPU cost), through sonic-boom
// 4.2.1 as the sink used it before (sync, buffer mode) and through ringlog's own writer
// (workers/destinations/stream/fd-writer.ts, bundled on the fly with esbuild), alternating.
//
//   node benchmarks/internal/fd-writer.js [--rounds 9] [--batches 100]
//
// Prints MB/s and CPU ns per record (medians) for each, and the ratio round by round.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const ROUNDS = arg('rounds', 9);
const BATCHES = arg('batches', 100);

const out = join(mkdtempSync(join(tmpdir(), 'ringlog-fdw-bench-')), 'fd-writer.mjs');
require('esbuild').buildSync({
  entryPoints: [
    fileURLToPath(new URL('../../workers/destinations/stream/fd-writer.ts', import.meta.url)),
  ],
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: out,
  logLevel: 'error',
});
const { openFileWriter } = await import(pathToFileURL(out).href);
const SonicBoom = require('sonic-boom');

let text = '';
for (let i = 0; text.length < 256 * 1024; i++)
  text += `${JSON.stringify({ level: 30, time: 1700000000000 + i, pid: 1, hostname: 'vm', i, a: 'alpha', b: 42, c: true, d: 'delta', e: 3.14, f: 'foxtrot', g: null, h: 'hotel', msg: 'request handled' })}\n`;
const chunk = Buffer.from(text.slice(0, text.lastIndexOf('\n') + 1));
const records = chunk.toString().split('\n').length - 1;
const dir = process.platform === 'linux' ? '/dev/shm' : tmpdir();

const res = { 'sonic-boom 4': [], 'ringlog fd-writer': [] };
for (let r = 0; r < ROUNDS; r++) {
  for (const who of Object.keys(res)) {
    const path = join(dir, `ringlog-fdw-bench-${process.pid}.log`);
    rmSync(path, { force: true });
    const w =
      who === 'sonic-boom 4'
        ? new SonicBoom({ dest: path, sync: true, contentMode: 'buffer' })
        : openFileWriter('bench', path, { mkdir: false, append: true });
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < BATCHES; k++) w.write(chunk, records);
    const ns = Number(process.hrtime.bigint() - t0);
    const c = process.cpuUsage(c0);
    res[who].push({
      mbps: ((chunk.length * BATCHES) / ns) * 1e3,
      cpuNsPerRecord: ((c.user + c.system) * 1e3) / (records * BATCHES),
    });
    if (who === 'sonic-boom 4') w.destroy();
    else w.close();
    rmSync(path, { force: true });
  }
}
rmSync(join(out, '..'), { recursive: true, force: true });
const median = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
for (const [who, runs] of Object.entries(res))
  console.log(
    `${who.padEnd(18)} ${median(runs.map((x) => x.mbps)).toFixed(0)} MB/s, ${median(runs.map((x) => x.cpuNsPerRecord)).toFixed(1)} ns CPU per record (medians of ${ROUNDS})`,
  );
const [a, b] = Object.values(res);
console.log(
  `ratio (fd-writer / sonic-boom), MB/s by round: ${b.map((x, i) => (x.mbps / a[i].mbps).toFixed(2)).join(' ')}`,
);
