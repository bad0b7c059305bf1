import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/index.js';
import { tempFile } from '../e2e/helpers.js';

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
    const after = log.metrics().destinations.map((d) => d.name);
    expect(after.slice(0, 4)).toEqual(before.slice(0, 4));
    // The module that does not exist stands aside under the same name, marked.
    expect(after[4]).toMatch(/^module:.*missing-module\.mjs/);
    await log.close();
  });
});

describe("destinations that read the message follow the logger's messageKey", () => {
  it('unless they are given their own', async () => {
    const { resolveOptions } = await import('../../src/config/options.js');
    const { quoteString, serializeFields } = await import('../../src/logger/serialize.js');
    const opts = resolveOptions(
      {
        messageKey: 'message',
        destination: [
          { type: 'syslog', host: '127.0.0.1', port: 514 },
          { type: 'http', url: 'http://127.0.0.1:9/v1/logs', encoding: 'otlp' },
          { type: 'syslog', host: '127.0.0.1', port: 514, messageKey: 'text' },
        ],
      },
      serializeFields,
      (s) => quoteString(s),
    );
    expect(opts.destinations.map((d) => (d as { messageKey: string }).messageKey)).toEqual([
      'message',
      'message',
      'text',
    ]);
  });
});
