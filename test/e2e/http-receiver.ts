import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, vi } from 'vitest';
import { HttpDestination } from '../../workers/destinations/http/http.js';
import {
  type HttpDestinationOptions,
  resolveHttpDestination,
} from '../../workers/destinations/http/options.js';

export interface Received {
  n: number;
  headers: IncomingMessage['headers'];
  url: string;
  /** The body as sent, gunzipped when it was compressed. */
  body: Buffer;
  wireBytes: number;
}

/** What the test answers to a request: status, headers, body; or 'reset' to cut the
 * connection, or 'hang' to never answer. */
export type Answer =
  | { status: number; headers?: Record<string, string>; body?: string; delayMs?: number }
  | 'reset'
  | 'hang';

export interface Receiver {
  url: string;
  port: number;
  requests: Received[];
  connections: number;
  maxConcurrent: number;
  close(): Promise<void>;
}

export async function startReceiver(
  answer: (r: Received) => Answer = () => ({ status: 200 }),
  port = 0,
): Promise<Receiver> {
  const requests: Received[] = [];
  let concurrent = 0;
  const state = { connections: 0, maxConcurrent: 0 };
  const hanging: ServerResponse[] = [];
  const server: Server = createServer((req, res) => {
    concurrent++;
    state.maxConcurrent = Math.max(state.maxConcurrent, concurrent);
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      const raw = Buffer.concat(parts);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
      const r: Received = {
        n: requests.length,
        headers: req.headers,
        url: req.url ?? '',
        body,
        wireBytes: raw.length,
      };
      requests.push(r);
      const a = answer(r);
      if (a === 'reset') {
        concurrent--;
        req.socket.destroy();
        return;
      }
      if (a === 'hang') {
        hanging.push(res);
        res.on('close', () => concurrent--);
        return;
      }
      const reply = () => {
        concurrent--;
        res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
        res.end(a.body ?? '');
      };
      if (a.delayMs !== undefined) setTimeout(reply, a.delayMs);
      else reply();
    });
  });
  server.on('connection', () => state.connections++);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const p = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${p}/ingest`,
    port: p,
    requests,
    get connections() {
      return state.connections;
    },
    get maxConcurrent() {
      return state.maxConcurrent;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const h of hanging) h.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (connections are refused). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Fast timings for tests; each test overrides what it checks. */
export function makeDestination(options: Omit<HttpDestinationOptions, 'type'>): HttpDestination {
  const spec = resolveHttpDestination(
    {
      type: 'http',
      batchIntervalMs: 20,
      retry: { baseDelayMs: 5, maxDelayMs: 50 },
      breaker: { failures: 1000, cooldownMs: 50 },
      ...options,
    },
    'destination',
    0,
  );
  return new HttpDestination(spec);
}

export function lines(from: number, count: number, extra = ''): Buffer {
  let s = '';
  for (let i = from; i < from + count; i++) {
    s += `{"level":30,"time":${1_700_000_000_000 + i},"id":${i}${extra},"msg":"record ${i}"}\n`;
  }
  return Buffer.from(s);
}

/** Ids of the records in the bodies of requests that `accepted` says were taken. */
export function idsOf(bodies: Buffer[]): number[] {
  const ids: number[] = [];
  for (const b of bodies) {
    for (const line of b.toString('utf8').split('\n')) {
      if (line === '') continue;
      ids.push((JSON.parse(line) as { id: number }).id);
    }
  }
  return ids;
}

/** Asserts that ids are exactly 0..count-1, each once. */
export function exactlyOnce(ids: number[], count: number): string | undefined {
  if (ids.length !== count) return `${ids.length} records, expected ${count}`;
  const seen = new Uint8Array(count);
  for (const id of ids) {
    if (id < 0 || id >= count) return `unexpected id ${id}`;
    if (seen[id]! > 0) return `id ${id} twice`;
    seen[id] = 1;
  }
  return undefined;
}

/**
 * For a test file: stderr writes captured (returned array, emptied before each test) and the
 * receivers it starts closed after each test.
 */
export function useReceiversAndStderr(): {
  stderr: () => string[];
  receiver: (...args: Parameters<typeof startReceiver>) => Promise<Receiver>;
} {
  let lines: string[] = [];
  let started: Receiver[] = [];
  beforeEach(() => {
    lines = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
      lines.push(String(s));
      return true;
    });
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const r of started) await r.close();
    started = [];
  });
  return {
    stderr: () => lines,
    receiver: async (...args) => {
      const r = await startReceiver(...args);
      started.push(r);
      return r;
    },
  };
}
