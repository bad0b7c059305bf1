import { describe, expect, it } from 'vitest';
import { createLogger, ErrorCodes, type LoggerOptions } from '../../src/index.js';

/** A capturing logger: its lines stay in memory, no ring, no sink worker. */
function make(options: LoggerOptions) {
  const log = createLogger({ capture: true, base: null, timestamp: false, ...options });
  return { log, lines: () => log.capture!.records() };
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
