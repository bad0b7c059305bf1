/**
 * Readers that go away or stop reading: stderr piped into `head -c 100` (EPIPE once head has
 * its bytes), a FIFO with no reader at all, and a FIFO whose reader never reads. The app exits
 * about as fast as it does with nobody in the way, and the records it could not write are
 * counted, never waited for.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, parseLines, runFaults, start, tempDir } from './fault-helpers.js';
import { fixture } from './helpers.js';

afterEach(cleanUp);

const N = 20_000;

/** The app's wall time, with stderr going where `redirect` says (a shell redirection). */
async function timeApp(redirect: string, metrics: string): Promise<number> {
  const cmd = `exec "${process.execPath}" "${fixture('faults.mjs')}" stderr ${N} "${metrics}" ${redirect}`;
  const { ended } = start('sh', ['-c', cmd]);
  const r = await ended;
  expect(r.code).toBe(0);
  return r.ms;
}

interface Metrics {
  enqueued: number;
  written: number;
  dropped: { total: number };
  destinations: Array<{
    name: string;
    written: number;
    dropped: number;
    errors: number;
    buffered: number;
  }>;
}

describe('a reader that goes away (EPIPE)', () => {
  it('stderr piped into head -c 100: the app exits about as fast as unpiped, and counts what it dropped', async () => {
    const dir = tempDir();
    const unpiped: number[] = [];
    const piped: number[] = [];
    // Alternate, and compare the best of each: one slow run on a shared machine says nothing.
    for (let round = 0; round < 2; round++) {
      unpiped.push(await timeApp('2>/dev/null', join(dir, `u${round}.json`)));
      piped.push(
        await timeApp('2>&1 >/dev/null | head -c 100 >/dev/null', join(dir, `p${round}.json`)),
      );
    }
    const ratio = Math.min(...piped) / Math.min(...unpiped);
    // Before: about 10 s against 0.7 s (sonic-boom retried EPIPE for flushTimeoutMs). A
    // generous bound: within 2× of unpiped, plus a second for a loaded machine.
    expect(Math.min(...piped)).toBeLessThan(2 * Math.min(...unpiped) + 1000);
    expect(ratio).toBeLessThan(3);

    const m = JSON.parse(readFileSync(join(dir, 'p1.json'), 'utf8')) as Metrics;
    const d = m.destinations[0]!;
    expect(d.name).toBe('stderr');
    expect(m.enqueued).toBe(N);
    expect(d.dropped).toBeGreaterThan(0);
    expect(d.errors).toBeGreaterThanOrEqual(1);
    expect(d.written + d.dropped + d.buffered).toBe(N);
  });
});

describe('a reader slower than the logs', () => {
  it('pauses the ring instead of dropping: every record arrives once, and flush() resolves', async () => {
    const dir = tempDir();
    const out = join(dir, 'out.ndjson');
    const metrics = join(dir, 'm.json');
    // ~10 MB through a reader that takes 64 KiB every 30 ms: more than the writer's 4 MiB, so
    // the ring is paused (with a flush waiting on it) while the reader keeps reading.
    const reader = `const fs=require('fs');const o=fs.openSync(process.argv[1],'w');const b=Buffer.alloc(65536);const t=setInterval(()=>{let n;try{n=fs.readSync(0,b)}catch(e){if(e.code==='EAGAIN')return;throw e}if(n===0){clearInterval(t);return}fs.writeSync(o,b,0,n)},30)`;
    const cmd = `"${process.execPath}" "${fixture('faults.mjs')}" slowpipe 60000 "${metrics}" | "${process.execPath}" -e "${reader.replace(/"/g, '\\"')}" "${out}"`;
    const { ended } = start('sh', ['-c', cmd]);
    const r = await ended;
    expect(r.code).toBe(0);
    const m = JSON.parse(readFileSync(metrics, 'utf8')) as {
      mid: { error: string | null };
      end: { error: string | null };
      metrics: Metrics;
    };
    expect(m.mid.error).toBeNull();
    expect(m.end.error).toBeNull();
    const d = m.metrics.destinations[0]!;
    expect(d.dropped).toBe(0);
    expect(m.metrics.dropped.total).toBe(0);
    expect(d.written).toBe(60_000);
    const lines = parseLines(readFileSync(out, 'utf8'));
    expect(lines.dup).toEqual([]);
    expect(lines.records.map((x) => x.i)).toEqual(Array.from({ length: 60_000 }, (_, k) => k));
  });
});

describe('a FIFO', () => {
  it('with no reader: reported naming the path and errno, records go to stderr, the app ends at once', async () => {
    const dir = tempDir();
    const fifo = join(dir, 'no-reader.fifo');
    execFileSync('mkfifo', [fifo]);
    const { ended } = runFaults(['fifo', fifo, '200', join(dir, 'm.json')]);
    const r = await ended;
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`file:${fifo}: could not be created: ENXIO`);
    expect(r.stderr).toContain('[RINGLOG_DESTINATION_UNAVAILABLE]');
    const onStderr = parseLines(
      r.stderr
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => `${l}\n`)
        .join(''),
    );
    expect(onStderr.records.map((x) => x.i)).toEqual(Array.from({ length: 200 }, (_, k) => k));
    const out = JSON.parse(r.stdout) as { flush: { ms: number; error: string | null } };
    expect(out.flush.error).toBeNull();
  });

  it('whose reader never reads: writes would block; the app is not held, and every line that got through is whole', async () => {
    const dir = tempDir();
    const fifo = join(dir, 'stuck.fifo');
    execFileSync('mkfifo', [fifo]);
    // A reader that opens the FIFO and then never reads (until the app has ended).
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const n = 50_000; // ~7 MB: far more than the pipe (64 KiB) and the 4 MiB held
      const { ended } = runFaults(['fifo', fifo, String(n), join(dir, 'm.json')]);
      const r = await ended;
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as { flush: { ms: number; error: string | null } };
      // flushTimeoutMs is 1000 in the fixture: the flush is bounded by it, never stuck.
      expect(out.flush.ms).toBeLessThan(1500);
      // Exit: bounded by the flush bound and the 1 s "stuck reader" rule, not by the reader.
      expect(r.ms).toBeLessThan(15_000);
      expect(r.stderr).toMatch(
        /stuck\.fifo: its buffer of \d+ bytes is full.*\[RINGLOG_DESTINATION_BACKLOG\]/,
      );
      const m = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8')) as Metrics;
      const d = m.destinations[0]!;
      expect(d.dropped).toBeGreaterThan(0);
      expect(d.written + d.dropped + d.buffered + m.dropped.total).toBe(n);
      // What the pipe holds is whole lines, each record once.
      const chunks: Buffer[] = [];
      const buf = Buffer.alloc(65536);
      for (;;) {
        let got = 0;
        try {
          got = readSync(reader, buf);
        } catch {
          break; // EAGAIN: empty
        }
        if (got === 0) break;
        chunks.push(Buffer.from(buf.subarray(0, got)));
      }
      const text = Buffer.concat(chunks).toString('utf8');
      const lines = parseLines(text);
      expect(lines.dup).toEqual([]);
      expect(lines.records.length).toBeGreaterThan(0);
      expect(lines.records.length).toBe(d.written);
    } finally {
      closeSync(reader);
    }
  });
});
