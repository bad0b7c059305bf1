/**
 * Our OTLP/JSON body decoded with the OTLP protobuf definitions themselves (the .proto files
 * of opentelemetry-proto, as shipped in @opentelemetry/otlp-grpc-exporter-base 0.38, loaded
 * by protobufjs): every key must be a field of the message, every value of the field's type
 * under the proto3 JSON mapping (int64 as a decimal string in range, enums, oneofs), with
 * OTLP/JSON's one exception (trace and span ids as hex). The decoded message is then encoded
 * to the binary wire format and decoded back, and must say the same.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { encodeLoki } from '../../workers/destinations/http/encoders.js';
import { resolveHttpDestination } from '../../workers/destinations/http/options.js';
import { encodeOtlp } from '../../workers/destinations/http/otlp.js';

const require = createRequire(import.meta.url);
const protoDir = join(
  dirname(require.resolve('@opentelemetry/otlp-grpc-exporter-base/package.json')),
  'build/protos',
);
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => join(protoDir, target);
root.loadSync('opentelemetry/proto/collector/logs/v1/logs_service.proto', { keepCase: false });
root.resolveAll();
const Request = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');

const INT64 = new Set(['int64', 'sint64', 'sfixed64']);
const UINT64 = new Set(['uint64', 'fixed64']);
const INT32 = new Set(['int32', 'sint32', 'sfixed32']);
const UINT32 = new Set(['uint32', 'fixed32']);
/** OTLP/JSON writes these bytes fields as hex, not base64. */
const HEX_BYTES = new Set(['traceId', 'spanId']);

/** proto3 JSON → the plain object protobufjs' fromObject takes; throws on anything invalid. */
function fromProto3Json(type: protobuf.Type, json: unknown, path: string): Record<string, unknown> {
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new Error(`${path}: ${type.name} must be a JSON object`);
  const out: Record<string, unknown> = {};
  const oneofsSet = new Map<string, string>();
  for (const [key, value] of Object.entries(json)) {
    const field = type.fields[key] ?? Object.values(type.fields).find((f) => f.name === key);
    if (field === undefined) throw new Error(`${path}.${key}: no such field in ${type.name}`);
    if (field.partOf !== null && field.partOf !== undefined) {
      const other = oneofsSet.get(field.partOf.name);
      if (other !== undefined)
        throw new Error(`${path}: oneof ${field.partOf.name} has ${other} and ${key}`);
      oneofsSet.set(field.partOf.name, key);
    }
    const one = (v: unknown, p: string) => fieldValue(field, v, p);
    if (field.repeated) {
      if (!Array.isArray(value))
        throw new Error(`${path}.${key}: a repeated field must be an array`);
      out[field.name] = value.map((v, i) => one(v, `${path}.${key}[${i}]`));
    } else out[field.name] = one(value, `${path}.${key}`);
  }
  return out;
}

function fieldValue(field: protobuf.Field, v: unknown, p: string): unknown {
  field.resolve();
  if (field.resolvedType instanceof protobuf.Type) return fromProto3Json(field.resolvedType, v, p);
  if (field.resolvedType instanceof protobuf.Enum) {
    const values = Object.values(field.resolvedType.values);
    if (typeof v === 'number' && values.includes(v)) return v;
    if (typeof v === 'string' && v in field.resolvedType.values)
      return field.resolvedType.values[v];
    throw new Error(`${p}: ${JSON.stringify(v)} is not a ${field.resolvedType.name}`);
  }
  const t = field.type;
  const integer = (min: bigint, max: bigint) => {
    let n: bigint;
    if (typeof v === 'string' && /^-?\d+$/.test(v)) n = BigInt(v);
    else if (typeof v === 'number' && Number.isSafeInteger(v)) n = BigInt(v);
    else throw new Error(`${p}: ${JSON.stringify(v)} is not a ${t}`);
    if (n < min || n > max) throw new Error(`${p}: ${v} is outside ${t}`);
    return n.toString();
  };
  if (INT64.has(t)) return integer(-(2n ** 63n), 2n ** 63n - 1n);
  if (UINT64.has(t)) return integer(0n, 2n ** 64n - 1n);
  if (INT32.has(t)) return Number(integer(-(2n ** 31n), 2n ** 31n - 1n));
  if (UINT32.has(t)) return Number(integer(0n, 2n ** 32n - 1n));
  if (t === 'double' || t === 'float') {
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return Number(v);
    throw new Error(`${p}: ${JSON.stringify(v)} is not a ${t}`);
  }
  if (t === 'string') {
    if (typeof v !== 'string') throw new Error(`${p}: ${JSON.stringify(v)} is not a string`);
    return v;
  }
  if (t === 'bool') {
    if (typeof v !== 'boolean') throw new Error(`${p}: ${JSON.stringify(v)} is not a bool`);
    return v;
  }
  if (t === 'bytes') {
    if (typeof v !== 'string') throw new Error(`${p}: bytes must be a string`);
    if (HEX_BYTES.has(field.name)) {
      if (!/^([0-9a-f]{2})*$/.test(v)) throw new Error(`${p}: ${v} is not lower-case hex`);
      return Buffer.from(v, 'hex');
    }
    return Buffer.from(v, 'base64');
  }
  throw new Error(`${p}: unhandled type ${t}`);
}

/** Decodes our body through the definitions and the binary format; returns the message as
 * an object again (int64 as strings, bytes as hex). */
function decode(body: Buffer) {
  const obj = fromProto3Json(Request, JSON.parse(body.toString()), 'request');
  const msg = Request.fromObject(obj);
  const err = Request.verify(msg);
  if (err !== null) throw new Error(err);
  const wire = Request.encode(msg).finish();
  return Request.toObject(Request.decode(wire), {
    longs: String,
    enums: Number,
    defaults: false,
  }) as {
    resourceLogs: {
      resource: { attributes: { key: string; value: Record<string, unknown> }[] };
      scopeLogs: {
        logRecords: {
          severityNumber: number;
          severityText: string;
          attributes: { key: string; value: Record<string, unknown> }[];
          traceId?: Uint8Array;
          spanId?: Uint8Array;
          flags?: number;
        }[];
      }[];
    }[];
  };
}

const OPTS = { serviceName: 'unknown_service', resourceAttributes: {}, messageKey: 'msg' };
const attr = (
  rec: { attributes: { key: string; value: Record<string, unknown> }[] },
  key: string,
) => rec.attributes.find((a) => a.key === key)?.value;

describe('OTLP body against the opentelemetry-proto definitions', () => {
  it('the decoder refuses what a strict collector refuses (it can fail)', () => {
    const bad = (o: unknown) => () => decode(Buffer.from(JSON.stringify(o)));
    const rec = (value: unknown) => ({
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ attributes: [{ key: 'n', value }] }] }] }],
    });
    expect(bad(rec({ intValue: '18446744073709552000' }))).toThrow(/outside int64/);
    expect(bad(rec({ intValue: '1e+21' }))).toThrow(/is not a int64/);
    expect(bad(rec({ kvlist: {} }))).toThrow(/no such field/);
    expect(bad(rec({ intValue: '1', stringValue: 'x' }))).toThrow(/oneof/);
    expect(
      bad({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ severityNumber: 99 }] }] }] }),
    ).toThrow(/SeverityNumber/);
  });

  it('integers outside int64 go as doubles; those inside as exact int64 strings', () => {
    const line = JSON.stringify({
      level: 30,
      time: 1_700_000_000_000,
      huge: 2 ** 64,
      e21: 1e21,
      negHuge: -(2 ** 64),
      min: -(2 ** 63),
      big: 2 ** 62,
      safe: 9007199254740991,
      msg: 'm',
    });
    const out = decode(encodeOtlp(Buffer.from(`${line}\n`), OPTS));
    const rec = out.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!;
    expect(attr(rec, 'huge')).toEqual({ doubleValue: 2 ** 64 });
    expect(attr(rec, 'e21')).toEqual({ doubleValue: 1e21 });
    expect(attr(rec, 'negHuge')).toEqual({ doubleValue: -(2 ** 64) });
    expect(attr(rec, 'min')).toEqual({ intValue: '-9223372036854775808' });
    expect(attr(rec, 'big')).toEqual({ intValue: '4611686018427387904' });
    expect(attr(rec, 'safe')).toEqual({ intValue: '9007199254740991' });
  });

  it('severity from the ring level, whatever the level field says', () => {
    const lines = [
      '{"level":"error","time":1,"msg":"label"}',
      '{"severity":"WARNING","time":2,"msg":"no level field"}',
      '{"level":30,"time":3,"msg":"number"}',
    ];
    const data = Buffer.from(`${lines.join('\n')}\n`);
    const fromRing = decode(encodeOtlp(data, OPTS, Uint8Array.of(50, 40, 60)));
    const recs = fromRing.resourceLogs[0]!.scopeLogs[0]!.logRecords;
    expect(recs.map((r) => [r.severityNumber, r.severityText])).toEqual([
      [17, 'ERROR'],
      [13, 'WARN'],
      [21, 'FATAL'],
    ]);
    // Without ring levels (a batch replayed from the spool): the level field, label or number.
    const fromField = decode(encodeOtlp(data, OPTS));
    expect(
      fromField.resourceLogs[0]!.scopeLogs[0]!.logRecords.map((r) => r.severityNumber),
    ).toEqual([17, 9, 9]);
    // Loki's level label likewise.
    const LOKI = resolveHttpDestination(
      { type: 'http', url: 'http://loki/', encoding: 'loki', labels: { app: 'a' } },
      'd',
      0,
    );
    const loki = JSON.parse(encodeLoki(data, LOKI, 0, Uint8Array.of(50, 40, 60)).toString());
    expect(loki.streams.map((s: { stream: { level: string } }) => s.stream.level)).toEqual([
      'error',
      'warn',
      'fatal',
    ]);
    const lokiField = JSON.parse(encodeLoki(data, LOKI, 0).toString());
    expect(lokiField.streams.map((s: { stream: { level: string } }) => s.stream.level)).toEqual([
      'error',
      'info',
    ]);
  });

  it('err as exception.type, exception.message, exception.stacktrace; its other fields kept', () => {
    const line = JSON.stringify({
      level: 50,
      time: 1,
      err: {
        type: 'TypeError',
        message: 'bad',
        stack: 'TypeError: bad\n    at f (x.js:1:1)',
        code: 'E_BAD',
      },
      msg: 'failed',
    });
    const rec = decode(encodeOtlp(Buffer.from(`${line}\n`), OPTS)).resourceLogs[0]!.scopeLogs[0]!
      .logRecords[0]!;
    expect(attr(rec, 'exception.type')).toEqual({ stringValue: 'TypeError' });
    expect(attr(rec, 'exception.message')).toEqual({ stringValue: 'bad' });
    expect(attr(rec, 'exception.stacktrace')).toEqual({
      stringValue: 'TypeError: bad\n    at f (x.js:1:1)',
    });
    expect(attr(rec, 'err')).toEqual({
      kvlistValue: { values: [{ key: 'code', value: { stringValue: 'E_BAD' } }] },
    });
  });

  it('pid, hostname and name become process.pid, host.name and service.name', () => {
    const lines = [
      '{"level":30,"time":1,"pid":11,"hostname":"web-1","name":"checkout","msg":"a","traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","traceFlags":1}',
      '{"level":30,"time":2,"pid":12,"hostname":"web-1","name":"checkout","msg":"b"}',
    ];
    const data = Buffer.from(`${lines.join('\n')}\n`);
    const out = decode(encodeOtlp(data, OPTS));
    expect(out.resourceLogs).toHaveLength(2);
    const res0 = out.resourceLogs[0]!.resource.attributes;
    expect(res0).toEqual([
      { key: 'service.name', value: { stringValue: 'checkout' } },
      { key: 'process.pid', value: { intValue: '11' } },
      { key: 'host.name', value: { stringValue: 'web-1' } },
    ]);
    const rec = out.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!;
    expect(rec.attributes ?? []).toEqual([]);
    expect(Buffer.from(rec.traceId!).toString('hex')).toBe('5b8efff798038103d269b633813fc60c');
    expect(Buffer.from(rec.spanId!).toString('hex')).toBe('eee19b7ec3c1b174');
    expect(rec.flags).toBe(1);
    // A configured serviceName wins, and `name` stays a record attribute.
    const named = decode(encodeOtlp(data, { ...OPTS, serviceName: 'svc' }));
    expect(named.resourceLogs[0]!.resource.attributes[0]).toEqual({
      key: 'service.name',
      value: { stringValue: 'svc' },
    });
    expect(attr(named.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!, 'name')).toEqual({
      stringValue: 'checkout',
    });
  });
});
