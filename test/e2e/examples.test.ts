/**
 * Every example in examples/ starts with one command, serves (or runs its job), and writes
 * lines that parse and carry the fields the example is about. Each process is ended by its
 * pid when its test ends.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
});

type Rec = Record<string, unknown>;

/** Starts `node examples/<file>`; `records` holds every stdout line, each parsed. */
function start(file: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [`examples/${file}`], {
    cwd: root,
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const records: Rec[] = [];
  let stderr = '';
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop()!;
    // JSON.parse throws on a line that is not JSON: the test fails on it.
    for (const l of lines) records.push(JSON.parse(l) as Rec);
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const waitFor = async (pred: (r: Rec) => boolean, what: string): Promise<Rec> => {
    for (let i = 0; i < 600; i++) {
      const hit = records.find(pred);
      if (hit !== undefined) return hit;
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`${file}: no ${what} in ${JSON.stringify(records)}; stderr: ${stderr}`);
  };
  return { child, records, waitFor, stderr: () => stderr };
}

const portOf = (r: Rec) =>
  typeof r.port === 'number' ? r.port : Number(/:(\d+)$/.exec(String(r.msg))![1]);

describe('examples', () => {
  it('express.js: request records with the id, the user, and another logger in the request', async () => {
    const ex = start('express.js');
    const port = portOf(await ex.waitFor((r) => r.msg === 'listening', 'listening record'));
    const res = await fetch(`http://127.0.0.1:${port}/users/42`, {
      headers: { 'x-request-id': 'ex-1', 'x-user': 'ada' },
    });
    expect(await res.json()).toEqual({ id: '42', name: 'ada' });
    const done = await ex.waitFor((r) => r.msg === 'request completed', 'request record');
    expect(done).toMatchObject({
      name: 'express-example',
      reqId: 'ex-1',
      userId: 'ada',
      req: { method: 'GET', url: '/users/42' },
      res: { statusCode: 200 },
    });
    expect(ex.records.find((r) => r.msg === 'user loaded')).toMatchObject({
      module: 'db',
      reqId: 'ex-1',
      userId: 'ada',
    });
    await (await fetch(`http://127.0.0.1:${port}/fail`)).text();
    const failed = await ex.waitFor((r) => r.msg === 'request errored', 'error record');
    expect(failed).toMatchObject({
      level: 50,
      res: { statusCode: 500 },
      err: { message: 'something broke' },
    });
  });

  it('fastify.js: pino-shaped lines and the request id on another logger', async () => {
    const ex = start('fastify.js');
    const port = portOf(
      await ex.waitFor((r) => String(r.msg).startsWith('Server listening at'), 'listening record'),
    );
    expect(await (await fetch(`http://127.0.0.1:${port}/orders/7`)).json()).toEqual({
      id: '7',
      total: 42,
    });
    await ex.waitFor((r) => r.msg === 'request completed', 'request record');
    const billing = ex.records.find((r) => r.msg === 'invoice found')!;
    expect(billing).toMatchObject({ module: 'billing', reqId: 'req-1' });
    expect(ex.records.find((r) => r.msg === 'loading order')).toMatchObject({ reqId: 'req-1' });
  });

  it('node-http.js: wrap() gives req.log and an error record for a throwing handler', async () => {
    const ex = start('node-http.js');
    const port = portOf(await ex.waitFor((r) => r.msg === 'listening', 'listening record'));
    const ok = await fetch(`http://127.0.0.1:${port}/`);
    expect(await ok.text()).toBe('hello\n');
    const id = ok.headers.get('x-request-id');
    expect((await fetch(`http://127.0.0.1:${port}/boom`)).status).toBe(500);
    const recs = [
      await ex.waitFor((r) => r.msg === 'request completed', 'request record'),
      await ex.waitFor((r) => r.msg === 'request errored', 'error record'),
    ];
    expect(recs[0]).toMatchObject({ reqId: id, res: { statusCode: 200 } });
    expect(recs[1]).toMatchObject({ res: { statusCode: 500 }, err: { message: 'handler failed' } });
    expect(ex.records.find((r) => r.msg === 'handling')).toMatchObject({ reqId: id });
  });

  it("worker-job.js: each job's records carry its jobId; the run ends by itself", async () => {
    const ex = start('worker-job.js', { JOBS: '3' });
    const [code] = (await new Promise((r) => ex.child.once('exit', (...a) => r(a)))) as [number];
    expect(code, ex.stderr()).toBe(0);
    const finished = ex.records.filter((r) => r.msg === 'job finished');
    expect(finished.map((r) => r.jobId).sort()).toEqual([0, 1, 2]);
    for (const r of finished) expect(r.sum).toBe(6 * ((r.jobId as number) + 1));
    const progress = ex.records.filter((r) => r.msg === 'progress');
    expect(progress).toHaveLength(9);
    for (const r of progress) expect(r.jobId).toEqual(expect.any(Number));
    expect(ex.records.find((r) => r.msg === 'all jobs done')).toMatchObject({
      results: [1 * 6, 2 * 6, 3 * 6],
    });
  });

  it('otel-service.js: records in a span carry its trace_id and span_id', async () => {
    const ex = start('otel-service.js');
    const port = portOf(await ex.waitFor((r) => r.msg === 'listening', 'listening record'));
    expect(await (await fetch(`http://127.0.0.1:${port}/pay`)).text()).toBe('paid\n');
    const charging = await ex.waitFor((r) => r.msg === 'charging card', 'record in the span');
    const charged = await ex.waitFor((r) => r.msg === 'charged', 'record in the child span');
    expect(charging.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(charged.trace_id).toBe(charging.trace_id);
    expect(charged.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(charged.span_id).not.toBe(charging.span_id);
    expect(charging).toMatchObject({ trace_flags: '01', reqId: expect.any(String) });
    expect(ex.records.find((r) => r.msg === 'listening')).not.toHaveProperty('trace_id');
  });
});
