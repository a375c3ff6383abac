import { AsyncChannel } from './async-channel.js';
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

/**
 * Call options a node sets on every pooled call that does not set them itself (config `lm`):
 * per-attempt timeout, response size cap, and the LM-level attempts (1 on a node: the job owns
 * retries, so each provider call passes the guard and the breaker on its own).
 */
export type PooledCallDefaults = Pick<LMRequest, 'timeoutMs' | 'maxResponseChars' | 'maxAttempts'>;

/** The pool seen from a pooled LM: its guard per key and the call observer. */
export interface PoolHandle {
  guardFor(key: string): Guard;
  report(call: PooledCallReport): void;
  /** Defaults of every call (none when absent). */
  readonly callDefaults?: PooledCallDefaults | undefined;
}

/** `provider:model`, the key of limits, circuits and metrics. */
export function poolKey(lm: Pick<LM, 'provider' | 'model'>): string {
  return `${lm.provider}:${lm.model}`;
}

function withDefaults(request: LMRequest, defaults: PooledCallDefaults): LMRequest {
  // Not `{ ...request }`: on Node 20 every key later added to a spread's copy costs ~0.7 µs
  // (bench/README.md, "Object spreads"); a copy made by Object.assign takes new keys at full speed.
  const out: LMRequest = Object.assign({}, request);
  if (out.timeoutMs === undefined && defaults.timeoutMs !== undefined)
    out.timeoutMs = defaults.timeoutMs;
  if (out.maxResponseChars === undefined && defaults.maxResponseChars !== undefined)
    out.maxResponseChars = defaults.maxResponseChars;
  if (out.maxAttempts === undefined && defaults.maxAttempts !== undefined)
    out.maxAttempts = defaults.maxAttempts;
  return out;
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
 * A stream is guarded as one call that lasts until its last chunk; chunks are passed on as they
 * arrive (see {@link PooledLM.stream}).
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

  /**
   * One guarded call. `.then` chains, not `async` frames: this runs on every LM call of a node,
   * and on Node 20 each promise pays the process's AsyncLocalStorage hooks. A synchronous throw
   * of the inner LM or of the guard still settles as a rejection (and is reported as an error).
   */
  complete(given: LMRequest): Promise<LMResponse> {
    const defaults = this.pool.callDefaults;
    const request = defaults === undefined ? given : withDefaults(given, defaults);
    let running: Promise<LMResponse>;
    try {
      running = this.pool.guardFor(this.key).run(
        this.key,
        (ctx) => {
          const signal = ctx.signal ?? request.signal;
          return this.inner
            .complete(signal === undefined ? request : Object.assign({}, request, { signal }))
            .then((res) => {
              if (res.usage !== null) ctx.reportTokens(res.usage.totalTokens);
              return res;
            });
        },
        request.signal === undefined
          ? { estimatedTokens: estimateTokens(request) }
          : { estimatedTokens: estimateTokens(request), signal: request.signal },
      );
    } catch (error) {
      running = Promise.reject(error);
    }
    return running.then(
      (response) => {
        this.report('ok', response);
        return response;
      },
      (error: unknown) => {
        this.report('error', undefined, error);
        throw error;
      },
    );
  }

  /**
   * Streams through the guard: the call holds its slot (and counts for the breaker) until the
   * stream ends, and every chunk reaches the caller as the provider sends it. A caller that stops
   * reading early aborts the provider stream, which frees the slot.
   */
  async *stream(given: LMRequest): AsyncIterable<LMStreamChunk> {
    const defaults = this.pool.callDefaults;
    const request = defaults === undefined ? given : withDefaults(given, defaults);
    const guard = this.pool.guardFor(this.key);
    const stop = new AbortController();
    const signal =
      request.signal === undefined ? stop.signal : AbortSignal.any([request.signal, stop.signal]);
    const channel = new AsyncChannel<LMStreamChunk>();
    let final: LMResponse | undefined;
    const pumped = guard
      .run(
        this.key,
        async (ctx) => {
          for await (const chunk of this.inner.stream({ ...request, signal })) {
            if (chunk.type === 'done') {
              final = chunk.response;
              if (chunk.response.usage !== null) ctx.reportTokens(chunk.response.usage.totalTokens);
            }
            channel.push(chunk);
          }
        },
        {
          estimatedTokens: estimateTokens(request),
          ...(request.signal === undefined ? {} : { signal: request.signal }),
        },
      )
      .then(
        () => {
          this.report('ok', final);
          channel.close();
        },
        (error: unknown) => {
          this.report('error', undefined, error);
          channel.fail(error);
        },
      );
    try {
      yield* channel.drain();
    } finally {
      // Early exit by the reader (break, throw): stop the provider stream and let the guard settle.
      stop.abort(new Error('stream consumer stopped reading'));
      await pumped;
    }
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
