import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/index.js';
import { tempFile, waitFor } from './helpers.js';

describe('destination names in metrics()', () => {
  it('are the same before the sink answers, after it, and for one that could not be created', async () => {
    const file = tempFile('names.log');
    const log = createLogger({
      destination: [
        file,
        'stderr',
        { type: 'syslog', host: '127.0.0.1', port: 9, protocol: 'udp', level: 'fatal' },
        { type: 'http', url: 'http://user:pw@127.0.0.1:9/ingest?token=x', level: 'fatal' },
        { type: 'module', module: tempFile('missing-module.mjs'), level: 'fatal' },
      ],
    });
    const before = log.metrics().destinations.map((d) => d.name);
    expect(before).toEqual([
      `file:${file}`,
      'stderr',
      'syslog:udp://127.0.0.1:9',
      'http:http://127.0.0.1:9/ingest',
      expect.stringMatching(/^module:.*missing-module\.mjs$/),
    ]);
    await log.flush();
    // By now the sink has answered with the names it uses: the same, for the module that
    // does not exist too (stderr is already a destination here, so nothing stands in for it
    // under a marked name; its records are dropped and counted).
    await waitFor(
      () => log.metrics().destinations[4]!.errors === 1,
      5_000,
      'the sink to report the missing module',
    );
    expect(log.metrics().destinations.map((d) => d.name)).toEqual(before);
    await log.close();
  });
});
