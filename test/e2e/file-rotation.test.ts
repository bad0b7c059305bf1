import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { runFixture } from './helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) {
    rmSync(d, { recursive: true, force: true });
    rmSync(`${d}.moved`, { recursive: true, force: true });
  }
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ringlog-rot-'));
  dirs.push(d);
  return d;
}

/** Every record of every log file in `dir` (gzip decompressed): ids in file order per file. */
function readAll(dir: string): Map<string, number[]> {
  const files = new Map<string, number[]>();
  for (const name of readdirSync(dir).sort()) {
    if (name.includes('.current')) continue;
    const raw = readFileSync(join(dir, name));
    const text = (name.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
    if (text.length > 0) expect(text.endsWith('\n'), name).toBe(true);
    const ids = text
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => (JSON.parse(l) as { i: number }).i);
    files.set(name, ids);
  }
  return files;
}

/** Each of 0..n-1 exactly once across the files. */
function expectEachOnce(files: Map<string, number[]>, n: number): void {
  const count = new Uint8Array(n);
  let total = 0;
  for (const ids of files.values()) {
    for (const i of ids) {
      total++;
      if (i >= 0 && i < n) count[i]!++;
    }
  }
  expect(total).toBe(n);
  const wrong = count.findIndex((c) => c !== 1);
  expect(wrong, `record ${wrong} appears ${count[wrong]} times`).toBe(-1);
}

const N = 200_000;

describe('file destinations, end to end', () => {
  it('rotates 200k records by size with gzip: every record exactly once', async () => {
    const dir = tempDir();
    const r = await runFixture('file-rotation.mjs', ['size-gzip', dir, String(N)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const files = readAll(dir);
    const gz = [...files.keys()].filter((f) => f.endsWith('.gz'));
    expect(gz.length).toBeGreaterThan(20);
    for (const f of files.keys()) {
      expect(f === 'app.log' || /^app\.\d{4}-\d{2}-\d{2}\.\d+\.log\.gz$/.test(f), f).toBe(true);
    }
    expectEachOnce(files, N);
    expect(readlinkSync(join(dir, 'app.current.log'))).toBe('app.log');
  });

  it('reopen() after the file was renamed: old records there, later ones in the new file', async () => {
    const dir = tempDir();
    const r = await runFixture('file-rotation.mjs', ['reopen', dir, String(N)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const files = readAll(dir);
    expect([...files.keys()]).toEqual(['app.log', 'app.log.1']);
    expectEachOnce(files, N);
    // reopen() resolved before the second half was logged: nothing of it in the old file.
    expect(files.get('app.log.1')).toEqual(Array.from({ length: N / 2 }, (_, k) => k));
  });

  it('SIGHUP reopens the file and does not end a process with a file destination', async () => {
    const dir = tempDir();
    const r = await runFixture('file-rotation.mjs', ['sighup', dir, String(N)]);
    expect(r.stderr).toBe('');
    expect(r.signal).toBe(null);
    expect(r.code).toBe(0);
    const files = readAll(dir);
    expectEachOnce(files, N);
    expect(files.get('app.log.1')!.length).toBeGreaterThanOrEqual(N / 2);
    expect(files.get('app.log')!.length).toBeGreaterThan(0);
  });

  it('leaves SIGHUP to end a process whose logger has no file destination', async () => {
    const dir = tempDir();
    const r = await runFixture('file-rotation.mjs', ['sighup-no-file', dir, '0']);
    expect(r.signal).toBe('SIGHUP');
    expect(r.stdout).toContain('before the signal');
    expect(r.stdout).not.toContain('still alive');
  });

  it('gives SIGHUP back to Node once the last logger with a file is closed', async () => {
    const dir = tempDir();
    const r = await runFixture('file-rotation.mjs', ['sighup-after-close', dir, '0']);
    expect(r.signal).toBe('SIGHUP');
    expect(r.stdout).not.toContain('still alive');
    expect(readAll(dir).get('app.log')).toEqual([0]);
  });

  it('leaves SIGHUP alone with reopenOnSignal: false', async () => {
    const dir = tempDir();
    const r = await runFixture('file-rotation.mjs', ['sighup-disabled', dir, '0']);
    expect(r.signal).toBe('SIGHUP');
  });

  it('reopen() rejects with RINGLOG_REOPEN_FAILED and the old file keeps the records', async () => {
    const dir = tempDir();
    const r = await runFixture('file-rotation.mjs', ['reopen-fails', dir, '0']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { rejected: boolean; code: string; message: string };
    expect(out).toMatchObject({ rejected: true, code: 'RINGLOG_REOPEN_FAILED' });
    expect(out.message).toMatch(/could not reopen file:.*app\.log; still writing/);
    expect(r.stderr).toMatch(
      /file:.*app\.log: could not reopen.*ENOENT.*\[RINGLOG_REOPEN_FAILED\]/,
    );
    expect(readAll(`${dir}.moved`).get('app.log')).toEqual([0, 1]);
  });
});
