// A job in a worker thread: the worker has its own logger (and its own sink), and binds the
// job's id with withContext so that every record of the job carries it.
//   npm run build && node examples/worker-job.js     (JOBS=3 by default)
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { createLogger, withContext } from 'ringlog';

const log = createLogger({ name: 'worker-example', destination: 'stdout' });

if (isMainThread) {
  const jobs = Number(process.env.JOBS ?? 3);
  log.info({ jobs }, 'starting jobs');
  const results = await Promise.all(
    Array.from({ length: jobs }, (_, jobId) => {
      const worker = new Worker(new URL(import.meta.url), { workerData: { jobId } });
      return new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    }),
  );
  log.info({ results }, 'all jobs done');
  await log.flush();
} else {
  const { jobId } = workerData;
  await withContext({ jobId }, async () => {
    log.info('job started');
    let sum = 0;
    for (let step = 1; step <= 3; step++) {
      await new Promise((r) => setTimeout(r, 5));
      sum += step * (jobId + 1);
      log.debug({ step }, 'step done'); // below the level: not written
      log.info({ step, sum }, 'progress');
    }
    log.info({ sum }, 'job finished');
    await log.flush();
    parentPort.postMessage(sum);
  });
}
