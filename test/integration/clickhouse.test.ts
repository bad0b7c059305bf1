/**
 * A real ClickHouse server (Debian's clickhouse-server, installed by .ci/run) started by the
 * test on loopback ports with its own config and data in a temp dir, receiving the ndjson
 * encoding through `INSERT ... FORMAT JSONEachRow` over its HTTP interface.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/index.js';
import { waitFor } from '../e2e/helpers.js';

const BINARY = ['/usr/bin/clickhouse-server', '/usr/sbin/clickhouse-server'].find(existsSync);

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

class ClickHouse {
  private child: ChildProcess | undefined;
  httpPort = 0;
  tcpPort = 0;
  readonly dir = mkdtempSync(join(tmpdir(), 'ringlog-clickhouse-'));

  async configure(): Promise<void> {
    this.httpPort = await freePort();
    this.tcpPort = await freePort();
    const d = this.dir;
    for (const sub of ['data', 'tmp', 'user_files']) mkdirSync(join(d, sub), { recursive: true });
    writeFileSync(
      join(d, 'config.xml'),
      `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${d}/server.log</log><errorlog>${d}/server.err.log</errorlog><size>10M</size><count>1</count></logger>
  <http_port>${this.httpPort}</http_port>
  <tcp_port>${this.tcpPort}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <max_connections>64</max_connections>
  <keep_alive_timeout>10</keep_alive_timeout>
  <max_concurrent_queries>16</max_concurrent_queries>
  <uncompressed_cache_size>16777216</uncompressed_cache_size>
  <mark_cache_size>16777216</mark_cache_size>
  <path>${d}/data/</path>
  <tmp_path>${d}/tmp/</tmp_path>
  <user_files_path>${d}/user_files/</user_files_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mlock_executable>false</mlock_executable>
</yandex>
`,
    );
    writeFileSync(
      join(d, 'users.xml'),
      `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>1000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`,
    );
  }

  async start(): Promise<void> {
    this.child = spawn(BINARY!, [`--config-file=${join(this.dir, 'config.xml')}`], {
      cwd: this.dir,
      stdio: 'ignore',
    });
    const up = async (): Promise<boolean> => {
      try {
        return (await this.query('SELECT 1')).trim() === '1';
      } catch {
        return false; // not up yet
      }
    };
    await waitFor(up, 60_000, `ClickHouse to start (see ${this.dir})`);
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (c === undefined || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await exited;
    this.child = undefined;
  }

  async query(sql: string): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${this.httpPort}/`, { method: 'POST', body: sql });
    const text = await res.text();
    if (!res.ok) throw new Error(`ClickHouse ${res.status}: ${text}`);
    return text;
  }

  insertUrl(table: string): string {
    const q = encodeURIComponent(`INSERT INTO ${table} FORMAT JSONEachRow`);
    return `http://127.0.0.1:${this.httpPort}/?query=${q}&input_format_skip_unknown_fields=1`;
  }
}

const ch = new ClickHouse();

async function counts(
  table: string,
): Promise<{ rows: number; ids: number; min: number; max: number }> {
  const [rows, ids, min, max] = (
    await ch.query(`SELECT count(), uniqExact(id), min(id), max(id) FROM ${table}`)
  )
    .trim()
    .split('\t')
    .map(Number);
  return { rows: rows!, ids: ids!, min: min!, max: max! };
}

/** Waits until `table` holds n distinct ids, or timeoutMs, whichever comes first: the caller
 * then compares the counts, which says more than a timeout would. */
async function waitForRows(table: string, n: number, timeoutMs: number): Promise<void> {
  await waitFor(
    async () => (await counts(table)).ids >= n,
    timeoutMs,
    `${n} ids in ${table}`,
  ).catch(() => {});
}

const createTable = (name: string) =>
  ch.query(
    `CREATE TABLE ${name} (level UInt8, time UInt64, id UInt32, msg String) ENGINE = MergeTree ORDER BY id`,
  );

beforeAll(async () => {
  if (BINARY === undefined)
    throw new Error('clickhouse-server is not installed (.ci/run installs it)');
  await ch.configure();
  await ch.start();
});

afterAll(async () => {
  await ch.stop();
  rmSync(ch.dir, { recursive: true, force: true });
});

describe('ClickHouse receives ndjson through INSERT ... FORMAT JSONEachRow', () => {
  it('100,000 records arrive exactly once', async () => {
    await createTable('logs_once');
    const log = createLogger({
      destination: { type: 'http', url: ch.insertUrl('logs_once'), flushTimeoutMs: 60_000 },
      blockTimeoutMs: 60_000,
    });
    for (let id = 0; id < 100_000; id++) log.info({ id }, 'record %d', id);
    await log.flush();
    await log.close();
    expect(await counts('logs_once')).toEqual({ rows: 100_000, ids: 100_000, min: 0, max: 99_999 });
  });

  it('spills to the spool while ClickHouse is stopped and replays it once it is back: none lost', async () => {
    await createTable('logs_outage');
    const spoolDir = mkdtempSync(join(tmpdir(), 'ringlog-ch-spool-'));
    const log = createLogger({
      destination: {
        type: 'http',
        url: ch.insertUrl('logs_outage'),
        batchRecords: 1000,
        flushTimeoutMs: 2000,
        retry: { baseDelayMs: 50, maxDelayMs: 500 },
        breaker: { failures: 3, cooldownMs: 500 },
        spool: { dir: spoolDir },
      },
      blockTimeoutMs: 60_000,
    });
    for (let id = 0; id < 50_000; id++) log.info({ id }, 'record %d', id);
    await log.flush();
    await ch.stop();
    for (let id = 50_000; id < 100_000; id++) {
      log.info({ id }, 'record %d', id);
      if (id % 10_000 === 0) await new Promise((r) => setTimeout(r, 50));
    }
    await log.flush();
    // The backend is down: what could not be sent is on disk now.
    expect(readdirSync(spoolDir).length).toBeGreaterThan(0);
    await ch.start();
    await waitForRows('logs_outage', 100_000, 60_000);
    await log.close();
    const c = await counts('logs_outage');
    console.info(`outage run: ${c.rows} rows for ${c.ids} distinct ids`);
    // None lost; delivery is at least once, so a batch cut off by the stop may be there twice.
    expect({ ids: c.ids, min: c.min, max: c.max }).toEqual({ ids: 100_000, min: 0, max: 99_999 });
    expect(c.rows - c.ids).toBeLessThanOrEqual(1000);
    expect(readdirSync(spoolDir)).toEqual([]);
  });
});
