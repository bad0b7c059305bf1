// A loopback NDJSON receiver for benchmarks/shipping.js, in a child process of its own so
// that it does not share the logging process's CPU time. Counts requests, bytes on the wire
// and in the body, and every record's id (a bitmap: duplicates and missing ids are found).
// IPC: sends { port } once listening; answers 'stats' with the counters, 'reset' clears them,
// 'light' / 'full' switch the counting of ids off and on.
import { createServer } from 'node:http';
import { gunzipSync } from 'node:zlib';

const MAX_IDS = Number(process.argv[2] ?? 1_000_000);
let seen = new Uint8Array(MAX_IDS);
// In light mode only requests and bytes are counted: the per-call comparison should not
// pay for a receiver parsing every record on the same two cores.
let light = false;
let c = { requests: 0, records: 0, wireBytes: 0, bodyBytes: 0, duplicates: 0, unknown: 0 };

const ID = /"id":(\d+)/g;
const server = createServer((req, res) => {
  const parts = [];
  let wire = 0;
  req.on('data', (d) => {
    parts.push(d);
    // Headers are counted too: request line and header block, as they went on the wire.
    wire += d.length;
  });
  req.on('end', () => {
    let headerBytes = `${req.method} ${req.url} HTTP/1.1\r\n`.length + 2;
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      headerBytes += req.rawHeaders[i].length + req.rawHeaders[i + 1].length + 4;
    }
    const raw = Buffer.concat(parts);
    const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
    c.requests++;
    c.wireBytes += wire + headerBytes;
    c.bodyBytes += body.length;
    if (light) {
      res.writeHead(200, { 'content-length': '0' });
      res.end();
      return;
    }
    const text = body.toString('latin1');
    for (const m of text.matchAll(ID)) {
      const id = Number(m[1]);
      c.records++;
      if (id >= MAX_IDS) c.unknown++;
      else if (seen[id]++ > 0) c.duplicates++;
    }
    res.writeHead(200, { 'content-length': '0' });
    res.end();
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => {
  if (m === 'stats') {
    let missing = 0;
    for (let i = 0; i < MAX_IDS; i++) if (seen[i] === 0) missing++;
    process.send({ stats: { ...c, missing } });
  } else if (m === 'reset') {
    seen = new Uint8Array(MAX_IDS);
    c = { requests: 0, records: 0, wireBytes: 0, bodyBytes: 0, duplicates: 0, unknown: 0 };
    process.send({ reset: true });
  } else if (m === 'light' || m === 'full') {
    light = m === 'light';
    process.send({ mode: m });
  } else if (m === 'exit') {
    process.exit(0);
  }
});
