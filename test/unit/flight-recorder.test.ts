import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, ErrorCodes, type Logger, type LoggerOptions } from '../../src/index.js';
import { tempFile } from '../e2e/helpers.js';

const open: Logger[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

const read = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

function make(options: LoggerOptions) {
  const file = tempFile('fr.log');
  const log = createLogger({ destination: file, base: null, timestamp: false, ...options });
  open.push(log);
  const lines = async () => {
    await log.flush();
    return read(file);
  };
  return { log, lines };
}

describe('flight recorder', () => {
  it('writes the last N records below the level, marked, just before an error', async () => {
    const { log, lines } = make({ level: 'info', flightRecorder: { level: 'debug', size: 3 } });
    log.trace('t1'); // below the recorder's own level: not kept
    for (let i = 1; i <= 5; i++) log.debug({ i }, `d${i}`);
    log.info('i1');
    log.error('e1');
    log.debug('d6');
    expect(await lines()).toEqual([
      { level: 30, msg: 'i1' },
      { level: 20, i: 3, msg: 'd3', flightRecorder: true },
      { level: 20, i: 4, msg: 'd4', flightRecorder: true },
      { level: 20, i: 5, msg: 'd5', flightRecorder: true },
      { level: 50, msg: 'e1' },
    ]);
    expect(log.metrics().flightRecorder).toEqual({ held: 1, dumped: 3, discarded: 2 });
  });

  it('routes the dumped records with the error, past a destination’s minimum level', async () => {
    const all = tempFile('all.log');
    const errors = tempFile('errors.log');
    const log = createLogger({
      base: null,
      timestamp: false,
      destination: [all, { type: 'file', path: errors, level: 'error' }],
      flightRecorder: true,
    });
    open.push(log);
    log.debug('context');
    log.warn('not an error');
    log.fatal('boom');
    await log.flush();
    expect(read(errors).map((l) => l.msg)).toEqual(['context', 'boom']);
    expect(read(all).map((l) => l.msg)).toEqual(['not an error', 'context', 'boom']);
  });

  it('is shared by children, emptied on demand, and idle when the level is lowered', async () => {
    const { log, lines } = make({ level: 'info', flightRecorder: true });
    const child = log.child({ c: 1 });
    child.debug('from child');
    log.flushFlightRecorder();
    log.level = 'debug';
    log.debug('logged normally');
    log.error('no dump: nothing held');
    expect(await lines()).toEqual([
      { level: 20, c: 1, msg: 'from child', flightRecorder: true },
      { level: 20, msg: 'logged normally' },
      { level: 50, msg: 'no dump: nothing held' },
    ]);
    expect(log.metrics().flightRecorder).toEqual({ held: 0, dumped: 1, discarded: 0 });
  });

  it('keeps records for loggers with hooks too', async () => {
    const { log, lines } = make({ flightRecorder: true, msgPrefix: '> ' });
    log.debug('kept');
    log.error('err');
    expect((await lines()).map((l) => l.msg)).toEqual(['> kept', '> err']);
  });

  it('leaves disabled levels as no-ops without it', () => {
    const { log } = make({ level: 'info' });
    const withRecorder = make({ level: 'info', flightRecorder: true }).log;
    expect(log.debug).toBe(log.trace); // the shared noop
    expect(withRecorder.debug).not.toBe(withRecorder.trace);
  });

  it('marks a kept record that is an empty object and keeps the line valid', async () => {
    const { log, lines } = make({ flightRecorder: true, formatters: { level: () => ({}) } });
    log.debug({});
    log.error('e');
    expect(await lines()).toEqual([{ flightRecorder: true }, { msg: 'e' }]);
  });

  it('rejects bad options with RINGLOG_INVALID_OPTION', () => {
    expect(() => createLogger({ flightRecorder: { size: 0 } })).toThrow(
      expect.objectContaining({ code: ErrorCodes.INVALID_OPTION }),
    );
    expect(() => createLogger({ flightRecorder: { level: 'loud' } })).toThrow(
      /flightRecorder\.level/,
    );
  });
});
