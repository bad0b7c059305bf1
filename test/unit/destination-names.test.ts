import { describe, expect, it } from 'vitest';

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
