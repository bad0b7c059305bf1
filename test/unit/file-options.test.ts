import { describe, expect, it } from 'vitest';
import { resolveDestinations } from '../../src/config/options.js';
import { compileLevels } from '../../src/logger/levels.js';
import { ErrorCodes } from '../../src/protocol/errors.js';
import { parseByteSize, resolveReopenSignal } from '../../workers/destinations/file/options.js';

const table = compileLevels(undefined, 'test');
const resolveOne = (d: unknown) => resolveDestinations(table, d)[0]!;

function expectInvalid(d: unknown, message: RegExp): void {
  let caught: unknown;
  try {
    resolveOne(d);
  } catch (err) {
    caught = err;
  }
  expect(caught).toMatchObject({ code: ErrorCodes.INVALID_OPTION });
  expect((caught as Error).message).toMatch(message);
}

describe('file destination options', () => {
  it('parses sizes in bytes and binary units', () => {
    expect(parseByteSize(1000)).toBe(1000);
    expect(parseByteSize('100k')).toBe(100 * 1024);
    expect(parseByteSize('10m')).toBe(10 * 1024 * 1024);
    expect(parseByteSize('1g')).toBe(1024 ** 3);
    expect(parseByteSize('1.5M')).toBe(1.5 * 1024 * 1024);
    expect(parseByteSize('64kb')).toBe(64 * 1024);
    for (const bad of [0, -1, 1.5, '', 'ten', '10x', '0k', Number.NaN, null]) {
      expect(parseByteSize(bad)).toBeUndefined();
    }
  });

  it('resolves rotation, keep, compress, symlink and utc', () => {
    const spec = resolveOne({
      type: 'file',
      path: '/var/log/app.log',
      rotate: { size: '10m', interval: 'daily' },
      keep: 7,
      compress: 'gzip',
      symlink: true,
      utc: true,
    });
    expect(spec).toEqual({
      kind: 'file',
      path: '/var/log/app.log',
      name: 'file:/var/log/app.log',
      extraStats: [],
      minLevel: 0,
      mkdir: true,
      append: true,
      rotation: {
        sizeBytes: 10 * 1024 * 1024,
        interval: 'daily',
        keep: 7,
        compress: 'gzip',
        utc: true,
      },
      symlink: '/var/log/app.current.log',
    });
    expect(resolveOne({ type: 'file', path: '/l/a', rotate: 'hourly' })).toMatchObject({
      rotation: { sizeBytes: null, interval: 'hourly', keep: null, compress: null, utc: false },
      symlink: null,
    });
    expect(resolveOne('/l/plain.log')).toMatchObject({ rotation: null, symlink: null });
    expect(resolveOne({ type: 'file', path: '/l/a.log', symlink: '/l/b' })).toMatchObject({
      symlink: '/l/b',
    });
  });

  it('names the option, what it expects and what came in', () => {
    expectInvalid(
      { type: 'file', path: '/l/a', rotate: { size: '10 parsecs' } },
      /"destination\.rotate\.size" must be a positive integer of bytes or a string like "100k", "10m", "1g", got "10 parsecs"/,
    );
    expectInvalid(
      { type: 'file', path: '/l/a', rotate: 'weekly' },
      /"destination\.rotate" must be "daily" or "hourly", or an object of \{ size, interval \}, got "weekly"/,
    );
    expectInvalid(
      { type: 'file', path: '/l/a', rotate: { interval: 'monthly' } },
      /"destination\.rotate\.interval" must be "daily" or "hourly", got "monthly"/,
    );
    expectInvalid({ type: 'file', path: '/l/a', rotate: {} }, /"size" and\/or "interval"/);
    expectInvalid(
      { type: 'file', path: '/l/a', keep: 3 },
      /"destination\.rotate" must be set when "keep" is, got undefined/,
    );
    expectInvalid(
      { type: 'file', path: '/l/a', rotate: 'daily', keep: 0 },
      /"destination\.keep" must be an integer >= 1, got 0/,
    );
    expectInvalid(
      { type: 'file', path: '/l/a', rotate: 'daily', compress: 'zstd' },
      /"destination\.compress" must be "gzip" or false, got "zstd"/,
    );
    expectInvalid({ type: 'file', path: '/l/a', symlink: 1 }, /"destination\.symlink"/);
    expectInvalid({ type: 'file', path: '/l/a', symlink: '/l/a' }, /other than the file's own/);
    expectInvalid(
      { type: 'file', path: '/l/a', utc: 'yes' },
      /"destination\.utc" must be true or false/,
    );
    expectInvalid(
      { type: 'file', path: '/l/a', rotate: { size: '1m', intervl: 'daily' } },
      /"destination\.rotate\.intervl" is not an option of rotate \(got "daily"\); did you mean "interval"\?/,
    );
  });

  it('reopens on SIGHUP by default only when there is a file destination', () => {
    const file = [resolveOne('/l/a.log')];
    const fd = [resolveOne('stderr')];
    expect(resolveReopenSignal('createLogger', undefined, file)).toBe('SIGHUP');
    expect(resolveReopenSignal('createLogger', undefined, fd)).toBe(false);
    expect(resolveReopenSignal('createLogger', false, file)).toBe(false);
    expect(resolveReopenSignal('createLogger', 'SIGUSR2', file)).toBe('SIGUSR2');
    for (const bad of ['SIGKILL', 'HUP', 'SIGNOPE', 1, true]) {
      expect(() => resolveReopenSignal('createLogger', bad, file)).toThrow(
        /"reopenOnSignal" must be a signal name such as "SIGHUP", or false/,
      );
    }
  });
});
