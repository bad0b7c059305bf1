import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FileRotationSpec } from '../../src/protocol/messages.js';
import {
  createFileDestination,
  type FileDestination,
} from '../../workers/destinations/file/file.js';

const dirs: string[] = [];
const open: FileDestination[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const d of open.splice(0)) await d.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ringlog-file-'));
  dirs.push(d);
  return d;
}

function rotation(r: Partial<FileRotationSpec>): FileRotationSpec {
  return { sizeBytes: null, interval: null, keep: null, compress: null, utc: false, ...r };
}

function make(
  path: string,
  r: FileRotationSpec | null,
  now?: () => number,
  symlink: string | null = null,
): FileDestination {
  const d = createFileDestination(
    {
      kind: 'file',
      path,
      name: `file:${path}`,
      extraStats: [],
      minLevel: 0,
      mkdir: true,
      append: true,
      rotation: r,
      symlink,
    },
    now,
  );
  open.push(d);
  return d;
}

/** One batch of records `from`..`to - 1`, as the sink hands it over. */
function batch(from: number, to: number, pad = ''): Buffer {
  let s = '';
  for (let i = from; i < to; i++) s += `{"level":30,"i":${i},"msg":"record ${i}${pad}"}\n`;
  return Buffer.from(s);
}

/** Every record id in every file of `dir` (gzip files decompressed), and the files' lines. */
function collect(dir: string): { ids: number[]; perFile: Map<string, number[]> } {
  const ids: number[] = [];
  const perFile = new Map<string, number[]>();
  for (const name of readdirSync(dir).sort()) {
    if (name.includes('.current')) continue;
    const raw = readFileSync(join(dir, name));
    const text = (name.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
    if (text.length > 0) expect(text.endsWith('\n')).toBe(true);
    const mine: number[] = [];
    for (const line of text.split('\n')) {
      if (line.length === 0) continue;
      const rec = JSON.parse(line) as { i: number };
      mine.push(rec.i);
      ids.push(rec.i);
    }
    perFile.set(name, mine);
  }
  return { ids, perFile };
}

function expectEachOnce(ids: number[], n: number): void {
  expect(ids.length).toBe(n);
  const sorted = [...ids].sort((a, b) => a - b);
  for (let i = 0; i < n; i++) if (sorted[i] !== i) expect(sorted[i]).toBe(i);
}

const DAY = 86_400_000;
const HOUR = 3_600_000;

describe('file destination: rotation by size', () => {
  it('puts every one of 100k records in exactly one file, none above the size', () => {
    const dir = tempDir();
    const path = join(dir, 'app.log');
    const size = 64 * 1024;
    const d = make(path, rotation({ sizeBytes: size }));
    const N = 100_000;
    // Batches of varying size, some larger than a whole file.
    let i = 0;
    let k = 0;
    while (i < N) {
      const to = Math.min(N, i + [1, 7, 300, 2500][k++ % 4]!);
      d.write(batch(i, to), to - i);
      i = to;
    }
    d.flush();
    const { ids, perFile } = collect(dir);
    expectEachOnce(ids, N);
    expect(perFile.size).toBeGreaterThan(50);
    for (const name of perFile.keys()) {
      expect(readFileSync(join(dir, name)).length).toBeLessThanOrEqual(size);
      expect(name === 'app.log' || /^app\.\d{4}-\d{2}-\d{2}\.\d+\.log$/.test(name)).toBe(true);
    }
    // Files in name order hold the records in order: rotation keeps call order.
    const ordered = [...perFile.entries()]
      .filter(([n]) => n !== 'app.log')
      .sort(([a], [b]) => Number(a.split('.')[2]) - Number(b.split('.')[2]))
      .flatMap(([, v]) => v)
      .concat(perFile.get('app.log')!);
    expect(ordered).toEqual(ids.slice().sort((a, b) => a - b));
    expect(d.stats()).toEqual({ written: N, dropped: 0, errors: 0, buffered: 0 });
  });

  it('writes a single record larger than the size alone in its file', () => {
    const dir = tempDir();
    const path = join(dir, 'big.log');
    const d = make(path, rotation({ sizeBytes: 100 }));
    d.write(batch(0, 1, 'x'.repeat(500)), 1);
    d.write(batch(1, 3), 2);
    d.flush();
    const { ids, perFile } = collect(dir);
    expectEachOnce(ids, 3);
    // The big one alone; the two small ones (90 bytes) share the next file.
    expect([...perFile.values()].map((v) => v.length).sort()).toEqual([1, 2]);
  });

  it('counts records when the caller does not pass them', () => {
    const dir = tempDir();
    const d = make(join(dir, 'c.log'), null);
    d.write(batch(0, 10));
    expect(d.stats().written).toBe(10);
  });
});

describe('file destination: rotation by time', () => {
  it('rotates daily at local midnight, naming each file by its day', () => {
    const dir = tempDir();
    const path = join(dir, 'app.log');
    let t = new Date(2026, 10, 28, 22, 0).getTime();
    const d = make(path, rotation({ interval: 'daily' }), () => t);
    let i = 0;
    // 3 days, a batch every 2 hours.
    for (let step = 0; step < 36; step++) {
      d.write(batch(i, i + 5), 5);
      i += 5;
      t += 2 * HOUR;
    }
    d.flush();
    const { ids, perFile } = collect(dir);
    expectEachOnce(ids, i);
    expect([...perFile.keys()]).toEqual([
      'app.2026-11-28.1.log',
      'app.2026-11-29.1.log',
      'app.2026-11-30.1.log',
      'app.log',
    ]);
    // The 28th holds one batch (22:00), each full day 12, the 1st (current) 00:00..20:00.
    expect(perFile.get('app.2026-11-28.1.log')).toHaveLength(5);
    expect(perFile.get('app.2026-11-29.1.log')).toHaveLength(60);
    expect(perFile.get('app.2026-11-30.1.log')).toHaveLength(60);
    expect(perFile.get('app.log')).toHaveLength(55);
  });

  it('rotates hourly on UTC hours with utc', () => {
    const dir = tempDir();
    const path = join(dir, 'h.log');
    let t = Date.UTC(2026, 10, 30, 23, 30);
    const d = make(path, rotation({ interval: 'hourly', utc: true }), () => t);
    for (let h = 0; h < 3; h++) {
      d.write(batch(h * 2, h * 2 + 2), 2);
      t += HOUR;
    }
    d.flush();
    const { ids, perFile } = collect(dir);
    expectEachOnce(ids, 6);
    expect([...perFile.keys()]).toEqual([
      'h.2026-11-30T23.1.log',
      'h.2026-12-01T00.1.log',
      'h.log',
    ]);
  });

  it('combines size and time: numbered files within one day', () => {
    const dir = tempDir();
    const path = join(dir, 'x.log');
    let t = Date.UTC(2026, 10, 30, 10);
    const d = make(path, rotation({ interval: 'daily', sizeBytes: 4096, utc: true }), () => t);
    d.write(batch(0, 200), 200);
    t += DAY;
    d.write(batch(200, 210), 10);
    d.flush();
    const { ids, perFile } = collect(dir);
    expectEachOnce(ids, 210);
    const names = [...perFile.keys()];
    expect(names).toContain('x.2026-11-30.1.log');
    expect(names).toContain('x.2026-11-30.2.log');
    expect(perFile.get('x.log')).toEqual(Array.from({ length: 10 }, (_, k) => 200 + k));
  });

  it('rotates a file left from an earlier day before the first record of today', async () => {
    const dir = tempDir();
    const path = join(dir, 'old.log');
    let t = Date.UTC(2026, 10, 29, 12);
    const first = make(path, null, () => t);
    first.write(batch(0, 3), 3);
    await first.close();
    open.length = 0;
    utimesSync(path, t / 1000, t / 1000);
    t += DAY;
    const d = make(path, rotation({ interval: 'daily', utc: true }), () => t);
    d.write(batch(3, 5), 2);
    d.flush();
    const { perFile } = collect(dir);
    expect(perFile.get('old.2026-11-29.1.log')).toEqual([0, 1, 2]);
    expect(perFile.get('old.log')).toEqual([3, 4]);
  });
});

describe('file destination: keep, gzip, symlink', () => {
  it('keeps the newest N rotated files', async () => {
    const dir = tempDir();
    const path = join(dir, 'k.log');
    const d = make(path, rotation({ sizeBytes: 2048, keep: 3 }));
    for (let i = 0; i < 400; i += 20) d.write(batch(i, i + 20), 20);
    await d.idle();
    const rotated = readdirSync(dir).filter((n) => n !== 'k.log');
    expect(rotated).toHaveLength(3);
    // The newest: their records are the ones right before the current file's.
    const { ids } = collect(dir);
    const current = collect(dir).perFile.get('k.log')!;
    expect(Math.max(...ids)).toBe(399);
    expect(current.at(-1)).toBe(399);
    const nums = rotated.map((n) => Number(n.split('.')[2])).sort((a, b) => a - b);
    expect(nums[2]! - nums[0]!).toBe(2);
  });

  it('gzips rotated files by streaming; they decompress to whole lines', async () => {
    const dir = tempDir();
    const path = join(dir, 'z.log');
    const d = make(path, rotation({ sizeBytes: 32 * 1024, compress: 'gzip' }));
    const N = 20_000;
    for (let i = 0; i < N; i += 500) d.write(batch(i, i + 500), 500);
    await d.idle();
    const names = readdirSync(dir);
    const gz = names.filter((n) => n.endsWith('.gz'));
    expect(gz.length).toBeGreaterThan(10);
    expect(names.filter((n) => n !== 'z.log' && !n.endsWith('.gz'))).toEqual([]);
    const { ids } = collect(dir);
    expectEachOnce(ids, N);
  });

  it('gzip and keep together delete what gzip has not reached yet without error', async () => {
    const dir = tempDir();
    const path = join(dir, 'gk.log');
    const d = make(path, rotation({ sizeBytes: 1024, compress: 'gzip', keep: 2 }));
    for (let i = 0; i < 2000; i += 10) d.write(batch(i, i + 10), 10);
    await d.idle();
    expect(readdirSync(dir).filter((n) => n.endsWith('.gz'))).toHaveLength(2);
    expect(d.stats().errors).toBe(0);
  });

  it('goes on writing while a rotated file is being compressed', async () => {
    const dir = tempDir();
    const path = join(dir, 'busy.log');
    const d = make(path, rotation({ sizeBytes: 16 << 20, compress: 'gzip' }));
    let i = 0;
    while (statSync(path).size < (16 << 20) - 100_000) {
      d.write(batch(i, i + 1000), 1000);
      i += 1000;
    }
    // This batch does not fit: the file rotates and its compression is queued.
    d.write(batch(i, i + 1000, 'y'.repeat(100)), 1000);
    i += 1000;
    expect(readdirSync(dir)).toHaveLength(2);
    let compressing = true;
    void d.idle().then(() => {
      compressing = false;
    });
    // Write as the sink does: a batch, then a turn of the event loop.
    let batchesDuringGzip = 0;
    while (compressing) {
      d.write(batch(i, i + 100), 100);
      i += 100;
      batchesDuringGzip++;
      await new Promise((r) => setImmediate(r));
    }
    await d.idle();
    // Compressing 16 MiB takes hundreds of such rounds (thousands here).
    expect(batchesDuringGzip).toBeGreaterThan(100);
    expect(readdirSync(dir).filter((n) => n.endsWith('.gz')).length).toBeGreaterThanOrEqual(1);
    expect(readdirSync(dir).filter((n) => n.endsWith('.log') && n !== 'busy.log')).toEqual([]);
    expectEachOnce(collect(dir).ids, i);
  });

  it('finishes compressions a previous process left undone', async () => {
    const dir = tempDir();
    const path = join(dir, 'app.log');
    writeFileSync(join(dir, 'app.2026-11-29.1.log'), batch(0, 10));
    writeFileSync(join(dir, 'app.2026-11-29.1.log.gz.tmp'), 'partial');
    writeFileSync(join(dir, 'app.2026-11-29.2.log'), batch(10, 20));
    writeFileSync(join(dir, 'app.2026-11-29.2.log.gz'), gzipSync(batch(10, 20)));
    const d = make(path, rotation({ sizeBytes: 1 << 20, compress: 'gzip' }));
    await d.idle();
    expect(readdirSync(dir).sort()).toEqual([
      'app.2026-11-29.1.log.gz',
      'app.2026-11-29.2.log.gz',
      'app.log',
    ]);
    expectEachOnce(collect(dir).ids, 20);
  });

  it('keeps a symlink pointing at the current file', () => {
    const dir = tempDir();
    const path = join(dir, 'app.log');
    const link = join(dir, 'app.current.log');
    const d = make(path, rotation({ sizeBytes: 1024 }), undefined, link);
    expect(readlinkSync(link)).toBe('app.log');
    for (let i = 0; i < 100; i += 10) d.write(batch(i, i + 10), 10);
    expect(realpathSync(link)).toBe(realpathSync(path));
    expect(readFileSync(link, 'utf8')).toBe(readFileSync(path, 'utf8'));
    // Removed by someone: put back at the next rotation or reopen.
    unlinkSync(link);
    expect(d.reopen()).toBe(true);
    expect(realpathSync(link)).toBe(realpathSync(path));
  });

  it('points a symlink in another directory with a relative target', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'links'));
    const path = join(dir, 'logs', 'a.log');
    const link = join(dir, 'links', 'latest');
    make(path, null, undefined, link);
    expect(readlinkSync(link)).toBe(join('..', 'logs', 'a.log'));
    expect(existsSync(link)).toBe(true);
  });
});

describe('file destination: reopen', () => {
  it('writes to a new file at the path after the old one was renamed', () => {
    const dir = tempDir();
    const path = join(dir, 'r.log');
    const d = make(path, null);
    d.write(batch(0, 100), 100);
    renameSync(path, `${path}.1`);
    d.write(batch(100, 150), 50); // still the renamed file: nothing lost before reopen
    expect(d.reopen()).toBe(true);
    d.write(batch(150, 200), 50);
    d.flush();
    const { ids, perFile } = collect(dir);
    expectEachOnce(ids, 200);
    expect(perFile.get('r.log.1')).toHaveLength(150);
    expect(perFile.get('r.log')).toHaveLength(50);
  });

  it('keeps writing to the old file and reports when reopen fails', () => {
    const dir = tempDir();
    const path = join(dir, 'sub', 'f.log');
    const d = createFileDestination({
      kind: 'file',
      path,
      name: `file:${path}`,
      extraStats: [],
      minLevel: 0,
      mkdir: true,
      append: true,
      rotation: null,
      symlink: null,
    });
    open.push(d);
    d.write(batch(0, 5), 5);
    // The directory is replaced by a file: the path cannot be opened any more.
    renameSync(join(dir, 'sub'), join(dir, 'moved'));
    writeFileSync(join(dir, 'sub'), '');
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(d.reopen()).toBe(false);
    expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toMatch(
      /file:.*f\.log: could not reopen.*\[RINGLOG_REOPEN_FAILED\]/,
    );
    d.write(batch(5, 8), 3);
    d.flush();
    expect(collect(join(dir, 'moved')).ids).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(d.stats()).toEqual({ written: 8, dropped: 0, errors: 1, buffered: 0 });
  });

  it('reports a rotation that fails and keeps every record', () => {
    const dir = tempDir();
    const path = join(dir, 'gone.log');
    const d = make(path, rotation({ sizeBytes: 200 }));
    d.write(batch(0, 2), 2);
    unlinkSync(path); // rename has nothing to rename
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    d.write(batch(2, 6), 4);
    expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toMatch(
      /could not rename the file to rotate it.*\[RINGLOG_ROTATE_FAILED\]/,
    );
    expect(d.stats().errors).toBe(1);
    expect(d.stats().written).toBe(6);
  });
});
