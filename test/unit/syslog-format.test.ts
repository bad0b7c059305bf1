import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileLevels } from '../../src/logger/levels.js';
import {
  createSyslogFormatter,
  escapeParamValue,
  fitDatagram,
  formatTimestamp,
  sanitizeParamName,
  truncateUtf8,
} from '../../workers/destinations/syslog/format.js';
import { resolveSyslogDestination } from '../../workers/destinations/syslog/options.js';
import { parseSyslog } from '../e2e/syslog-helpers.js';

const levels = compileLevels(undefined, 'test');
const spec = (o: Record<string, unknown> = {}) =>
  resolveSyslogDestination(levels, { type: 'syslog', ...o }, 'destination', 0);
const NOW = Date.UTC(2026, 10, 30, 12, 0, 0, 5);

describe('RFC 5424 message from an NDJSON line', () => {
  it('writes the header, the fields as STRUCTURED-DATA and the message', () => {
    const f = createSyslogFormatter(
      spec({ hostname: 'web-1', procid: 4242, facility: 'local3', msgid: 'REQ' }),
    );
    const line = JSON.stringify({
      level: 40,
      time: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
      pid: 1,
      hostname: 'x',
      name: 'api',
      userId: 42,
      ok: true,
      nested: { a: [1, 'b'] },
      msg: 'slow request',
    });
    const text = f(line, NOW);
    expect(text).toBe(
      '<156>1 2026-01-02T03:04:05.678Z web-1 api 4242 REQ [ringlog@32473 userId="42" ok="true" nested="{\\"a\\":[1,\\"b\\"\\]}"] slow request',
    );
    const m = parseSyslog(text);
    expect(m.facility).toBe(19);
    expect(m.severity).toBe(4);
    expect(m.sd.get('ringlog@32473')).toEqual([
      ['userId', '42'],
      ['ok', 'true'],
      ['nested', '{"a":[1,"b"]}'],
    ]);
  });

  it('maps levels to severities, custom levels by the nearest level below', () => {
    const custom = compileLevels({ audit: 35, notice2: 45, verbose: 5, emergency: 70 }, 'test');
    const s = resolveSyslogDestination(
      custom,
      { type: 'syslog', severity: { notice2: 'notice' } },
      'destination',
      0,
    );
    const f = createSyslogFormatter(s);
    const sev = (level: number) =>
      parseSyslog(f(JSON.stringify({ level, msg: 'x' }), NOW)).severity;
    expect([10, 20, 30, 40, 50, 60].map(sev)).toEqual([7, 7, 6, 4, 3, 2]);
    expect(sev(35)).toBe(6); // audit → info
    expect(sev(45)).toBe(5); // notice2, mapped explicitly
    expect(sev(48)).toBe(5);
    expect(sev(5)).toBe(7); // below trace → debug
    expect(sev(70)).toBe(2); // above fatal → crit
    const f2 = createSyslogFormatter(spec({ facility: 0 }));
    expect(parseSyslog(f2('{"level":50}', NOW)).pri).toBe(3);
  });

  it('escapes " \\ and ] in PARAM-VALUE and keeps unicode as UTF-8', () => {
    const f = createSyslogFormatter(spec());
    const v = 'a "quoted" \\ back] slash ü 😀 日本';
    const text = f(JSON.stringify({ level: 30, v, msg: 'm ] " \\' }), NOW);
    expect(text).toContain('v="a \\"quoted\\" \\\\ back\\] slash ü 😀 日本"');
    const m = parseSyslog(text);
    expect(m.sd.get('ringlog@32473')).toEqual([['v', v]]);
    expect(m.msg).toBe('m ] " \\');
  });

  it('sanitizes PARAM-NAMEs: disallowed characters become _, cut to 32, empty dropped', () => {
    expect(sanitizeParamName('a b=c]d"e')).toBe('a_b_c_d_e');
    expect(sanitizeParamName('ключ')).toBe('____');
    expect(sanitizeParamName('x'.repeat(40))).toBe('x'.repeat(32));
    const f = createSyslogFormatter(spec());
    const m = parseSyslog(f(JSON.stringify({ level: 30, '': 1, 'a b': 2, msg: 'm' }), NOW));
    expect(m.sd.get('ringlog@32473')).toEqual([['a_b', '2']]);
  });

  it('takes MSGID from a field, APP-NAME from the record name, and writes NILVALUEs', () => {
    const f = createSyslogFormatter(spec({ msgid: { field: 'event' }, hostname: 'h' }));
    const m = parseSyslog(
      f(JSON.stringify({ level: 30, event: 'user login', name: 'my app' }), NOW),
    );
    expect(m.msgid).toBe('user_login');
    expect(m.appName).toBe('my_app');
    expect(m.sd.get('ringlog@32473')).toEqual([['event', 'user login']]);
    expect(m.msg).toBeUndefined();
    const m2 = parseSyslog(f('{"level":30}', NOW));
    expect(m2.msgid).toBe('-');
    expect(m2.sd.size).toBe(0);
    expect(m2.timestamp).toBe('2026-11-30T12:00:00.005Z');
  });

  it('fields, structuredData: false, msgFormat json, messageKey', () => {
    const line = JSON.stringify({ level: 30, a: 1, b: 2, message: 'hi' });
    expect(parseSyslog(createSyslogFormatter(spec({ fields: ['b', 'zz'] }))(line, NOW)).sd).toEqual(
      new Map([['ringlog@32473', [['b', '2']]]]),
    );
    const m = parseSyslog(
      createSyslogFormatter(spec({ structuredData: false, messageKey: 'message' }))(line, NOW),
    );
    expect(m.sd.size).toBe(0);
    expect(m.msg).toBe('hi');
    const j = parseSyslog(
      createSyslogFormatter(spec({ msgFormat: 'json', sdId: 'x@1' }))(line, NOW),
    );
    expect(j.msg).toBe(line);
    expect([...j.sd.keys()]).toEqual(['x@1']);
  });

  it('a line that is not JSON goes out whole as MSG at info', () => {
    const m = parseSyslog(createSyslogFormatter(spec())('not json ]', NOW));
    expect(m.severity).toBe(6);
    expect(m.msg).toBe('not json ]');
  });

  it('TIMESTAMP: epoch ms, unix seconds, ISO strings, and now when absent', () => {
    expect(formatTimestamp(1_700_000_000_123, NOW)).toBe('2023-11-14T22:13:20.123Z');
    expect(formatTimestamp(1_700_000_000, NOW)).toBe('2023-11-14T22:13:20.000Z');
    expect(formatTimestamp('2024-02-29T01:02:03.004+02:00', NOW)).toBe('2024-02-28T23:02:03.004Z');
    expect(formatTimestamp(undefined, NOW)).toBe('2026-11-30T12:00:00.005Z');
    expect(formatTimestamp(1e15, NOW)).toBe('-');
  });

  it('fits a datagram: MSG is cut first, then STRUCTURED-DATA gives way, never mid-character', () => {
    const f = createSyslogFormatter(spec({ hostname: 'h', appName: 'a', procid: 1 }));
    const line = JSON.stringify({ level: 30, time: NOW, k: 'v"]', msg: 'é'.repeat(400) });
    const text = f(line, NOW);
    const whole = parseSyslog(text);
    const cut = fitDatagram(f, text, 500);
    expect(cut.length).toBeLessThanOrEqual(500);
    expect(cut.length).toBeGreaterThan(497);
    const m = parseSyslog(cut.toString());
    expect(m.sd).toEqual(whole.sd);
    expect(whole.msg!.startsWith(m.msg!)).toBe(true);
    expect(m.msg).not.toContain('\ufffd');
    // STRUCTURED-DATA larger than the datagram: dropped whole, the header and MSG kept.
    const big = f(JSON.stringify({ level: 30, time: NOW, k: 'x'.repeat(600), msg: 'hello' }), NOW);
    const m2 = parseSyslog(fitDatagram(f, big, 480).toString());
    expect(m2.sd.size).toBe(0);
    expect(m2.msg).toBe('hello');
    expect(m2.appName).toBe('a');
    // No MSG at all.
    const noMsg = f(JSON.stringify({ level: 30, time: NOW, k: 'x'.repeat(600) }), NOW);
    expect(parseSyslog(fitDatagram(f, noMsg, 480).toString()).msg).toBeUndefined();
  });

  it('truncates UTF-8 without cutting a character', () => {
    const b = Buffer.from('ab😀');
    expect(truncateUtf8(b, 5).toString()).toBe('ab');
    expect(truncateUtf8(b, 6).toString()).toBe('ab😀');
  });

  it('property: any record parses back to its fields (sanitized names, exact values)', () => {
    const f = createSyslogFormatter(spec());
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ maxLength: 40 }),
          fc.oneof(fc.string({ unit: 'binary' }), fc.integer(), fc.boolean()),
          { maxKeys: 8 },
        ),
        fc.string({ unit: 'binary' }),
        (fields, msg) => {
          const rec = { level: 30, time: NOW, ...fields, msg };
          const line = JSON.stringify(rec);
          const m = parseSyslog(f(line, NOW));
          const parsedRec = JSON.parse(line) as Record<string, unknown>;
          const expected: Array<[string, string]> = [];
          for (const [k, v] of Object.entries(parsedRec)) {
            if (['level', 'time', 'pid', 'hostname', 'name', 'msg'].includes(k)) continue;
            const name = sanitizeParamName(k);
            if (name.length === 0) continue;
            expected.push([name, typeof v === 'string' ? v : JSON.stringify(v)]);
          }
          expect(m.sd.get('ringlog@32473') ?? []).toEqual(expected);
          expect(m.msg).toBe(parsedRec.msg);
          expect(m.severity).toBe(6);
          expect(escapeParamValue(']')).toBe('\\]');
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('syslog options', () => {
  const bad = (o: Record<string, unknown>) => () => spec(o);
  it('rejects invalid options with RINGLOG_INVALID_OPTION naming the option', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ protocol: 'tls' }, /"destination\.protocol" must be "tcp" or "udp", got "tls"/],
      [{ port: 70000 }, /"destination\.port" must be an integer in 1\.\.65535, got 70000/],
      [{ facility: 'local9' }, /"destination\.facility" must be a facility name/],
      [{ facility: 24 }, /"destination\.facility"/],
      [{ appName: 'has space' }, /"destination\.appName" must be 1 to 48 printable US-ASCII/],
      [{ hostname: '' }, /"destination\.hostname"/],
      [{ msgid: 'x'.repeat(33) }, /"destination\.msgid" must be 1 to 32/],
      [{ msgid: { name: 'x' } }, /"destination\.msgid\.name" is not an option of msgid/],
      [{ msgid: 5 }, /"destination\.msgid" must be 1 to 32 .*, or an object of \{ field \}, got 5/],
      [{ sdId: 'ringlog' }, /"destination\.sdId" must be an SD-ID: name@<enterprise number>/],
      [{ sdId: 'a b@1' }, /"destination\.sdId"/],
      [{ severity: { info: 'loud' } }, /"destination\.severity\.info" must be a severity name/],
      [{ severity: { nosuch: 3 } }, /"destination\.severity key" must be a level name/],
      [{ fields: 'a' }, /"destination\.fields" must be an array/],
      [{ msgFormat: 'xml' }, /"destination\.msgFormat" must be "msg" or "json"/],
      [{ maxDatagramBytes: 100 }, /"destination\.maxDatagramBytes" must be an integer in 480/],
      [{ bufferRecords: 0 }, /"destination\.bufferRecords"/],
      [{ reconnectInitialMs: 500, reconnectMaxMs: 100 }, /"destination\.reconnectMaxMs"/],
      [
        { facilty: 'user' },
        /"destination\.facilty" is not a syslog option \(got "user"\); did you mean "facility"\?/,
      ],
    ];
    for (const [o, re] of cases) {
      expect(bad(o)).toThrow(re);
      try {
        spec(o);
      } catch (err) {
        expect((err as { code?: string }).code).toBe('RINGLOG_INVALID_OPTION');
      }
    }
  });

  it('defaults: tcp to 127.0.0.1:514, facility user, the SD-ID ringlog@32473', () => {
    const s = spec();
    expect(s).toMatchObject({
      host: '127.0.0.1',
      port: 514,
      protocol: 'tcp',
      facility: 1,
      appName: null,
      procid: String(process.pid),
      msgid: { value: '-' },
      sdId: 'ringlog@32473',
      bufferBytes: 8 << 20,
      bufferRecords: 100_000,
      maxDatagramBytes: 2048,
    });
  });
});
