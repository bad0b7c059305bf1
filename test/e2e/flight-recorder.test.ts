import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, type Logger } from '../../src/index.js';
import { readRecords, tempFile } from './helpers.js';

const open: Logger[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

// The recorder itself is tested with capture mode (test/unit/flight-recorder.test.ts); this is
// the sink's part: dumped records travel with the error that dumped them.
describe('flight recorder in the sink', () => {
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
    expect(readRecords(errors).map((l) => l.msg)).toEqual(['context', 'boom']);
    expect(readRecords(all).map((l) => l.msg)).toEqual(['not an error', 'context', 'boom']);
  });
});
