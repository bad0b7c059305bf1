import { describe, expect, it } from 'vitest';
import { resolveDestinations } from '../../src/config/options.js';
import { compileLevels } from '../../src/logger/levels.js';

const table = compileLevels({ notice: 35 }, 'test');

describe('pretty and pino-transport options', () => {
  it('resolve with their defaults', () => {
    expect(resolveDestinations(table, { type: 'pretty' })).toEqual([
      {
        kind: 'pretty',
        name: 'pretty:stdout',
        extraStats: [],
        fd: 1,
        colorize: undefined,
        labels: table.labels,
        messageKey: 'msg',
        minLevel: 0,
      },
    ]);
    expect(
      resolveDestinations(table, {
        type: 'pretty',
        destination: 'stderr',
        colorize: true,
        level: 'notice',
      })[0],
    ).toMatchObject({ fd: 2, colorize: true, minLevel: 35 });
    expect(
      resolveDestinations(table, {
        type: 'pino-transport',
        target: 'pino-pretty',
        options: { a: 1 },
      }),
    ).toEqual([
      {
        kind: 'pino-transport',
        name: 'pino-transport:pino-pretty',
        extraStats: [],
        target: 'pino-pretty',
        options: { a: 1 },
        maxBufferBytes: 1 << 20,
        minLevel: 0,
        pinoConfig: {
          levels: { labels: table.labels, values: table.values },
          messageKey: 'msg',
          errorKey: 'err',
        },
      },
    ]);
  });

  it('anchor a relative transport path to the working directory', () => {
    const [spec] = resolveDestinations(table, { type: 'pino-transport', target: './t.js' });
    expect(spec).toMatchObject({ target: `${process.cwd()}/t.js` });
  });

  it('say which option is wrong, what it must be and what came in', () => {
    expect(() => resolveDestinations(table, { type: 'pretty', destination: 'tty' })).toThrow(
      'createLogger: "destination.destination" must be "stdout", "stderr" or a file descriptor, got "tty"',
    );
    expect(() => resolveDestinations(table, [{ type: 'pretty', colorize: 'yes' }])).toThrow(
      'createLogger: "destination[0].colorize" must be true or false, got "yes"',
    );
    expect(() => resolveDestinations(table, { type: 'pino-transport' })).toThrow(
      'createLogger: "destination.target" must be a package name, a path or a file: URL, got undefined',
    );
    expect(() =>
      resolveDestinations(table, { type: 'pino-transport', target: 'x', maxBufferBytes: 10 }),
    ).toThrow('createLogger: "destination.maxBufferBytes" must be an integer >= 1024, got 10');
  });
});
