import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, withContext } from '../../src/index.js';

describe('OpenTelemetry span ids', () => {
  const manager = new AsyncLocalStorageContextManager();
  afterAll(() => {
    context.disable();
    manager.disable();
  });

  it('no ids while no context manager is registered, even inside startActiveSpan', () => {
    const log = createLogger({ capture: true });
    const tracer = new TracerProvider().getTracer('test');
    tracer.startActiveSpan('no-manager', (span) => {
      log.info('in span');
      span.end();
    });
    expect(log.capture!.records()[0]).not.toHaveProperty('trace_id');
  });

  it('records logged in an active span carry trace_id, span_id and trace_flags', async () => {
    expect(context.setGlobalContextManager(manager.enable())).toBe(true);
    const log = createLogger({ capture: true });
    const tracer = new TracerProvider().getTracer('test');
    let ids: { traceId: string; spanId: string; traceFlags: number } | undefined;
    await tracer.startActiveSpan('request', async (span) => {
      ids = span.spanContext();
      await new Promise((r) => setTimeout(r, 2));
      await withContext({ reqId: 'r' }, async () =>
        log.child({ mod: 'x' }).info({ a: 1 }, 'traced'),
      );
      span.end();
    });
    log.info('after');
    const [inSpan, after] = log.capture!.records();
    expect(ids!.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(inSpan).toMatchObject({
      trace_id: ids!.traceId,
      span_id: ids!.spanId,
      trace_flags: '01',
      reqId: 'r',
    });
    // After the bindings and the context, before the call's fields.
    expect(Object.keys(inSpan!)).toEqual([
      'level',
      'time',
      'pid',
      'hostname',
      'mod',
      'reqId',
      'trace_id',
      'span_id',
      'trace_flags',
      'a',
      'msg',
    ]);
    expect(after).not.toHaveProperty('trace_id');
  });

  it('an unsampled span writes trace_flags "00"; an invalid span context writes nothing', () => {
    const log = createLogger({ capture: true });
    const sc = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 0 };
    context.with(trace.setSpanContext(context.active(), sc), () => log.info('unsampled'));
    const bad = { traceId: '0'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 };
    context.with(trace.setSpanContext(context.active(), bad), () => log.info('invalid'));
    const [u, i] = log.capture!.records();
    expect(u).toMatchObject({ trace_id: sc.traceId, span_id: sc.spanId, trace_flags: '00' });
    expect(i).not.toHaveProperty('trace_id');
  });
});
