import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { fixture, runFixture } from './helpers.js';

const ESC = '\x1b';

function textLines(stdout: string): string[] {
  return stdout.split(/\r?\n/).filter((l) => l !== '');
}

describe('the pretty destination', () => {
  it('writes time, level, name, message, fields, and the stack below, without colour on a pipe', async () => {
    const r = await runFixture('pretty-run.mjs', [], undefined, {
      NO_COLOR: '',
      FORCE_COLOR: undefined,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(ESC);
    const lines = textLines(r.stdout);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}\[svc\] hello userId=42$/);
    expect(lines[1]).toMatch(/ NOTICE \[svc\] custom level$/);
    expect(lines[3]).toMatch(/ ERROR \[svc\] it failed$/);
    expect(lines[4]).toBe('    err: Error: kaboom\\x1b]0;title\\x07');
    expect(lines[5]).toMatch(/^ {8}at .*pretty-run\.mjs/);
    expect(lines.some((l) => l === '    caused by: Error: root cause')).toBe(true);
  });

  it('neutralises control characters and escape sequences from user data', async () => {
    const r = await runFixture('pretty-run.mjs', [], undefined, { FORCE_COLOR: '0' });
    const lines = textLines(r.stdout);
    // The forged record stays inside the warn line, visibly escaped.
    expect(lines[2]).toMatch(
      / WARN {2}\[svc\] line one\\n12:00:00\.000 INFO {2}forged\\r\\x1b\[31mred\\u202egnp\.exe k\\x1b\[2Jey="v\\x9b31m"$/,
    );
    expect(lines.filter((l) => l.includes('forged'))).toHaveLength(1);
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
  });

  it('colours under FORCE_COLOR, even on a pipe', async () => {
    const r = await runFixture('pretty-run.mjs', [], undefined, { FORCE_COLOR: '1' });
    expect(r.stdout).toContain(`${ESC}[32mINFO ${ESC}[0m`);
    expect(r.stdout).toContain(`${ESC}[31mERROR${ESC}[0m`);
  });

  it('does not colour under NO_COLOR', async () => {
    const r = await runFixture('pretty-run.mjs', [], undefined, { NO_COLOR: '1' });
    expect(textLines(r.stdout)).toHaveLength(textLines(r.stdout).length);
    expect(r.stdout).not.toContain(ESC);
    expect(r.stdout).toMatch(/INFO {2}\[svc\] hello/);
  });

  it('colours on a terminal, and the colorize option overrides it', () => {
    // util-linux script(1) gives the child a pseudo-terminal as stdout.
    const env = { ...process.env, NO_COLOR: '', FORCE_COLOR: '' };
    delete env.NO_COLOR;
    delete env.FORCE_COLOR;
    const run = (args: string) =>
      spawnSync(
        'script',
        ['-qec', `${process.execPath} ${fixture('pretty-run.mjs')} ${args}`, '/dev/null'],
        {
          env,
          encoding: 'utf8',
        },
      );
    const tty = run('');
    expect(tty.status).toBe(0);
    expect(tty.stdout).toContain(`${ESC}[32mINFO ${ESC}[0m`);
    const off = run(`'{"colorize":false}'`);
    expect(off.stdout).toMatch(/INFO {2}\[svc\] hello/);
    expect(off.stdout).not.toContain(ESC);
  });
});
