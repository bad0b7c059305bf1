import { describe, expect, it } from 'vitest';
import { runFixture } from './helpers.js';

describe('presets in a real process', () => {
  it('development: pretty text on stdout, debug included, no colours under NO_COLOR', async () => {
    const r = await runFixture('preset-run.mjs', ['development'], undefined, { NO_COLOR: '1' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('hello preset');
    expect(r.stdout).toContain('a debug record');
    expect(r.stdout).not.toContain('{"level"');
    expect(r.stdout).not.toContain('\x1b[');
  });

  it('production: JSON, info and above, to stdout when LOG_DESTINATION says so', async () => {
    const r = await runFixture('preset-run.mjs', ['production'], undefined, {
      LOG_DESTINATION: 'stdout',
    });
    expect(r.code).toBe(0);
    const lines = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 30, a: 1, msg: 'hello preset' });
  });

  it('LOG_FORMAT=json turns development into JSON; LOG_LEVEL=warn leaves nothing', async () => {
    const json = await runFixture('preset-run.mjs', ['development'], undefined, {
      LOG_FORMAT: 'json',
    });
    expect(
      json.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).msg),
    ).toEqual(['hello preset', 'a debug record']);
    const quiet = await runFixture('preset-run.mjs', ['production'], undefined, {
      LOG_DESTINATION: 'stdout',
      LOG_LEVEL: 'warn',
    });
    expect(quiet.stdout).toBe('');
  });

  it('a bad variable stops start-up with its name, value and what is allowed', async () => {
    const r = await runFixture('preset-run.mjs', ['production'], undefined, { LOG_LEVEL: 'loud' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('RINGLOG_INVALID_ENV');
    expect(r.stderr).toContain('LOG_LEVEL="loud" is not allowed; use one of trace, debug');
  });
});
