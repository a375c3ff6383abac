import type { Callback } from '../src/context/index.js';
import type { LMResponse } from '../src/lm/types.js';
import {
  SpanKind,
  contextWithSpan,
  failSpan,
  tracer,
  type Span,
  type TraceContext,
} from '../src/telemetry/index.js';

interface Open {
  callId: string;
  span: Span;
  ctx: TraceContext;
}

function lmSpanAttributes(instance: unknown, inputs: Record<string, unknown>) {
  const lm = instance as { provider?: unknown; model?: unknown };
  const attributes: Record<string, string | number> = { 'gen_ai.operation.name': 'chat' };
  if (typeof lm.provider === 'string') attributes['gen_ai.provider.name'] = lm.provider;
  if (typeof lm.model === 'string') attributes['gen_ai.request.model'] = lm.model;
  if (typeof inputs['temperature'] === 'number')
    attributes['gen_ai.request.temperature'] = inputs['temperature'];
  if (typeof inputs['maxTokens'] === 'number')
    attributes['gen_ai.request.max_tokens'] = inputs['maxTokens'];
  return attributes;
}

/**
 * Turns one execution's run callbacks into OpenTelemetry spans: a `module <Class>` span per module
 * call and a `chat <model>` span per LM call (GenAI semantic conventions: `gen_ai.request.model`,
 * `gen_ai.usage.input_tokens`/`output_tokens`; cost as `dspex.lm.cost_usd`), nested under the
 * innermost open span of the execution (else under `root`, the program span).
 *
 * Callbacks cannot change the async context, so nesting follows call order: exact for sequential
 * programs; sub-calls running concurrently inside one program (`Parallel`) may nest under a sibling.
 */
export class SpanCallback implements Callback {
  private readonly open: Open[] = [];

  constructor(private readonly root: TraceContext) {}

  onModuleStart(callId: string, instance: unknown, inputs: Record<string, unknown>): void {
    const name = (instance as object).constructor.name;
    this.start(callId, `module ${name}`, SpanKind.INTERNAL, {
      'dspex.module': name,
      'dspex.module.inputs': Object.keys(inputs).join(','),
    });
  }

  onModuleEnd(callId: string, _outputs: unknown, error: unknown): void {
    this.end(callId, error);
  }

  onLmStart(callId: string, instance: unknown, inputs: Record<string, unknown>): void {
    const attributes = lmSpanAttributes(instance, inputs);
    this.start(
      callId,
      `chat ${attributes['gen_ai.request.model'] ?? 'lm'}`,
      SpanKind.CLIENT,
      attributes,
    );
  }

  onLmEnd(callId: string, outputs: unknown, error: unknown): void {
    const response = outputs as LMResponse | null;
    const span = this.find(callId);
    if (span !== undefined && response !== null && typeof response === 'object') {
      if (typeof response.model === 'string')
        span.setAttribute('gen_ai.response.model', response.model);
      if (response.usage !== null && response.usage !== undefined) {
        span.setAttribute('gen_ai.usage.input_tokens', response.usage.promptTokens);
        span.setAttribute('gen_ai.usage.output_tokens', response.usage.completionTokens);
        if (response.usage.cost !== undefined)
          span.setAttribute('dspex.lm.cost_usd', response.usage.cost);
      }
      span.setAttribute('dspex.lm.cached', response.cached === true);
      const finish = response.choices?.[0]?.finishReason;
      if (typeof finish === 'string') span.setAttribute('gen_ai.response.finish_reasons', [finish]);
    }
    this.end(callId, error);
  }

  private start(
    callId: string,
    name: string,
    kind: SpanKind,
    attributes: Record<string, string | number>,
  ): void {
    const parent = this.open.at(-1)?.ctx ?? this.root;
    const span = tracer().startSpan(name, { kind, attributes }, parent);
    this.open.push({ callId, span, ctx: contextWithSpan(parent, span) });
  }

  private find(callId: string): Span | undefined {
    return this.open.find((o) => o.callId === callId)?.span;
  }

  private end(callId: string, error: unknown): void {
    const i = this.open.findIndex((o) => o.callId === callId);
    if (i < 0) return;
    const [entry] = this.open.splice(i, 1);
    if (entry === undefined) return;
    if (error !== null && error !== undefined) failSpan(entry.span, error);
    entry.span.end();
  }
}
