import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileLevels } from '../../src/logger/levels.js';
import {
  formatPrettyLine,
  neutralize,
  shouldColorize,
} from '../../workers/destinations/pretty/format.js';

const DEFAULT_LEVELS = compileLevels(undefined, 'test');

const plain = { colorize: false, labels: DEFAULT_LEVELS.labels, messageKey: 'msg' };
const colored = { ...plain, colorize: true };
// Anything a terminal may act on: C0 (newline included), DEL, C1, separators, bidi controls.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('pretty lines', () => {
  it('shows time, level, name, message and fields on one line', () => {
    const t = new Date(2024, 0, 2, 3, 4, 5, 6).getTime();
    const line = JSON.stringify({
      level: 30,
      time: t,
      pid: 1,
      hostname: 'h',
      name: 'api',
      a: 1,
      s: 'two words',
      o: { x: [1] },
      msg: 'done',
    });
    expect(formatPrettyLine(line, plain)).toBe(
      '03:04:05.006 INFO  [api] done a=1 s="two words" o={"x":[1]}\n',
    );
  });

  it('writes each error stack on the lines below, its cause too', () => {
    const line = JSON.stringify({
      level: 50,
      err: {
        type: 'Error',
        message: 'x',
        stack: 'Error: x\n    at f (a.js:1:1)',
        cause: { stack: 'Error: y\n    at g (b.js:2:2)' },
      },
      msg: 'failed',
    });
    expect(formatPrettyLine(line, plain)).toBe(
      'ERROR failed\n    err: Error: x\n        at f (a.js:1:1)\n    caused by: Error: y\n        at g (b.js:2:2)\n',
    );
  });

  it('names custom levels from the table and unknown ones by number', () => {
    const labels = { ...DEFAULT_LEVELS.labels, 35: 'notice' };
    expect(formatPrettyLine('{"level":35,"msg":"m"}', { ...plain, labels })).toBe('NOTICE m\n');
    expect(formatPrettyLine('{"level":77,"msg":"m"}', plain)).toBe('LEVEL77 m\n');
  });

  it('colours the level when asked, and only then', () => {
    expect(formatPrettyLine('{"level":50,"msg":"m"}', colored)).toBe('\x1b[31mERROR\x1b[0m m\n');
    expect(formatPrettyLine('{"level":50,"msg":"m"}', plain)).not.toContain('\x1b');
  });

  it('shows a line that is not a JSON object as it is, neutralised', () => {
    expect(formatPrettyLine('not json \x1b[2J', plain)).toBe('UNPARSED not json \\x1b[2J\n');
    expect(formatPrettyLine('[1,2]', plain)).toBe('UNPARSED [1,2]\n');
  });

  it('neutralises hostile strings: no forged line, no escape sequence, no bidi override', () => {
    const line = JSON.stringify({
      level: 30,
      'k\x1b[2J\ney': 'v\u009b31m\r',
      nested: { 'a\u2028': 'b\u202e' },
      msg: 'one\n12:00:00.000 INFO  forged\x1b]0;title\x07\u2066',
      err: { stack: 'Error: e\x1b[1A\n    at \u0085x' },
    });
    const out = formatPrettyLine(line, plain);
    expect(out).toBe(
      'INFO  one\\n12:00:00.000 INFO  forged\\x1b]0;title\\x07\\u2066 k\\x1b[2J\\ney="v\\x9b31m\\r" nested={"a\\u2028":"b\\u202e"}\n' +
        '    err: Error: e\\x1b[1A\n        at \\x85x\n',
    );
  });

  it('never lets an unsafe character through, whatever the record holds (property)', () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    fc.assert(
      fc.property(
        text,
        text,
        text,
        fc.array(fc.tuple(text, text), { maxLength: 4 }),
        (msg, k, v, stack) => {
          const rec: Record<string, unknown> = {
            level: 30,
            time: 1,
            msg,
            [k]: v,
            deep: { [v]: [k] },
          };
          rec.err = { stack: stack.map(([a, b]) => `${a}\n${b}`).join('\n') };
          for (const c of [plain, colored]) {
            const out = formatPrettyLine(JSON.stringify(rec), c);
            // Our own line breaks are the only newlines: the first line, then the stack's lines,
            // each indented, so no user text can start a line of its own.
            const lines = out.slice(0, -1).split('\n');
            expect(lines.slice(1).every((l) => l.startsWith('    '))).toBe(true);
            const visible = c.colorize
              ? lines.join('').replace(/\x1b\[[0-9;]*m/g, '')
              : lines.join('');
            expect(UNSAFE.test(visible)).toBe(false);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('escapes named controls readably', () => {
    expect(neutralize('a\tb\u0000c')).toBe('a\\tb\\x00c');
    expect(neutralize('safe')).toBe('safe');
  });
});

describe('whether to colour', () => {
  it('follows the option first', () => {
    expect(shouldColorize(false, { FORCE_COLOR: '1' }, true)).toBe(false);
    expect(shouldColorize(true, { NO_COLOR: '1' }, false)).toBe(true);
  });
  it('then FORCE_COLOR, as Node does (over NO_COLOR)', () => {
    expect(shouldColorize(undefined, { FORCE_COLOR: '1', NO_COLOR: '1' }, false)).toBe(true);
    expect(shouldColorize(undefined, { FORCE_COLOR: '' }, false)).toBe(true);
    expect(shouldColorize(undefined, { FORCE_COLOR: '0' }, true)).toBe(false);
  });
  it('then NO_COLOR (when not empty), then whether the fd is a TTY', () => {
    expect(shouldColorize(undefined, { NO_COLOR: '1' }, true)).toBe(false);
    expect(shouldColorize(undefined, { NO_COLOR: '' }, true)).toBe(true);
    expect(shouldColorize(undefined, {}, true)).toBe(true);
    expect(shouldColorize(undefined, {}, false)).toBe(false);
  });
});
