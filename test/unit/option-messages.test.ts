/**
 * No credentials in any message ringlog prints: option errors echo what came in, but a URL
 * without its userinfo, query and fragment, and a credential option by its type alone.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger/logger.js';
import {
  describeValue,
  ErrorCodes,
  invalidOption,
  redactUrlText,
} from '../../src/protocol/errors.js';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect((err as { code?: string }).code).toBe(ErrorCodes.INVALID_OPTION);
    return (err as Error).message;
  }
  throw new Error('did not throw');
}

describe('option errors print no credentials', () => {
  it('an HTTP destination with a non-http URL: scheme, host and path, no userinfo or query', () => {
    const message = messageOf(() =>
      createLogger({
        destination: {
          type: 'http',
          url: 'ftp://ingest:s3cretpw@logs.example/bulk?api_key=k3y#t=frag',
        },
      } as never),
    );
    expect(message).toMatch(
      /"destination\.url" must be an http: or https: URL, got "ftp:\/\/\[…\]@logs\.example\/bulk\?\[…\]"/,
    );
    expect(message).not.toMatch(/s3cretpw|k3y|ingest|frag/);
  });

  it('a file destination path that looks like a URL is echoed without its credentials', () => {
    expect(describeValue('https://u:p@h/x?token=t')).toBe('"https://[…]@h/x?[…]"');
    expect(describeValue('./logs/app.log')).toBe('"./logs/app.log"');
  });

  it('a credential option is described by its type, not echoed', () => {
    const err = invalidOption(
      'createLogger',
      'destination.headers.Authorization',
      'a string',
      12345678,
    );
    expect(err.message).toBe(
      'createLogger: "destination.headers.Authorization" must be a string, got a number (value not shown)',
    );
    expect(
      invalidOption('w', 'destination.headers.x-api-key', 'a string', 1).message,
    ).not.toContain(' 1');
    expect(invalidOption('w', 'flushTimeoutMs', 'a number', 'x').message).toContain('got "x"');
  });

  it.each([
    ['https://user:pw@host.example:8080/p/a?x=1#f', 'https://[…]@host.example:8080/p/a?[…]'],
    ['http://host.example/p?token=abc', 'http://host.example/p?[…]'],
    ['http://host.example/#access_token=abc', 'http://host.example/#[…]'],
    ['http://host.example', 'http://host.example'],
    ['postgres://app:pw@db/x', 'postgres://[…]@db/x'],
    ['/var/log/app.log', '/var/log/app.log'],
    ['not a url: user:pw@x', 'not a url: user:pw@x'],
  ])('redactUrlText(%s)', (input, output) => {
    expect(redactUrlText(input)).toBe(output);
  });
});
