/**
 * Elasticsearch and Loki bodies as their users configure those backends: dated index names
 * and `@timestamp`; Loki level label values, label fields and their cardinality bound.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findTimeMembers } from '../../workers/destinations/http/elasticsearch.js';
import {
  createEncoder,
  encodeBulk,
  encodeLoki,
  OVERFLOW_LABEL,
} from '../../workers/destinations/http/encoders.js';
import {
  type HttpDestinationOptions,
  resolveHttpDestination,
} from '../../workers/destinations/http/options.js';

const spec = (o: Omit<HttpDestinationOptions, 'type' | 'url'>) =>
  resolveHttpDestination({ type: 'http', url: 'http://es:9200/_bulk', ...o }, 'destination', 0);

function fails(o: Omit<HttpDestinationOptions, 'type' | 'url'>): string {
  try {
    spec(o);
  } catch (e) {
    expect((e as { code: string }).code).toBe('RINGLOG_INVALID_OPTION');
    return (e as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(o)}`);
}

/** A `_bulk` body as [action, document] pairs, every line parsed. */
function bulkPairs(body: Buffer): { action: Record<string, { _index: string }>; doc: string }[] {
  const text = body.toString('utf8');
  expect(text.endsWith('\n')).toBe(true);
  const lines = text.slice(0, -1).split('\n');
  expect(lines.length % 2).toBe(0);
  const out = [];
  for (let i = 0; i < lines.length; i += 2) {
    out.push({ action: JSON.parse(lines[i]!), doc: lines[i + 1]! });
    JSON.parse(lines[i + 1]!);
  }
  return out;
}

const BEFORE_MIDNIGHT = Date.UTC(2026, 11, 4, 23, 59, 59, 999);
const AFTER_MIDNIGHT = Date.UTC(2026, 11, 5, 0, 0, 0, 0);

/** The date part of an index name, computed apart from the encoder: yyyy.MM.dd in UTC. */
const dotted = (ms: number) => new Date(ms).toISOString().slice(0, 10).replaceAll('-', '.');

describe('elasticsearch: dated indices and @timestamp', () => {
  it('names each record’s index from its own UTC time, so a batch crossing midnight goes to two indices', () => {
    const times = [BEFORE_MIDNIGHT - 1, BEFORE_MIDNIGHT, AFTER_MIDNIGHT, AFTER_MIDNIGHT + 1];
    const lines = times.map((t, i) => `{"level":30,"time":${t},"id":${i},"msg":"m${i}"}`);
    const s = spec({ encoding: 'elasticsearch', index: 'logs-%{+yyyy.MM.dd}' });
    const pairs = bulkPairs(createEncoder(s).encode(Buffer.from(`${lines.join('\n')}\n`)));
    expect(pairs.length).toBe(4);
    const indices = new Set<string>();
    pairs.forEach(({ action, doc }, i) => {
      expect(Object.keys(action)).toEqual(['create']);
      expect(action.create!._index).toBe(`logs-${dotted(times[i]!)}`);
      indices.add(action.create!._index);
      const rec = JSON.parse(doc) as Record<string, unknown>;
      expect(rec.time).toBe(times[i]);
      expect(typeof rec['@timestamp']).toBe('string');
      expect(Date.parse(rec['@timestamp'] as string)).toBe(rec.time);
      // Nothing else changed: the record minus @timestamp is the line as logged.
      const { '@timestamp': _, ...rest } = rec;
      expect(rest).toEqual(JSON.parse(lines[i]!));
    });
    expect([...indices]).toEqual(['logs-2026.12.04', 'logs-2026.12.05']);
  });

  it('reads epoch seconds and ISO times, and dates a record without time when it is encoded', () => {
    const now = Date.UTC(2027, 0, 2, 3, 4, 5, 6);
    const body = encodeBulk(
      Buffer.from(
        `{"level":30,"time":1764979199.5,"msg":"unix"}\n{"time":"2026-12-05T10:00:00.123Z","msg":"iso"}\n{"msg":"no time"}\n{}\n`,
      ),
      spec({ encoding: 'elasticsearch', index: 'pino-%{DATE}' }),
      now,
    );
    const pairs = bulkPairs(body);
    const at = pairs.map((p) => Date.parse(JSON.parse(p.doc)['@timestamp']));
    expect(at).toEqual([1764979199500, Date.parse('2026-12-05T10:00:00.123Z'), now, now]);
    expect(pairs.map((p) => p.action.create!._index)).toEqual([
      'pino-2025-12-05',
      'pino-2026-12-05',
      'pino-2027-01-02',
      'pino-2027-01-02',
    ]);
    expect(JSON.parse(pairs[1]!.doc).time).toBe('2026-12-05T10:00:00.123Z');
    expect(JSON.parse(pairs[3]!.doc)).toEqual({ '@timestamp': new Date(now).toISOString() });
  });

  it('dates a record whose time no Date can hold when it is encoded, and writes years past 9999 as ISO does', () => {
    const now = Date.UTC(2026, 11, 5, 12);
    const far = Date.UTC(12000, 0, 1);
    const pairs = bulkPairs(
      encodeBulk(
        Buffer.from(
          `{"time":1e20,"msg":"a"}\n{"time":${far},"msg":"b"}\n{"time":"soon","msg":"c"}\n`,
        ),
        spec({ encoding: 'elasticsearch', index: 'y-%{+yyyy}' }),
        now,
      ),
    );
    const docs = pairs.map((p) => JSON.parse(p.doc));
    expect(docs.map((d) => d['@timestamp'])).toEqual([
      new Date(now).toISOString(),
      '+012000-01-01T00:00:00.000Z',
      new Date(now).toISOString(),
    ]);
    expect(Date.parse(docs[1]['@timestamp'])).toBe(far);
    expect(pairs.map((p) => p.action.create!._index)).toEqual(['y-2026', 'y-12000', 'y-2026']);
  });

  it('keeps every digit of large integers and the order of the keys', () => {
    const line = '{"level":30,"time":1764979200000,"big":123456789012345678901234567890,"msg":"x"}';
    const [pair] = bulkPairs(
      encodeBulk(Buffer.from(`${line}\n`), spec({ encoding: 'elasticsearch', index: 'logs' })),
    );
    expect(pair!.action).toEqual({ create: { _index: 'logs' } });
    expect(pair!.doc).toBe(
      '{"level":30,"time":1764979200000,"@timestamp":"2025-12-06T00:00:00.000Z","big":123456789012345678901234567890,"msg":"x"}',
    );
  });

  it("writes @timestamp in time's place with atTimestamp: 'replace', and nothing with 'off'", () => {
    const line = '{"level":30,"time":1764979200000,"msg":"x"}';
    const data = Buffer.from(`${line}\n`);
    const replaced = bulkPairs(
      encodeBulk(data, spec({ encoding: 'elasticsearch', index: 'i', atTimestamp: 'replace' })),
    );
    expect(Object.keys(JSON.parse(replaced[0]!.doc))).toEqual(['level', '@timestamp', 'msg']);
    expect(JSON.parse(replaced[0]!.doc)['@timestamp']).toBe('2025-12-06T00:00:00.000Z');
    const off = bulkPairs(
      encodeBulk(data, spec({ encoding: 'elasticsearch', index: 'i', atTimestamp: 'off' })),
    );
    expect(off[0]!.doc).toBe(line);
  });

  it('leaves a record that has its own @timestamp (ecs-pino-format) as it is, and dates its index from it', () => {
    const line = '{"@timestamp":"2026-12-04T23:00:00.000Z","log.level":"info","message":"ecs"}';
    const [pair] = bulkPairs(
      encodeBulk(
        Buffer.from(`${line}\n`),
        spec({ encoding: 'elasticsearch', index: 'ecs-%{+yyyy.MM.dd.HH}' }),
      ),
    );
    expect(pair!.doc).toBe(line);
    expect(pair!.action.create!._index).toBe('ecs-2026.12.04.23');
  });

  it("uses the 'index' action with opType: 'index'", () => {
    const [pair] = bulkPairs(
      encodeBulk(
        Buffer.from('{"time":0,"msg":"x"}\n'),
        spec({ encoding: 'elasticsearch', index: 'logs', opType: 'index' }),
      ),
    );
    expect(pair!.action).toEqual({ index: { _index: 'logs' } });
    expect(JSON.parse(pair!.doc)['@timestamp']).toBe('1970-01-01T00:00:00.000Z');
  });

  it('finds time among any top-level members, whatever the strings and nesting hold (property)', () => {
    const key = fc.string().filter((k) => k !== 'time' && k !== '@timestamp');
    fc.assert(
      fc.property(
        fc.dictionary(key, fc.jsonValue()),
        fc.nat(),
        // Epoch ms (below 1e11 a time is read as epoch seconds, as for OTLP).
        fc.integer({ min: 1e11, max: 4102444800000 }),
        (fields, at, time) => {
          const entries = Object.entries(fields);
          entries.splice(at % (entries.length + 1), 0, ['time', time]);
          const line = JSON.stringify(Object.fromEntries(entries));
          const m = findTimeMembers(line);
          expect(m?.time).toBeDefined();
          expect(line.slice(m!.time!.valueStart, m!.time!.end)).toBe(String(time));
          const [pair] = bulkPairs(
            encodeBulk(Buffer.from(`${line}\n`), spec({ encoding: 'elasticsearch', index: 'p' })),
          );
          const doc = JSON.parse(pair!.doc);
          expect(Date.parse(doc['@timestamp'])).toBe(time);
          delete doc['@timestamp'];
          expect(doc).toEqual(JSON.parse(line));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses index names Elasticsearch would refuse and patterns it cannot format', () => {
    expect(fails({ encoding: 'elasticsearch', index: 'Logs-%{+yyyy.MM.dd}' })).toContain(
      '"destination.index" must be an index name in lower case',
    );
    for (const index of [
      'logs-%{+yyyy.MM.dd HH:mm}',
      'logs-%{+YYYY.MM.dd}',
      'logs-%{host}',
      '_logs',
      'a/b',
      'logs-%{+yyyy.MM.dd',
    ]) {
      expect(fails({ encoding: 'elasticsearch', index })).toContain(`got "${index}"`);
    }
    expect(spec({ encoding: 'elasticsearch', index: 'logs-%{+yyyy.MM.dd}' }).indexParts).toEqual([
      { text: 'logs-' },
      { date: 'yyyy' },
      { text: '.' },
      { date: 'MM' },
      { text: '.' },
      { date: 'dd' },
    ]);
  });
});

type LokiBody = { streams: { stream: Record<string, string>; values: [string, string][] }[] };
const loki = (
  lines: string[],
  o: Omit<HttpDestinationOptions, 'type' | 'url'>,
  levels?: number[],
): LokiBody =>
  JSON.parse(
    encodeLoki(
      Buffer.from(`${lines.join('\n')}\n`),
      spec({ encoding: 'loki', ...o }),
      0,
      levels,
    ).toString(),
  );

describe('loki: level label values and label fields', () => {
  it('maps levels to the configured label values, custom levels by their band', () => {
    const lines = [10, 20, 30, 35, 40, 50, 60].map((l) => `{"level":${l},"time":1,"msg":"m"}`);
    const body = loki(lines, { levelLabels: { warn: 'warning', fatal: 'critical', 35: 'notice' } });
    const byLine = new Map<number, string>();
    for (const s of body.streams) {
      for (const [, line] of s.values) byLine.set(JSON.parse(line).level, s.stream.level!);
    }
    expect(Object.fromEntries(byLine)).toEqual({
      10: 'trace',
      20: 'debug',
      30: 'info',
      35: 'notice',
      40: 'warning',
      50: 'error',
      60: 'critical',
    });
  });

  it("follows the ring's level byte, not the line's level field", () => {
    const lines = ['{"level":"ERROR","time":1,"msg":"a"}', '{"level":"whatever","time":2}'];
    const body = loki(lines, { levelLabels: { error: 'err' } }, [50, 45]);
    expect(body.streams.map((s) => [s.stream.level, s.values.length])).toEqual([
      ['err', 1],
      ['warn', 1],
    ]);
    // Without the level bytes (a spooled batch) the field is read: "ERROR" is error.
    const spooled = loki(lines, { levelLabels: { error: 'err' } });
    expect(spooled.streams.map((s) => s.stream.level)).toEqual(['err', 'info']);
  });

  it('adds the chosen fields as labels and groups records by their label set', () => {
    const lines: string[] = [];
    for (let i = 0; i < 12; i++) {
      const host = i % 2 === 0 ? '"hostname":"a",' : '"hostname":"b",';
      const region = i % 3 === 0 ? '' : `"region":${i % 3},`;
      lines.push(
        `{"level":${i < 6 ? 30 : 50},"time":${1_700_000_000_000 + i},${host}${region}"id":${i}}`,
      );
    }
    lines.push('{"level":30,"time":1700000000099,"hostname":{"nested":1},"id":12}');
    const body = loki(lines, { labels: { app: 'svc' }, labelFields: ['hostname', 'region'] });
    // The labels each record must carry, worked out from the record alone.
    const wantOf = (rec: { hostname?: unknown; region?: number; level: number }) => {
      const want: Record<string, string> = { app: 'svc' };
      if (typeof rec.hostname === 'string') want.hostname = rec.hostname;
      if (rec.region !== undefined) want.region = String(rec.region);
      want.level = rec.level === 50 ? 'error' : 'info';
      return want;
    };
    const seenIds = new Set<number>();
    const keys = new Set<string>();
    for (const { stream, values } of body.streams) {
      const key = JSON.stringify(stream);
      expect(keys.has(key)).toBe(false);
      keys.add(key);
      for (const [ns, line] of values) {
        const rec = JSON.parse(line);
        expect(ns).toBe(`${rec.time}000000`);
        expect(stream).toEqual(wantOf(rec));
        seenIds.add(rec.id);
      }
    }
    expect(seenIds.size).toBe(13);
    const expected = new Set(lines.map((l) => JSON.stringify(wantOf(JSON.parse(l)))));
    expect(keys).toEqual(expected);
    // The 12 records each fall in their own (level, hostname, region) set: i → (i < 6,
    // i % 2, i % 3) is one-to-one over 0..11; the record with an object hostname is a 13th.
    expect(keys.size).toBe(13);
  });

  it('stamps a record whose time no Date can hold with the time it is encoded', () => {
    const body = JSON.parse(
      encodeLoki(
        Buffer.from('{"level":30,"time":1e20}\n{"level":30,"time":1700000000001}\n'),
        spec({ encoding: 'loki' }),
        1_800_000_000_000,
      ).toString(),
    ) as LokiBody;
    expect(body.streams[0]!.values.map(([ns]) => ns)).toEqual([
      '1800000000000000000',
      '1700000000001000000',
    ]);
  });

  it('gives the value _overflow past labelFieldsMaxValues distinct values in a batch', () => {
    const lines = Array.from({ length: 50 }, (_, i) => `{"level":30,"time":1,"user":"u${i % 10}"}`);
    const body = loki(lines, { labelFields: ['user'], labelFieldsMaxValues: 3 });
    const users = body.streams.map((s) => s.stream.user).sort();
    expect(users).toEqual([OVERFLOW_LABEL, 'u0', 'u1', 'u2']);
    const overflow = body.streams.find((s) => s.stream.user === OVERFLOW_LABEL)!;
    expect(overflow.values.length).toBe(35);
    for (const s of body.streams) {
      for (const [, line] of s.values) {
        const user = JSON.parse(line).user as string;
        expect(s.stream.user).toBe(['u0', 'u1', 'u2'].includes(user) ? user : OVERFLOW_LABEL);
      }
    }
  });

  it('refuses label fields that are too many, clash with other labels, or are not label names', () => {
    expect(fails({ encoding: 'loki', labelFields: ['a', 'b', 'c', 'd', 'e', 'f'] })).toBe(
      'createLogger: "destination.labelFields" must be at most 5 field names (each one multiplies Loki\'s streams), got "a,b,c,d,e,f"',
    );
    expect(fails({ encoding: 'loki', labelFields: ['level'] })).toContain('got "level"');
    expect(fails({ encoding: 'loki', labels: { app: 'x' }, labelFields: ['app'] })).toContain(
      'got "app"',
    );
    expect(fails({ encoding: 'loki', labelFields: ['host', 'host'] })).toContain('got "host"');
    expect(fails({ encoding: 'loki', labelFields: ['user.id'] })).toContain(
      '"destination.labelFields[0]" must be a field name matching [a-zA-Z_][a-zA-Z0-9_]*, got "user.id"',
    );
    expect(fails({ encoding: 'loki', labelFieldsMaxValues: 0 })).toContain(
      '"destination.labelFieldsMaxValues" must be an integer in 1..1000',
    );
    expect(fails({ encoding: 'loki', levelLabels: { verbose: 'v' } })).toContain('got "verbose"');
    expect(fails({ encoding: 'loki', levelLabels: { toString: 'v' } })).toContain('got "toString"');
    expect(fails({ encoding: 'loki', levelLabels: { 256: 'v' } })).toContain('got "256"');
    expect(fails({ encoding: 'loki', levelLabels: { info: '' } })).toContain(
      '"destination.levelLabels.info" must be a non-empty string',
    );
  });
});
