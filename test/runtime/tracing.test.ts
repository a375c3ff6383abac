import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChainOfThought } from '../../src/modules/index.js';
import { silentLogger } from '../../src/telemetry/index.js';
import { startTracing, type Tracing } from '../../src/telemetry/otel-sdk.js';
import { startRuntime } from '../../supervisors/runtime.js';
import type { Runtime } from '../../supervisors/runtime-types.js';
import { startOpenAIFixture, type LMFixture } from '../fixtures/index.js';
import { fixtureLm } from '../supervisors/runtime-helpers.js';

// Spans of one embedded node, collected in memory: the job path (producer → consumer → program →
// module → LM call) and a local run, with the trace context carried in the job data.
let fixture: LMFixture;
let rt: Runtime;
let tracing: Tracing;
const exporter = new InMemorySpanExporter();

beforeAll(async () => {
  fixture = await startOpenAIFixture();
  tracing = startTracing({ nodeId: 'node-t', spanProcessors: [new SimpleSpanProcessor(exporter)] });
  rt = await startRuntime(
    {
      programs: { cot: new ChainOfThought('question -> answer') },
      shutdown: { drainTimeoutMs: 2000 },
    },
    { logger: silentLogger(), lm: fixtureLm(fixture) },
  );
});

afterAll(async () => {
  await rt?.stop();
  await fixture?.close();
  await tracing?.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});

const spans = () => exporter.getFinishedSpans();
const parentOf = (s: ReturnType<typeof spans>[number]) => s.parentSpanContext?.spanId;

describe('OpenTelemetry spans of a node', () => {
  it('a queued run is one trace: publish → process → program → module → LM call', async () => {
    exporter.reset();
    const { jobId } = await rt.submit('cot', { question: 'What is 2+2?' });
    const job = await rt.transport.getJob('dspex-run', jobId);
    expect((job?.data['trace'] as { traceparent?: string }).traceparent).toMatch(
      /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/,
    );
    await rt.waitForJob(jobId, 10_000);
    const byName = (name: string) => spans().find((s) => s.name === name);
    const publish = byName('publish dspex-run');
    const consume = byName('process dspex-run');
    const program = byName('program cot');
    const outer = byName('module ChainOfThought');
    const inner = byName('module Predict');
    const chat = byName('chat gpt-4o-mini');
    for (const s of [publish, consume, program, outer, inner, chat]) expect(s).toBeDefined();
    const traceId = publish!.spanContext().traceId;
    for (const s of [consume, program, outer, inner, chat])
      expect(s!.spanContext().traceId).toBe(traceId);
    expect(parentOf(consume!)).toBe(publish!.spanContext().spanId);
    expect(parentOf(program!)).toBe(consume!.spanContext().spanId);
    expect(parentOf(outer!)).toBe(program!.spanContext().spanId);
    expect(parentOf(inner!)).toBe(outer!.spanContext().spanId);
    expect(parentOf(chat!)).toBe(inner!.spanContext().spanId);
    expect(chat!.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': expect.any(Number),
      'gen_ai.usage.output_tokens': expect.any(Number),
    });
    expect(program!.attributes).toMatchObject({ 'dspex.program': 'cot', 'dspex.job_id': jobId });
    expect(program!.resource.attributes['service.instance.id']).toBe('node-t');
  });

  it('a local run has a run span above its program span; a failing LM call marks its span', async () => {
    exporter.reset();
    fixture.enqueue({ kind: 'error', status: 500, message: 'provider down' });
    await expect(rt.run('cot', { question: 'fails' })).rejects.toBeDefined();
    const run = spans().find((s) => s.name === 'run cot');
    const program = spans().find((s) => s.name === 'program cot');
    const chat = spans().find((s) => s.name === 'chat gpt-4o-mini');
    expect(parentOf(program!)).toBe(run!.spanContext().spanId);
    expect(chat!.status.code).toBe(2); // ERROR
    expect(program!.status.code).toBe(2);
  });
});
