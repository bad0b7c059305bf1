import { describe, expect, it } from 'vitest';
import { expectSequence, readRecords, runFixture, tempFile } from './helpers.js';

const N = 100_000;

describe('nothing is lost when the process ends', () => {
  it('writes every record when the program returns normally', async () => {
    const file = tempFile('return.log');
    const r = await runFixture('exit-scenarios.mjs', ['return', file, String(N)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(expectSequence(readRecords(file), N)).toBeUndefined();
  });

  it('writes every record on process.exit(n) and keeps the exit code', async () => {
    const file = tempFile('exit.log');
    const r = await runFixture('exit-scenarios.mjs', ['exit', file, String(N)]);
    expect(r.code).toBe(3);
    expect(expectSequence(readRecords(file), N)).toBeUndefined();
  });

  it('writes a record logged inside a process exit handler', async () => {
    const file = tempFile('exit-handler.log');
    const r = await runFixture('exit-scenarios.mjs', ['exit-handler', file, String(N)]);
    expect(r.code).toBe(0);
    const records = readRecords(file);
    expect(expectSequence(records, N + 1)).toBeUndefined();
    expect(records.at(-1)!.msg).toBe('logged inside an exit handler');
  });

  it('logs an uncaught exception at fatal and exits with code 1 as Node does', async () => {
    const file = tempFile('uncaught.log');
    const r = await runFixture('exit-scenarios.mjs', ['uncaught', file, String(N)]);
    expect(r.code).toBe(1);
    // Node still prints the error itself.
    expect(r.stderr).toContain('boom from a timer');
    const records = readRecords(file);
    expect(expectSequence(records, N)).toBeUndefined();
    const fatal = records.at(-1)!;
    expect(fatal.level).toBe(60);
    expect(fatal.msg).toBe('uncaught exception');
    expect((fatal.err as { message: string; stack: string }).message).toBe('boom from a timer');
    expect((fatal.err as { stack: string }).stack).toContain('exit-scenarios.mjs');
  });

  it('logs an unhandled rejection at fatal and exits with code 1 as Node does', async () => {
    const file = tempFile('unhandled.log');
    const r = await runFixture('exit-scenarios.mjs', ['unhandled', file, String(N)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('rejected and never handled');
    const records = readRecords(file);
    expect(expectSequence(records, N)).toBeUndefined();
    expect(records.at(-1)).toMatchObject({
      level: 60,
      msg: 'unhandled rejection',
      err: { type: 'Error', message: 'rejected and never handled' },
    });
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`flushes on ${signal} with handleSignals, then ends by that signal`, async () => {
      const file = tempFile(`${signal}.log`);
      const r = await runFixture(
        'exit-scenarios.mjs',
        [signal.toLowerCase(), file, String(N)],
        (child) => {
          child.stdout!.once('data', () => child.kill(signal));
        },
      );
      expect(r.signal).toBe(signal);
      expect(expectSequence(readRecords(file), N)).toBeUndefined();
    });
  }

  it('fatal() has flushed every earlier record before it returns, even if SIGKILL follows', async () => {
    const file = tempFile('fatal.log');
    const r = await runFixture('exit-scenarios.mjs', ['fatal', file, String(N)]);
    expect(r.signal).toBe('SIGKILL');
    const records = readRecords(file);
    expect(expectSequence(records, N)).toBeUndefined();
    expect(records.at(-1)).toMatchObject({
      level: 60,
      i: N,
      msg: 'fatal flushes before returning',
    });
  });
});
