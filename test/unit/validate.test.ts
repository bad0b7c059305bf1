/** The table form every options object is checked with (src/config/validate.ts). */
import { describe, expect, it } from 'vitest';
import {
  bool,
  checkTable,
  either,
  int,
  list,
  oneOf,
  record,
  str,
  table,
} from '../../src/config/validate.js';

const at = { where: 'test', name: 'opts' };
const message = (run: () => unknown): string => {
  try {
    run();
  } catch (err) {
    expect((err as { code?: string }).code).toBe('RINGLOG_INVALID_OPTION');
    return (err as Error).message;
  }
  throw new Error('nothing thrown');
};

const T = table('an option of the test', {
  n: int({ min: 0, max: 9, default: 3 }),
  need: str({ required: true }),
  flag: bool(),
  mode: oneOf(['a', 'b', 'c'], { default: 'a' }),
  tags: record(str({ empty: true, expected: 'a string' }), { default: {} }),
  list: list(int()),
  nested: either(oneOf(['x', 'y']), table('an option of nested', { k: int({ default: 1 }) })),
  inner: table('an option of inner', { depth: int({ default: 2 }) }),
});

describe('checkTable', () => {
  it('fills defaults, leaves optional keys undefined, resolves nested tables', () => {
    expect(checkTable(T, { need: 'x' }, at)).toEqual({
      n: 3,
      need: 'x',
      flag: undefined,
      mode: 'a',
      tags: {},
      list: undefined,
      nested: undefined,
      inner: { depth: 2 },
    });
    expect(checkTable(T, { need: 'x', nested: {} }, at).nested).toEqual({ k: 1 });
    expect(checkTable(T, { need: 'x', nested: 'y' }, at).nested).toBe('y');
  });

  it('gives every resolution its own copy of an object default', () => {
    const a = checkTable(T, { need: 'x' }, at);
    a.tags.mutated = 'yes';
    expect(checkTable(T, { need: 'x' }, at).tags).toEqual({});
  });

  it('says where, what was expected and what came in', () => {
    expect(message(() => checkTable(T, { need: 'x', n: 10 }, at))).toBe(
      'test: "opts.n" must be an integer in 0..9, got 10',
    );
    expect(message(() => checkTable(T, {}, at))).toBe(
      'test: "opts.need" must be a non-empty string, got undefined',
    );
    expect(message(() => checkTable(T, { need: 'x', mode: 'd' }, at))).toBe(
      'test: "opts.mode" must be one of a|b|c, got "d"',
    );
    expect(message(() => checkTable(T, { need: 'x', list: [1, 0] }, at))).toBe(
      'test: "opts.list[1]" must be an integer >= 1, got 0',
    );
    expect(message(() => checkTable(T, { need: 'x', tags: { a: 1 } }, at))).toBe(
      'test: "opts.tags.a" must be a string, got 1',
    );
    expect(message(() => checkTable(T, { need: 'x', nested: 5 }, at))).toBe(
      'test: "opts.nested" must be "x" or "y", or an object of { k }, got 5',
    );
    expect(message(() => checkTable(T, 'nope', at))).toBe(
      'test: "opts" must be an object of { n, need, flag, mode, tags, list, nested, inner }, got "nope"',
    );
  });

  it('refuses unknown keys at every depth, naming the nearest', () => {
    expect(message(() => checkTable(T, { need: 'x', flga: true }, at))).toBe(
      'test: "opts.flga" is not an option of the test (got true); did you mean "flag"?',
    );
    // An object that either() hands to a table keeps the table's own refusal.
    expect(message(() => checkTable(T, { need: 'x', nested: { K: 1 } }, at))).toBe(
      'test: "opts.nested.K" is not an option of nested (got 1); did you mean "k"?',
    );
    expect(message(() => checkTable(T, { need: 'x', inner: { dpeth: 1 } }, at))).toBe(
      'test: "opts.inner.dpeth" is not an option of inner (got 1); did you mean "depth"?',
    );
  });
});
