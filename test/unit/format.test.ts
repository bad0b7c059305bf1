import { describe, expect, it } from 'vitest';
import { formatMessage } from '../../src/logger/format.js';
import { DEFAULT_LIMITS } from '../../src/logger/serialize.js';

function format(template: string, ...args: unknown[]): string {
  return formatMessage(template, args, 0, DEFAULT_LIMITS);
}

describe('formatMessage', () => {
  it('returns a template without "%" unchanged, as the same string', () => {
    const template = 'user logged in';
    expect(formatMessage(template, ['unused'], 0, DEFAULT_LIMITS)).toBe(template);
  });

  it('returns the template unchanged when there are no args, "%%" included (as pino)', () => {
    expect(format('100%% sure %s')).toBe('100%% sure %s');
  });

  it('starts at the given arg and ignores the ones before it', () => {
    expect(formatMessage('%s-%s', ['skipped', 'a', 'b'], 1, DEFAULT_LIMITS)).toBe('a-b');
  });

  it('reads args from an arguments object', () => {
    function log(..._: unknown[]): string {
      // The logger hands formatMessage its own `arguments`, not an array.
      return formatMessage('%s=%d', arguments, 1, DEFAULT_LIMITS);
    }
    expect(log('template', 'n', 3)).toBe('n=3');
  });

  describe('%s', () => {
    it('writes a string as it is, without quotes', () => {
      expect(format('hello %s!', 'world "x"')).toBe('hello world "x"!');
    });

    it('writes numbers, booleans, null, undefined, BigInts and Symbols through String()', () => {
      expect(format('%s %s %s %s %s %s %s', 1.5, -0, true, null, undefined, 10n, Symbol('s'))).toBe(
        '1.5 0 true null undefined 10 Symbol(s)',
      );
    });

    it('writes objects and arrays as JSON', () => {
      expect(format('got %s and %s', { a: 1, b: [2] }, ['x'])).toBe(
        'got {"a":1,"b":[2]} and ["x"]',
      );
    });

    it('writes an Error as "Type: message", not its whole JSON', () => {
      expect(format('failed: %s', new TypeError('boom'))).toBe('failed: TypeError: boom');
    });

    it('writes a function as its name', () => {
      expect(format('%s', function handler() {})).toBe('[Function: handler]');
    });
  });

  describe('%d', () => {
    it('writes integers and floats as Number() does', () => {
      expect(format('%d %d %d %d', 42, 12.5, '7', '3.25')).toBe('42 12.5 7 3.25');
    });

    it('writes a BigInt as its digits, without losing precision', () => {
      expect(format('%d', 12345678901234567890n)).toBe('12345678901234567890');
    });

    it('writes NaN for what is not a number', () => {
      expect(format('%d %d %d', 'abc', {}, Symbol('s'))).toBe('NaN NaN NaN');
    });

    it('writes a Date as its epoch milliseconds', () => {
      expect(format('%d', new Date(1_700_000_000_000))).toBe('1700000000000');
    });
  });

  describe('%i', () => {
    it('writes the integer part as parseInt does', () => {
      expect(format('%i %i %i %i', 42.9, '17px', -3.7, 'x')).toBe('42 17 -3 NaN');
    });

    it('writes a BigInt as its digits', () => {
      expect(format('%i', -99n)).toBe('-99');
    });
  });

  describe('%f', () => {
    it('writes the number as parseFloat does', () => {
      expect(format('%f %f %f', '3.14abc', 2, 'x')).toBe('3.14 2 NaN');
    });
  });

  describe('%j, %o and %O', () => {
    it('write any value as JSON, strings with quotes', () => {
      expect(format('%j %o %O', { a: 1 }, [1, 'two'], 'str')).toBe('{"a":1} [1,"two"] "str"');
    });

    it('write circular objects with "[Circular]"', () => {
      const obj: Record<string, unknown> = { id: 1 };
      obj.self = obj;
      const expected = '{"id":1,"self":"[Circular]"}';
      expect(format('%j|%o|%O', obj, obj, obj)).toBe(`${expected}|${expected}|${expected}`);
    });

    it('write BigInts, undefined and functions safely', () => {
      expect(format('%j %j %j', 5n, undefined, () => 1)).toBe('"5" null "[Function: anonymous]"');
    });

    it('respect the serialize limits', () => {
      const limits = { ...DEFAULT_LIMITS, maxBreadth: 2 };
      expect(formatMessage('%j', [[1, 2, 3, 4]], 0, limits)).toBe('[1,2,"…2 more items"]');
    });
  });

  describe('placeholders and args', () => {
    it('writes "%%" as "%" without using an arg', () => {
      expect(format('%d%% done, %s', 50, 'ok')).toBe('50% done, ok');
      expect(format('%%s', 'x')).toBe('%s');
    });

    it('leaves a placeholder with no arg left as it is', () => {
      expect(format('%s and %s and %d', 'one')).toBe('one and %s and %d');
    });

    it('ignores args beyond the placeholders', () => {
      expect(format('only %s', 'this', 'not', 'these')).toBe('only this');
      expect(format('no placeholder: %', 'ignored')).toBe('no placeholder: %');
    });

    it('leaves unknown placeholders as they are without using an arg', () => {
      expect(format('%x %c %s', 'a')).toBe('%x %c a');
    });

    it('leaves a "%" at the very end as it is', () => {
      expect(format('%s is 100%', 'it')).toBe('it is 100%');
    });

    it('keeps text between and around placeholders', () => {
      expect(format('[%s] (%d) {%j}', 'a', 1, null)).toBe('[a] (1) {null}');
    });
  });

  describe('never throws', () => {
    const hostile = {
      valueOf(): never {
        throw new Error('valueOf blew up');
      },
      toString(): never {
        throw new Error('toString blew up');
      },
    };

    it('writes a marker when converting the arg throws', () => {
      expect(format('%d', hostile)).toBe('[Unformattable %d: valueOf blew up]');
      expect(format('%i|%f', hostile, hostile)).toBe(
        '[Unformattable %i: toString blew up]|[Unformattable %f: toString blew up]',
      );
    });

    it('writes %s and %j of such an object as its JSON', () => {
      expect(format('%s %j', hostile, hostile)).toBe('{} {}');
    });

    it('writes a marker for an object whose toJSON throws', () => {
      const bad = {
        toJSON(): never {
          throw new Error('nope');
        },
      };
      expect(format('%s', bad)).toBe('"[toJSON threw: nope]"');
    });

    it('writes a marker for an Error whose toString throws', () => {
      const err = new Error('x');
      err.toString = () => {
        throw new Error('toString of error');
      };
      expect(format('%s', err)).toBe('[Unformattable %s: toString of error]');
    });
  });
});
