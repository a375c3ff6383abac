import Anthropic from '@anthropic-ai/sdk';
import { BaseLM, type BaseLMOptions } from './base-lm.js';
import { nodeTransport, type FetchLike } from './http-transport.js';
import {
  codeForErrorType,
  lmErrorFromHttp,
  lmErrorFromSdkConnection,
  lmErrorFromTransport,
} from './http-error.js';
import { LMError } from './lm-error.js';
import {
  anthropicFinishReason,
  anthropicPromptTokens,
  forcedJsonTool,
  fromAnthropicMessage,
  toAnthropicBody,
} from './anthropic-wire.js';
import type { ProviderResult, ProviderStreamEvent } from './provider-result.js';
import type { LM, LMChoice, LMParams, LMRequest, ToolCall } from './types.js';

/** Options of {@link anthropic}. */
export interface AnthropicOptions extends BaseLMOptions {
  model: string;
  /** API key (default `ANTHROPIC_API_KEY`). */
  apiKey?: string | undefined;
  /** Base URL (default `ANTHROPIC_BASE_URL`, else api.anthropic.com). */
  baseURL?: string | undefined;
  /** `max_tokens` when a request sets none; the Messages API requires one (default 4096). */
  defaultMaxTokens?: number;
  /** Extra HTTP headers on every request (e.g. `anthropic-beta`). */
  defaultHeaders?: Record<string, string>;
  /**
   * The HTTP transport of the client dspex builds (default: {@link nodeTransport}, keep-alive
   * `node:http`, about half the CPU of Node's `fetch` per call); `globalThis.fetch` restores Node's.
   * Ignored with `client`.
   */
  fetch?: FetchLike;
  /** Use this SDK client instead of building one. */
  client?: Anthropic;
}

/** An LM on Anthropic's Messages API. Build with {@link anthropic}. */
export class AnthropicLM extends BaseLM {
  readonly provider: string = 'anthropic';
  /** JSON schemas are honoured through a forced tool call. */
  override readonly supportsStructuredOutputs: boolean = true;
  private readonly client: Anthropic;
  private readonly config: AnthropicOptions;
  private readonly defaultMaxTokens: number;

  constructor(config: AnthropicOptions) {
    super(config.model, config);
    this.config = config;
    this.defaultMaxTokens = config.defaultMaxTokens ?? 4096;
    this.client =
      config.client ??
      new Anthropic({
        apiKey: config.apiKey ?? process.env['ANTHROPIC_API_KEY'] ?? 'missing-api-key',
        baseURL: config.baseURL ?? process.env['ANTHROPIC_BASE_URL'] ?? null,
        // Our pipeline retries; our deadline covers the whole call (this is only a backstop).
        maxRetries: 0,
        fetch: config.fetch ?? nodeTransport,
        timeout: 2 ** 31 - 1,
        ...(config.defaultHeaders === undefined ? {} : { defaultHeaders: config.defaultHeaders }),
      });
  }

  protected clone(model: string, params: LMParams): LM {
    return new AnthropicLM({ ...this.config, model, params, client: this.client });
  }

  protected override stateExtras(): Record<string, unknown> {
    return { defaultMaxTokens: this.defaultMaxTokens };
  }

  /** The Messages API has no `n`: n > 1 makes n calls in parallel and sums their usage. */
  protected async send(req: LMRequest, signal: AbortSignal | undefined): Promise<ProviderResult> {
    const body = toAnthropicBody(this.model, req, this.defaultMaxTokens);
    const forced = forcedJsonTool(req)?.name;
    const n = Math.max(1, req.n ?? 1);
    try {
      const messages = await Promise.all(
        Array.from({ length: n }, () =>
          this.client.messages.create(body, signal === undefined ? {} : { signal }),
        ),
      );
      let prompt = 0;
      let completion = 0;
      for (const m of messages) {
        if (!Array.isArray(m?.content) || typeof m.usage !== 'object') {
          throw new LMError('parse', 'anthropic: response is not a message', {
            details: { provider: this.provider },
          });
        }
        prompt += anthropicPromptTokens(m.usage);
        completion += m.usage.output_tokens;
      }
      return {
        choices: messages.map((m) => fromAnthropicMessage(m, forced)),
        usage: { promptTokens: prompt, completionTokens: completion },
        model: messages[0]?.model ?? this.model,
        raw: n === 1 ? messages[0] : messages,
      };
    } catch (e) {
      throw this.toLMError(e);
    }
  }

  protected override async *sendStream(
    req: LMRequest,
    signal: AbortSignal | undefined,
  ): AsyncIterable<ProviderStreamEvent> {
    const body = toAnthropicBody(this.model, req, this.defaultMaxTokens);
    const forced = forcedJsonTool(req)?.name;
    const n = Math.max(1, req.n ?? 1);
    const choices: LMChoice[] = [];
    let prompt = 0;
    let completion = 0;
    let model = this.model;
    try {
      // No native `n`: the n completions are streamed one after another, each with its index.
      for (let index = 0; index < n; index++) {
        const stream = await this.client.messages.create(
          { ...body, stream: true },
          signal === undefined ? {} : { signal },
        );
        let text = '';
        let reasoning = '';
        let forcedJson: string | undefined;
        let stop: string | null = null;
        let inTokens = 0;
        let outTokens = 0;
        const blocks = new Map<
          number,
          { kind: 'text' | 'tool' | 'forced' | 'other'; call?: ToolCall; callIndex?: number }
        >();
        let toolBlocks = 0;
        for await (const ev of stream) {
          if (ev.type === 'message_start') {
            model = ev.message.model || model;
            inTokens = anthropicPromptTokens(ev.message.usage);
            outTokens = ev.message.usage.output_tokens;
          } else if (ev.type === 'content_block_start') {
            const b = ev.content_block;
            if (b.type === 'text') {
              blocks.set(ev.index, { kind: 'text' });
              if (b.text !== '') {
                text += b.text;
                yield { type: 'text', index, text: b.text };
              }
            } else if (b.type === 'tool_use' && forced !== undefined && b.name === forced) {
              blocks.set(ev.index, { kind: 'forced' });
              forcedJson = '';
            } else if (b.type === 'tool_use') {
              const call: ToolCall = { id: b.id, name: b.name, arguments: '' };
              const callIndex = toolBlocks++;
              blocks.set(ev.index, { kind: 'tool', call, callIndex });
              yield { type: 'tool_call', index, callIndex, toolCall: { id: b.id, name: b.name } };
            } else blocks.set(ev.index, { kind: 'other' });
          } else if (ev.type === 'content_block_delta') {
            const block = blocks.get(ev.index);
            const d = ev.delta;
            if (d.type === 'text_delta') {
              text += d.text;
              yield { type: 'text', index, text: d.text };
            } else if (d.type === 'thinking_delta') {
              reasoning += d.thinking;
            } else if (d.type === 'input_json_delta' && block?.kind === 'forced') {
              forcedJson = (forcedJson ?? '') + d.partial_json;
              yield { type: 'text', index, text: d.partial_json };
            } else if (d.type === 'input_json_delta' && block?.call !== undefined) {
              block.call.arguments += d.partial_json;
              yield {
                type: 'tool_call',
                index,
                callIndex: block.callIndex ?? 0,
                toolCall: { id: block.call.id, arguments: d.partial_json },
              };
            }
          } else if (ev.type === 'message_delta') {
            stop = ev.delta.stop_reason ?? stop;
            // message_delta's counts are cumulative: they replace message_start's.
            outTokens = ev.usage.output_tokens;
            if (typeof ev.usage.input_tokens === 'number')
              inTokens = anthropicPromptTokens(ev.usage);
          }
        }
        prompt += inTokens;
        completion += outTokens;
        const calls = [...blocks.values()].flatMap((b) =>
          b.call === undefined
            ? []
            : [{ ...b.call, arguments: b.call.arguments === '' ? '{}' : b.call.arguments }],
        );
        const choice: LMChoice = {
          text: forcedJson ?? text,
          finishReason: forcedJson !== undefined ? 'stop' : anthropicFinishReason(stop),
        };
        if (calls.length > 0) choice.toolCalls = calls;
        if (reasoning !== '') choice.reasoning = reasoning;
        choices.push(choice);
      }
    } catch (e) {
      throw this.toLMError(e);
    }
    yield {
      type: 'end',
      result: { choices, usage: { promptTokens: prompt, completionTokens: completion }, model },
    };
  }

  /** Maps SDK errors by class, status and body type (never by message text, see below). */
  private toLMError(e: unknown): unknown {
    if (e instanceof LMError) return e;
    const connection = lmErrorFromSdkConnection(this.provider, e, {
      abort: Anthropic.APIUserAbortError,
      timeout: Anthropic.APIConnectionTimeoutError,
      connection: Anthropic.APIConnectionError,
    });
    if (connection !== undefined) return connection;
    if (e instanceof Anthropic.APIError && typeof e.status === 'number') {
      const bodyError = (e.error as { error?: { message?: unknown } } | undefined)?.error;
      const bodyMessage = typeof bodyError?.message === 'string' ? bodyError.message : '';
      return lmErrorFromHttp({
        provider: this.provider,
        status: e.status,
        headers: e.headers,
        message: e.message,
        providerCode: e.type ?? undefined,
        requestId: e.requestID,
        // The one text-based test: Anthropic reports an oversized prompt only as an
        // invalid_request_error whose body message starts "prompt is too long".
        contextWindowExceeded:
          e.status === 400 &&
          e.type === 'invalid_request_error' &&
          bodyMessage.startsWith('prompt is too long'),
        cause: e,
      });
    }
    if (e instanceof Anthropic.APIError) {
      // An `error` event inside a stream: no status, only the body's error type.
      return new LMError(codeForErrorType(e.type), `anthropic: ${e.message}`, {
        cause: e,
        details: { provider: this.provider, providerCode: e.type ?? undefined },
      });
    }
    return lmErrorFromTransport(this.provider, e) ?? e;
  }
}

/**
 * A Claude model on Anthropic's Messages API through the official `@anthropic-ai/sdk`.
 *
 * @example
 * ```ts
 * const lm = anthropic({ model: 'claude-sonnet-4-20250514', params: { maxTokens: 2048 } });
 * const res = await lm.complete({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }] });
 * ```
 */
export function anthropic(options: AnthropicOptions): AnthropicLM {
  return new AnthropicLM(options);
}
