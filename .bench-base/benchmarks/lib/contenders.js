// The loggers under test, each built the way its documentation recommends for writing JSON
// lines to a file, and each with one way to say "everything I was given is on disk now".
import { once } from 'node:events';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const CONTENDERS = ['ringlog', 'pino-sync', 'pino-async', 'pino-transport', 'winston'];
export const PINO_MODES = ['pino-sync', 'pino-async', 'pino-transport'];

/** Loads a contender's module, so that a memory baseline can be taken before the logger. */
export async function preload(name) {
  if (name === 'ringlog') await import('../../dist/index.js');
  else require(name.startsWith('pino') ? 'pino' : 'winston');
}

/**
 * Builds contender `name` writing to `path` at level `level`.
 * Returns { logger, end } where end(expectedLines) resolves once every record is written and
 * the logger is shut down. `logger` has pino's call shapes for every contender except winston, whose
 * calls are adapted in scenarios.js.
 */
export async function createContender(name, path, level = 'info') {
  switch (name) {
    case 'ringlog': {
      const { createLogger } = await import('../../dist/index.js');
      const logger = createLogger({ level, destination: path });
      // flush() resolves once the sink worker is up and serving, as pino.transport's
      // 'ready' below: no contender's clock runs while its worker thread starts.
      await logger.flush();
      return { logger, end: () => logger.close() };
    }
    case 'pino-sync': {
      const pino = require('pino');
      const dest = pino.destination({ dest: path, sync: true, mkdir: true });
      const logger = pino({ level }, dest);
      return {
        logger,
        end: async () => {
          dest.flushSync();
          dest.end();
        },
      };
    }
    case 'pino-async': {
      const pino = require('pino');
      const dest = pino.destination({ dest: path, sync: false, minLength: 4096, mkdir: true });
      await once(dest, 'ready');
      const logger = pino({ level }, dest);
      return {
        logger,
        end: async () => {
          const closed = once(dest, 'close');
          dest.end();
          await closed;
        },
      };
    }
    case 'pino-transport': {
      const pino = require('pino');
      const transport = pino.transport({
        target: 'pino/file',
        options: { destination: path, mkdir: true },
      });
      await once(transport, 'ready');
      const logger = pino({ level }, transport);
      return {
        logger,
        end: async () => {
          // thread-stream emits 'finish' once its worker has ended (and no 'close').
          const finished = once(transport, 'finish');
          transport.end();
          await finished;
        },
      };
    }
    case 'winston': {
      const winston = require('winston');
      const file = new winston.transports.File({ filename: path });
      const logger = winston.createLogger({
        level,
        format: winston.format.combine(
          winston.format.errors({ stack: true }),
          winston.format.timestamp(),
          winston.format.json(),
        ),
        transports: [file],
      });
      return {
        logger,
        end: async (expectedLines = 0) => {
          // Ending winston while its File transport still has records queued behind
          // backpressure fails with "write after end": wait for the lines on disk first.
          await waitForLines(path, expectedLines);
          const finished = once(file, 'finish');
          logger.end();
          await finished;
        },
      };
    }
    default:
      throw new Error(`unknown contender ${name}; expected one of ${CONTENDERS.join(', ')}`);
  }
}

async function waitForLines(path, expected) {
  // Reads only what was appended since the last look: rereading a file of hundreds of MB
  // every 20 ms would take winston's own thread from it and bill it the CPU.
  const { openSync, readSync, closeSync, existsSync } = await import('node:fs');
  const deadline = Date.now() + 300_000;
  const buf = Buffer.allocUnsafe(1 << 20);
  let fd = -1;
  let offset = 0;
  let lines = 0;
  try {
    for (;;) {
      if (fd < 0 && existsSync(path)) fd = openSync(path, 'r');
      if (fd >= 0) {
        for (let n = readSync(fd, buf, 0, buf.length, offset); n > 0; ) {
          for (let i = buf.indexOf(10); i !== -1 && i < n; i = buf.indexOf(10, i + 1)) lines++;
          offset += n;
          n = readSync(fd, buf, 0, buf.length, offset);
        }
      }
      if (lines >= expected) return;
      if (Date.now() > deadline)
        throw new Error(`winston wrote ${lines} of ${expected} lines in 300 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}
