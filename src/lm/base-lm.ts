import { nanoid } from 'nanoid';
import { currentContext, emitCallback } from '../context/index.js';
import { abortedError, runWithDeadline } from './abort.js';
import { getDefaultCache } from './cache-config.js';
import { requestCacheKey } from './cache-key.js';
import { HistoryBuffer, recordGlobalHistory, type LMHistoryEntry } from './history.js';
import { renderHistory, type InspectHistoryOptions } from './inspect-history.js';
import { LMError } from './lm-error.js';
import { costOf, getPriceTable, priceCost, type ModelPrice, type PriceTable } from './pricing.js';
import type { ProviderResult, ProviderStreamEvent } from './provider-result.js';
import type { CachedCompletion, ResponseCache } from './response-cache.js';
import {
  resolveRetry,
  waitBeforeRetry,
  withRetries,
  type ResolvedRetry,
  type RetryOptions,
} from './retry.js';
import { streamWithDeadline } from './stream-deadline.js';
import type { LM, LMParams, LMRequest, LMResponse, LMStreamChunk, Usage } from './types.js';

/** Options every LM built on {@link BaseLM} accepts. */
export interface BaseLMOptions {
  /** Default generation parameters, merged under each request's own. */
  params?: LMParams;
  /**
   * Response cache: `true`/absent = the process-wide cache ({@link configureCache}), `false` = none,
   * or a cache of its own (e.g. a fresh `MemoryCache` per test).
   */
  cache?: ResponseCache | boolean;
  /** Retry policy (default: 4 attempts, exponential backoff with full jitter, retry-after honoured). */
  retry?: RetryOptions;
  /** Per-attempt timeout in ms (default 600 000); a request's own `timeoutMs` wins. */
  timeoutMs?: number;
  /** Calls kept in this LM's history (default 1000). */
  historySize?: number;
  /** Price table for cost (default: the process-wide one, see {@link setPriceTable}). */
  prices?: PriceTable;
  /**
   * This LM's own price in USD per 1M tokens (`{ input, output }`); wins over `prices` and the
   * process-wide table, so an unlisted or self-hosted model can be priced where it is created.
   */
  pricing?: ModelPrice;
  /** The model returns native reasoning content (default false; see {@link BaseLM.supportsReasoning}). */
  supportsReasoning?: boolean;
}

const DEFAULT_TIMEOUT_MS = 600_000;

/**
 * The shared LM pipeline (DSPy's `BaseLM.__call__`): callbacks → cache → retries with per-attempt
 * deadline → provider → usage/cost → usage trackers → history. Providers implement only `send`
 * (and `sendStream`), translating one request to their wire format and mapping their errors to
 * {@link LMError}.
 */
export abstract class BaseLM implements LM {
  abstract readonly provider: string;
  readonly model: string;
  readonly params: Readonly<LMParams>;
  /** Whether the JSONAdapter may ask for strict JSON-schema output. */
  readonly supportsStructuredOutputs?: boolean;
  /**
   * Whether the model returns native reasoning (`reasoning_content`, Anthropic thinking), so a
   * `Reasoning` output is taken from it instead of the text (DSPy's `supports_reasoning`).
   */
  readonly supportsReasoning: boolean;
  /** The most recent calls of this LM (oldest first via `history.list()`). */
  readonly history: HistoryBuffer;
  protected readonly options: BaseLMOptions;
  private readonly retryPolicy: ResolvedRetry;
  /** `provider/model`, the usage trackers' key (built on first use: `provider` is a subclass field). */
  private trackerKey: string | undefined;

  protected constructor(model: string, options: BaseLMOptions) {
    this.model = model;
    const { pricing } = options;
    if (
      pricing !== undefined &&
      !(
        Number.isFinite(pricing.input) &&
        pricing.input >= 0 &&
        Number.isFinite(pricing.output) &&
        pricing.output >= 0
      )
    ) {
      throw new LMError(
        'bad_request',
        `pricing must be { input, output } in USD per 1M tokens, both finite numbers >= 0; got ${JSON.stringify(pricing)}`,
      );
    }
    this.options = options;
    this.supportsReasoning = options.supportsReasoning ?? false;
    this.params = Object.freeze({ ...(options.params ?? {}) });
    this.retryPolicy = resolveRetry(options.retry);
    this.history = new HistoryBuffer(options.historySize ?? 1000);
  }

  /** Sends one request (params merged) to the provider. Throw {@link LMError}s. */
  protected abstract send(
    request: LMRequest,
    signal: AbortSignal | undefined,
  ): Promise<ProviderResult>;

  /** Streams one request; the default synthesises a stream from `send` (one chunk per choice). */
  protected async *sendStream(
    request: LMRequest,
    signal: AbortSignal | undefined,
  ): AsyncIterable<ProviderStreamEvent> {
    const result = await this.send(request, signal);
    for (const [index, c] of result.choices.entries()) {
      if (c.text !== '') yield { type: 'text', index, text: c.text };
      for (const [callIndex, tc] of (c.toolCalls ?? []).entries())
        yield { type: 'tool_call', index, callIndex, toolCall: tc };
    }
    yield { type: 'end', result };
  }

  /** A new LM of the same kind with another model and default params (same credentials and cache). */
  protected abstract clone(model: string, params: LMParams): LM;

  /** Extra JSON-safe state for `dumpState` (never credentials or base URLs). */
  protected stateExtras(): Record<string, unknown> {
    return {};
  }

  copy(overrides: Partial<LMParams> & { model?: string }): LM {
    const { model, ...params } = overrides;
    return this.clone(model ?? this.model, { ...this.params, ...params });
  }

  dumpState(): Record<string, unknown> {
    return {
      provider: this.provider,
      model: this.model,
      params: { ...this.params },
      ...this.stateExtras(),
    };
  }

  /** The cache key of a request as this LM would compute it (params merged). */
  cacheKey(request: LMRequest): string {
    return requestCacheKey(this.provider, this.model, Object.assign({}, this.params, request));
  }

  /** Renders this LM's last `n` calls in DSPy's `inspect_history` layout. */
  inspectHistory(n = 1, options: InspectHistoryOptions = {}): string {
    return renderHistory(this.history.list(n), options);
  }

  complete(request: LMRequest): Promise<LMResponse> {
    // Not `async`: without observers the call is one `.then` on the attempt's promise (the hot path
    // of every prediction); a synchronous throw still becomes a rejection.
    try {
      const req: LMRequest = Object.assign({}, this.params, request);
      const callId = nanoid();
      if (currentContext().callbacks.length > 0) return this.completeObserved(callId, req);
      const cache = this.cacheFor(req);
      if (cache === null) return this.completeLive(req, callId);
      return this.completeCached(req, cache).then((response) => {
        this.account(callId, req, response);
        return response;
      });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** {@link BaseLM.complete} with `onLmStart`/`onLmEnd` around it. */
  private async completeObserved(callId: string, req: LMRequest): Promise<LMResponse> {
    emitCallback('onLmStart', callId, this, callbackInputs(req));
    try {
      const response = await this.completeUncounted(req);
      this.account(callId, req, response);
      emitCallback('onLmEnd', callId, response, null);
      return response;
    } catch (e) {
      emitCallback('onLmEnd', callId, null, e);
      throw e;
    }
  }

  async *stream(request: LMRequest): AsyncIterable<LMStreamChunk> {
    const req: LMRequest = Object.assign({}, this.params, request);
    const callId = nanoid();
    emitCallback('onLmStart', callId, this, callbackInputs(req));
    let ended = false;
    try {
      const cache = this.cacheFor(req);
      const key = cache === null ? undefined : this.keyOf(req);
      if (cache !== null && key !== undefined) {
        const hit = await safeGet(cache, key);
        if (hit !== undefined) {
          const response = fromCache(hit);
          this.account(callId, req, response);
          ended = true;
          emitCallback('onLmEnd', callId, response, null);
          yield { type: 'done', response };
          return;
        }
      }
      const started = performance.now();
      let result: ProviderResult | undefined;
      let yielded = false;
      for (let attempt = 1; result === undefined; attempt++) {
        try {
          for await (const ev of streamWithDeadline(
            this.provider,
            req.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
            req.signal,
            (signal) => this.sendStream(req, signal),
          )) {
            if (ev.type === 'end') result = ev.result;
            else {
              yielded = true;
              yield ev;
            }
          }
          if (result === undefined) {
            throw new LMError('network', `${this.provider} stream ended before completion`, {
              details: { provider: this.provider },
            });
          }
        } catch (e) {
          // Retrying after chunks went out would duplicate them: only failures before the first
          // chunk are retried.
          if (yielded || !(e instanceof LMError)) throw e;
          if (!(await waitBeforeRetry(this.provider, this.retryPolicy, attempt, e, req.signal)))
            throw e;
        }
      }
      const response = this.toResponse(result, performance.now() - started);
      if (cache !== null && key !== undefined) await safeSet(cache, key, response);
      this.account(callId, req, response);
      ended = true;
      emitCallback('onLmEnd', callId, response, null);
      yield { type: 'done', response };
    } catch (e) {
      ended = true;
      emitCallback('onLmEnd', callId, null, e);
      throw e;
    } finally {
      if (!ended) emitCallback('onLmEnd', callId, null, abortedError(this.provider));
    }
  }

  /**
   * One call with cache, retries and deadline but without callbacks, usage trackers or history:
   * for wrappers (the recording LM) that account for the call themselves.
   * @internal
   */
  completeUnobserved(request: LMRequest): Promise<LMResponse> {
    return this.completeUncounted(Object.assign({}, this.params, request));
  }

  /** Cache, retries and deadline, without callbacks or accounting (those wrap it). */
  private completeUncounted(req: LMRequest): Promise<LMResponse> {
    const cache = this.cacheFor(req);
    return cache === null ? this.completeLive(req) : this.completeCached(req, cache);
  }

  /** A cache hit, else a live call whose response is then stored. */
  private async completeCached(req: LMRequest, cache: ResponseCache): Promise<LMResponse> {
    const key = this.keyOf(req);
    const hit = await safeGet(cache, key);
    if (hit !== undefined) return fromCache(hit);
    const response = await this.completeLive(req);
    await safeSet(cache, key, response);
    return response;
  }

  /**
   * Retries with a per-attempt deadline around the provider's `send`; accounted as `callId` when
   * given. One `.then` on the attempts (not an `async` frame): this runs on every LM call.
   */
  private completeLive(req: LMRequest, callId?: string): Promise<LMResponse> {
    if (req.signal?.aborted) return Promise.reject(abortedError(this.provider, req.signal.reason));
    const started = performance.now();
    const timeoutMs = req.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const policy =
      req.maxAttempts === undefined
        ? this.retryPolicy
        : { ...this.retryPolicy, maxAttempts: Math.max(1, Math.floor(req.maxAttempts)) };
    return withRetries(this.provider, policy, req.signal, () =>
      runWithDeadline(this.provider, timeoutMs, req.signal, (signal) => this.send(req, signal)),
    ).then((result) => {
      if (req.maxResponseChars !== undefined) this.assertSize(result, req.maxResponseChars);
      const response = this.toResponse(result, performance.now() - started);
      if (callId !== undefined) this.account(callId, req, response);
      return response;
    });
  }

  /** Fails a call whose answer is longer than `limit` characters, before anything parses it. */
  private assertSize(result: ProviderResult, limit: number): void {
    let chars = 0;
    for (const c of result.choices) {
      chars += c.text.length;
      for (const t of c.toolCalls ?? []) chars += JSON.stringify(t).length;
    }
    if (chars > limit)
      throw new LMError(
        'response_too_large',
        `${this.provider} answered ${chars} characters, above the limit of ${limit} (maxResponseChars)`,
        { details: { provider: this.provider, chars, limit } },
      );
  }

  private keyOf(req: LMRequest): string {
    return requestCacheKey(this.provider, this.model, req);
  }

  private cacheFor(req: LMRequest): ResponseCache | null {
    if (req.cache === false) return null;
    const c = this.options.cache;
    if (c === false) return null;
    if (c === undefined || c === true) return getDefaultCache();
    return c;
  }

  private toResponse(result: ProviderResult, latencyMs: number): LMResponse {
    let usage: Usage | null = null;
    if (result.usage !== null) {
      const { promptTokens, completionTokens } = result.usage;
      const cost =
        this.options.pricing !== undefined
          ? priceCost(this.options.pricing, promptTokens, completionTokens)
          : costOf(
              result.model || this.model,
              promptTokens,
              completionTokens,
              this.options.prices ?? getPriceTable(),
            );
      usage = { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
      if (cost !== undefined) usage.cost = cost;
    }
    const response: LMResponse = {
      choices: result.choices,
      usage,
      model: result.model || this.model,
      cached: false,
      latencyMs,
    };
    if (result.raw !== undefined) response.raw = result.raw;
    return response;
  }

  /** Usage trackers of the current context, then this LM's and the global history. */
  private account(callId: string, req: LMRequest, response: LMResponse): void {
    if (response.usage !== null) {
      this.trackerKey ??= `${this.provider}/${this.model}`;
      for (const t of currentContext().usageTrackers) t.add(this.trackerKey, response.usage);
    }
    // Destructuring (not copy-then-delete) keeps `params` a fast-properties object.
    const { signal: _signal, messages: _messages, ...params } = req;
    const entry: LMHistoryEntry = {
      callId,
      timestamp: new Date().toISOString(),
      provider: this.provider,
      model: this.model,
      messages: req.messages,
      params,
      response,
      usage: response.usage,
      cost: response.usage?.cost ?? null,
    };
    this.history.push(entry);
    recordGlobalHistory(entry);
  }
}

/** What callbacks see as the LM's inputs: the request without its abort signal. */
function callbackInputs(req: LMRequest): Record<string, unknown> {
  const { signal: _signal, ...rest } = req;
  return rest as Record<string, unknown>;
}

function fromCache(hit: CachedCompletion): LMResponse {
  return {
    choices: hit.choices.map((c) => ({ ...c })),
    usage: null,
    model: hit.model,
    cached: true,
    latencyMs: 0,
  };
}

async function safeGet(cache: ResponseCache, key: string): Promise<CachedCompletion | undefined> {
  try {
    return await cache.get(key);
  } catch {
    return undefined;
  }
}

async function safeSet(cache: ResponseCache, key: string, response: LMResponse): Promise<void> {
  try {
    await cache.set(key, { choices: response.choices, model: response.model });
  } catch {
    // A cache never fails a call.
  }
}
