// Consumer side of the ring benchmark: drains the ring as the sink does (sleeping on the
// doorbell when idle), counts records and bytes, and reports when `records` have arrived.
// No destination I/O: this measures the handoff between threads alone.
import { parentPort, workerData } from 'node:worker_threads';
import { RingReader, SinkAlarm } from '../../dist/internal/ring.js';

const { ring, control, records } = workerData;
// A pending Atomics.waitAsync does not keep a thread's event loop alive; a port listener does.
parentPort.on('message', () => {});
const reader = new RingReader(ring);
const alarm = new SinkAlarm(control);
let got = 0;
let bytes = 0;
for (;;) {
  let n = 0;
  while (reader.nextBatch()) {
    n += reader.records;
    bytes += reader.payload.length;
    // Touch the bytes as a destination write would (a copy out of shared memory).
    Buffer.from(reader.payload);
  }
  if (n > 0) {
    reader.release(n);
    got += n;
    if (got >= records) break;
    continue;
  }
  await alarm.sleep(() => reader.hasData());
}
parentPort.postMessage({ got, bytes });
parentPort.removeAllListeners('message');
