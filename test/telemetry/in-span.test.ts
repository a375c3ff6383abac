import { trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { inSpan, otelRegistered } from '../../src/telemetry/index.js';

afterEach(() => {
  trace.disable();
});

describe('inSpan', () => {
  it('runs the function with a non-recording span when no OpenTelemetry SDK is registered', async () => {
    expect(otelRegistered()).toBe(false);
    const out = await inSpan('work', { attributes: { a: 1 } }, async (span) => {
      span.setAttribute('b', 2);
      return span.isRecording();
    });
    expect(out).toBe(false);
  });

  it('turns a synchronous throw of the function into a rejection, SDK or not', async () => {
    const boom = (): Promise<never> => {
      throw new Error('sync boom');
    };
    const without = inSpan('work', {}, boom);
    await expect(without).rejects.toThrow('sync boom');
    trace.setGlobalTracerProvider(new BasicTracerProvider());
    await expect(inSpan('work', {}, boom)).rejects.toThrow('sync boom');
  });

  it('records the span once a tracer provider is registered, and stops after it is removed', async () => {
    const exporter = new InMemorySpanExporter();
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
    expect(otelRegistered()).toBe(true);
    await inSpan('work', { attributes: { a: 1 } }, async () => 'done');
    expect(exporter.getFinishedSpans().map((s) => [s.name, s.attributes['a']])).toEqual([
      ['work', 1],
    ]);
    trace.disable();
    expect(otelRegistered()).toBe(false);
    await inSpan('after', {}, async () => undefined);
    expect(exporter.getFinishedSpans()).toHaveLength(1);
  });

  it('fails the span and rethrows when the function throws', async () => {
    const exporter = new InMemorySpanExporter();
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
    await expect(
      inSpan('bad', {}, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(exporter.getFinishedSpans()[0]?.status.message).toBe('boom');
  });
});
