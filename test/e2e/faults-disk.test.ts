import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanUp,
  fillTmpfs,
  mountTmpfs,
  readLines,
  runFaults,
  tempDir,
  unmount,
} from './fault-helpers.js';

afterEach(cleanUp);

const N = 3000;

describe('a full disk', () => {
  it('stalls only its own destination, and loses, breaks or repeats nothing once space returns', async (ctx) => {
    const mount = mountTmpfs('1m');
    if ('reason' in mount) {
      ctx.skip(`ENOSPC test skipped: ${mount.reason}`);
      return;
    }
    try {
      const filler = fillTmpfs(mount.dir);
      const healthy = join(tempDir(), 'healthy.log');
      const { ended } = runFaults(['enospc', mount.dir, healthy, String(N), filler]);
      const r = await ended;
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as {
        flushA: { ms: number; error: string | null };
        flushSyncA: { ms: number; error: string | null };
        fatalA: { ms: number; error: string | null };
        flushB: { ms: number; error: string | null };
        whileFull: { written: number; buffered: number; errors: number };
        a: {
          enqueued: number;
          destinations: Array<{ written: number; dropped: number; buffered: number }>;
        };
        b: { enqueued: number; destinations: Array<{ written: number }> };
      };

      // The healthy logger: flush() short and complete, every record once, in order.
      expect(out.flushB.error).toBeNull();
      expect(out.flushB.ms).toBeLessThan(2000);
      const b = readLines(healthy);
      expect(b.dup).toEqual([]);
      expect(b.records.map((x) => x.i)).toEqual(Array.from({ length: N }, (_, k) => k));
      expect(out.b.destinations[0]!.written).toBe(N);

      // The full one: its flush does not wait on the disk either; it held what it could not write.
      expect(out.flushA.error).toBeNull();
      expect(out.flushA.ms).toBeLessThan(2000);
      expect(out.flushSyncA.error).toBeNull();
      expect(out.flushSyncA.ms).toBeLessThan(2000);
      expect(out.fatalA.error).toBeNull();
      expect(out.fatalA.ms).toBeLessThan(2000);
      expect(out.whileFull.written).toBeLessThan(N);
      expect(out.whileFull.buffered).toBeGreaterThan(0);
      expect(out.whileFull.errors).toBeGreaterThanOrEqual(1);
      expect(r.stderr).toMatch(/file:.*a\.log: write failed with ENOSPC.*\[RINGLOG_WRITE_FAILED\]/);
      expect(r.stderr).toMatch(/a\.log: writing again after \d+ ms.*\[RINGLOG_WRITE_RESUMED\]/);

      // Space returned: whole lines only, no record twice, counters that match the file.
      const a = readLines(join(mount.dir, 'a.log'));
      expect(a.dup).toEqual([]);
      const d = out.a.destinations[0]!;
      expect(out.a.enqueued).toBe(N + 101);
      expect(d.buffered).toBe(0);
      expect(d.written + d.dropped).toBe(out.a.enqueued);
      expect(a.records.length).toBe(d.written);
      // 4 MiB of holding room is far more than this run needs: nothing was dropped.
      expect(d.dropped).toBe(0);
      expect(a.records.map((x) => x.i)).toEqual(Array.from({ length: N + 101 }, (_, k) => k));
      expect(a.records[N]!.level).toBe(60);
    } finally {
      unmount(mount.dir);
    }
  });
});
