import type { Guard } from '../src/resilience/index.js';
import type { LM, LMParams, LMRequest, LMResponse, LMStreamChunk } from '../src/lm/types.js';

/** What a {@link PooledLM} reports after each call (metrics, events). */
export interface PooledCallReport {
  key: string;
  provider: string;
  model: string;
  outcome: 'ok' | 'error';
  promptTokens: number;
  completionTokens: number;
  error?: unknown;
}

/** The pool seen from a pooled LM: its guard per key and the call observer. */
export interface PoolHandle {
  guardFor(key: string): Guard;
  report(call: PooledCallReport): void;
}

/** `provider:model`, the key of limits, circuits and metrics. */
export function poolKey(lm: Pick<LM, 'provider' | 'model'>): string {
  return `${lm.provider}:${lm.model}`;
}

/** Prompt size in tokens, estimated as one token per 4 characters (settled after the call). */
function estimateTokens(request: LMRequest): number {
  let chars = 0;
  for (const m of request.messages) chars += typeof m.content === 'string' ? m.content.length : 0;
  return Math.ceil(chars / 4);
}

/**
 * An LM whose calls pass through the client pool's {@link Guard} for its `provider:model` key:
 * circuit breaker, concurrency slot, rpm and tpm buckets. It implements the LM interface, so a
 * program uses it exactly like the LM it wraps (which keeps its own cache and retries).
 *
 * Streams are guarded as one call and delivered once the guarded call has finished.
 */
export class PooledLM implements LM {
  readonly provider: string;
  readonly model: string;
  readonly params: Readonly<LMParams>;
  readonly key: string;

  constructor(
    readonly inner: LM,
    private readonly pool: PoolHandle,
  ) {
    this.provider = inner.provider;
    this.model = inner.model;
    this.params = inner.params;
    this.key = poolKey(inner);
  }

  async complete(request: LMRequest): Promise<LMResponse> {
    const guard = this.pool.guardFor(this.key);
    try {
      const response = await guard.run(
        this.key,
        async (ctx) => {
          const signal = ctx.signal ?? request.signal;
          const res = await this.inner.complete(
            signal === undefined ? request : { ...request, signal },
          );
          if (res.usage !== null) ctx.reportTokens(res.usage.totalTokens);
          return res;
        },
        {
          estimatedTokens: estimateTokens(request),
          ...(request.signal === undefined ? {} : { signal: request.signal }),
        },
      );
      this.report('ok', response);
      return response;
    } catch (error) {
      this.report('error', undefined, error);
      throw error;
    }
  }

  async *stream(request: LMRequest): AsyncIterable<LMStreamChunk> {
    const guard = this.pool.guardFor(this.key);
    const chunks = await guard.run(this.key, async () => {
      const out: LMStreamChunk[] = [];
      for await (const chunk of this.inner.stream(request)) out.push(chunk);
      return out;
    });
    yield* chunks;
  }

  copy(overrides: Partial<LMParams> & { model?: string }): LM {
    return new PooledLM(this.inner.copy(overrides), this.pool);
  }

  dumpState(): Record<string, unknown> {
    return this.inner.dumpState();
  }

  private report(outcome: 'ok' | 'error', res?: LMResponse, error?: unknown): void {
    this.pool.report({
      key: this.key,
      provider: this.provider,
      model: this.model,
      outcome,
      promptTokens: res?.usage?.promptTokens ?? 0,
      completionTokens: res?.usage?.completionTokens ?? 0,
      ...(error === undefined ? {} : { error }),
    });
  }
}
