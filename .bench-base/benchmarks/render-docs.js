// Rewrites docs/benchmarks.md's generated sections and docs/benchmarks.svg from the raw
// figures of an earlier run, without measuring anything: for a change to how the report is
// written, so that the documented figures stay those of the run that produced them.
//
//   node benchmarks/render-docs.js benchmarks/results/<date>-<commit>.json
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeReport } from './lib/report.js';

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write('usage: node benchmarks/render-docs.js <results.json>\n');
  process.exit(2);
}
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const written = writeReport(JSON.parse(readFileSync(file, 'utf8')), root);
process.stdout.write(`wrote ${written.map((p) => relative(root, p)).join(', ')}\n`);
