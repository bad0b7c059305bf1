import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fixture, waitFor } from './helpers.js';
import { exactlyOnce, idsOf, lines, makeDestination } from './http-receiver.js';

// A self-signed certificate for 127.0.0.1 (test/fixtures/tls, valid for 100 years).
const cert = readFileSync(fixture('tls/cert.pem'), 'utf8');
const key = readFileSync(fixture('tls/key.pem'), 'utf8');

let stderr: string[] = [];
beforeEach(() => {
  stderr = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    stderr.push(String(s));
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

describe('https', () => {
  it('verifies the certificate by default, and trusts a CA given in tls.ca', async () => {
    const bodies: Buffer[] = [];
    const server = createServer({ cert, key }, (req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => {
        bodies.push(Buffer.concat(parts));
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;

    const untrusted = makeDestination({ url, compression: 'none', flushTimeoutMs: 300 });
    untrusted.write(lines(0, 10));
    await waitFor(() => untrusted.stats().errors > 0);
    expect(stderr.join('')).toMatch(/self-signed|SELF_SIGNED/i);
    expect(bodies.length).toBe(0);
    await untrusted.close();

    const trusted = makeDestination({ url, compression: 'none', tls: { ca: cert } });
    trusted.write(lines(0, 10));
    await trusted.flush();
    expect(exactlyOnce(idsOf(bodies), 10)).toBeUndefined();
    await trusted.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
});
