// Prometheus's own parser and linter (`promtool check metrics`, from Debian's prometheus
// package, unpacked by .ci/run) reading ringlog's exposition and prom-client's output of it:
// a strict Go parser of the text format, and the naming rules a Prometheus server expects.
import { spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, type Logger } from '../../src/index.js';
import { registerRinglogMetrics } from '../../src/metrics/prom-client.js';
import { prometheusText } from '../../src/metrics/prometheus.js';

// .ci/run unpacks it and says where in RINGLOG_PROMTOOL; else the usual places.
const PROMTOOL = [
  process.env.RINGLOG_PROMTOOL,
  '/opt/ringlog-ci/prometheus/usr/bin/promtool',
  '/usr/bin/promtool',
].find((p) => p !== undefined && existsSync(p));

const open: Logger[] = [];
const dirs: string[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
  for (const s of sockets.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function promtool(text: string): { status: number | null; output: string } {
  const r = spawnSync(PROMTOOL!, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('promtool check metrics', () => {
  it('is there (unpacked by .ci/run)', () => {
    expect(
      PROMTOOL,
      'promtool not found: run .ci/run, or apt-get install prometheus',
    ).toBeDefined();
  });

  it('finds nothing wrong, and refuses a broken exposition (it is a real check)', () => {
    expect(
      promtool('# HELP a_total x\n# TYPE a_total counter\na_total{l="a\nb"} 1\n').status,
    ).not.toBe(0);
    expect(promtool('# HELP a x\n# TYPE a counter\na 1\n').output).toMatch(/_total/);
  });

  it("accepts ringlog's exposition and prom-client's, escapes and optional families included", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ringlog-promtool-'));
    dirs.push(dir);
    const udp = createSocket('udp4');
    sockets.push(udp);
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const a = createLogger({
      name: 'we"ird\\logger\nname',
      destination: [
        join(dir, 'a "quoted" \\ path\n.log'),
        { type: 'syslog', protocol: 'udp', port: udp.address().port, maxDatagramBytes: 480 },
      ],
      flightRecorder: true,
      sampling: { rate: 0.5 },
    });
    const b = createLogger({
      destination: join(dir, 'b.log'),
      ringBytes: 16 * 1024,
      onFull: 'drop',
    });
    open.push(a, b);
    for (let i = 0; i < 500; i++) a.info({ i }, 'x'.repeat(600));
    for (let i = 0; i < 2000; i++) b.info({ i, pad: 'p'.repeat(400) }, 'fill');
    await Promise.all([a.flush(), b.flush()]);
    const text = prometheusText(a, b);
    expect(text).toContain('ringlog_destination_messages_truncated_total');
    expect(text).toContain('ringlog_flight_recorder_held_records');
    expect(text).toContain('logger="we\\"ird\\\\logger\\nname"');
    expect(promtool(text)).toEqual({ status: 0, output: '' });

    const register = new Registry();
    registerRinglogMetrics([a, b], register);
    expect(promtool(await register.metrics())).toEqual({ status: 0, output: '' });
  });
});
