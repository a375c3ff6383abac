import OpenAI from 'openai';
import { BaseLM, type BaseLMOptions } from './base-lm.js';
import { nodeTransport, type FetchLike } from './http-transport.js';
import { LMError } from './lm-error.js';
import { openAIErrorToLM } from './openai-error.js';
import { fromOpenAICompletion, openAIFinishReason, toOpenAIBody } from './openai-wire.js';
import type { ProviderResult, ProviderStreamEvent } from './provider-result.js';
import type { LM, LMChoice, LMParams, LMRequest, ToolCall } from './types.js';

/** Options of {@link openai}. */
export interface OpenAIOptions extends BaseLMOptions {
  /** Model name as the server knows it. */
  model: string;
  /** API key (default `OPENAI_API_KEY`; local servers accept any string). */
  apiKey?: string | undefined;
  /** Base URL of any OpenAI-compatible server (default `OPENAI_BASE_URL`, else api.openai.com). */
  baseURL?: string | undefined;
  /** Organization / project headers, passed to the SDK. */
  organization?: string;
  project?: string;
  /** Extra HTTP headers on every request. */
  defaultHeaders?: Record<string, string>;
  /**
   * Whether the server honours strict `json_schema` response formats (default true; set false for
   * OpenAI-compatible servers that do not, so the JSONAdapter falls back to JSON mode).
   */
  supportsStructuredOutputs?: boolean;
  /**
   * The HTTP transport of the client dspex builds (default: {@link nodeTransport}, keep-alive
   * `node:http`, about half the CPU of Node's `fetch` per call); `globalThis.fetch` restores Node's.
   * Ignored with `client`.
   */
  fetch?: FetchLike;
  /** Use this SDK client instead of building one (its own retries are still ours to manage). */
  client?: OpenAI;
}

/** An LM on the OpenAI chat-completions API (or any server speaking it). Build with {@link openai}. */
export class OpenAILM extends BaseLM {
  readonly provider: string = 'openai';
  override readonly supportsStructuredOutputs: boolean;
  private readonly client: OpenAI;
  private readonly config: OpenAIOptions;

  constructor(config: OpenAIOptions) {
    super(config.model, config);
    this.config = config;
    this.supportsStructuredOutputs = config.supportsStructuredOutputs ?? true;
    this.client =
      config.client ??
      new OpenAI({
        apiKey: config.apiKey ?? process.env['OPENAI_API_KEY'] ?? 'missing-api-key',
        baseURL: config.baseURL ?? process.env['OPENAI_BASE_URL'] ?? null,
        organization: config.organization ?? null,
        project: config.project ?? null,
        // Our pipeline retries (with retry-after and abort semantics); the SDK must not as well.
        maxRetries: 0,
        fetch: config.fetch ?? nodeTransport,
        // Our per-attempt deadline covers the whole call including the body; this is a backstop.
        timeout: 2 ** 31 - 1,
        ...(config.defaultHeaders === undefined ? {} : { defaultHeaders: config.defaultHeaders }),
      });
  }

  protected clone(model: string, params: LMParams): LM {
    return new OpenAILM({ ...this.config, model, params, client: this.client });
  }

  protected override stateExtras(): Record<string, unknown> {
    return { supportsStructuredOutputs: this.supportsStructuredOutputs };
  }

  protected send(req: LMRequest, signal: AbortSignal | undefined): Promise<ProviderResult> {
    // `.then` on the SDK's promise instead of `await`: awaiting its promise subclass costs a
    // thenable job and a wrapper promise on every call. Mapping errors below are ours (LMError or
    // bugs) and `toLMError` would pass them through unchanged.
    try {
      return this.client.chat.completions
        .create(toOpenAIBody(this.model, req), signal === undefined ? {} : { signal })
        .then(
          (completion) => this.fromCompletion(completion),
          (e: unknown) => {
            throw this.toLMError(e);
          },
        );
    } catch (e) {
      return Promise.reject(this.toLMError(e));
    }
  }

  private fromCompletion(completion: OpenAI.Chat.Completions.ChatCompletion): ProviderResult {
    if (!Array.isArray(completion.choices)) {
      throw new LMError('parse', 'openai: response has no choices', {
        details: { provider: this.provider },
      });
    }
    const u = completion.usage;
    return {
      choices: fromOpenAICompletion(completion),
      usage: u ? { promptTokens: u.prompt_tokens, completionTokens: u.completion_tokens } : null,
      model: completion.model,
      raw: completion,
    };
  }

  protected override async *sendStream(
    req: LMRequest,
    signal: AbortSignal | undefined,
  ): AsyncIterable<ProviderStreamEvent> {
    const choices = new Map<number, LMChoice>();
    // Tool-call deltas arrive as fragments keyed by (choice index, tool index).
    const calls = new Map<number, Map<number, ToolCall>>();
    let usage: ProviderResult['usage'] = null;
    let model = this.model;
    try {
      const stream = await this.client.chat.completions.create(
        { ...toOpenAIBody(this.model, req), stream: true, stream_options: { include_usage: true } },
        signal === undefined ? {} : { signal },
      );
      for await (const chunk of stream) {
        if (chunk.model) model = chunk.model;
        if (chunk.usage) {
          usage = {
            promptTokens: chunk.usage.prompt_tokens,
            completionTokens: chunk.usage.completion_tokens,
          };
        }
        for (const ch of chunk.choices ?? []) {
          let choice = choices.get(ch.index);
          if (choice === undefined) {
            choice = { text: '', finishReason: 'other' };
            choices.set(ch.index, choice);
          }
          const reasoning = (ch.delta as { reasoning_content?: unknown } | undefined)
            ?.reasoning_content;
          if (typeof reasoning === 'string' && reasoning !== '') {
            choice.reasoning = (choice.reasoning ?? '') + reasoning;
          }
          const text = ch.delta?.content;
          if (typeof text === 'string' && text !== '') {
            choice.text += text;
            yield { type: 'text', index: ch.index, text };
          }
          for (const d of ch.delta?.tool_calls ?? []) {
            let perChoice = calls.get(ch.index);
            if (perChoice === undefined) calls.set(ch.index, (perChoice = new Map()));
            let call = perChoice.get(d.index);
            if (call === undefined)
              perChoice.set(d.index, (call = { id: '', name: '', arguments: '' }));
            if (d.id) call.id = d.id;
            if (d.function?.name) call.name += d.function.name;
            if (d.function?.arguments) call.arguments += d.function.arguments;
            const piece: ProviderStreamEvent = {
              type: 'tool_call',
              index: ch.index,
              callIndex: d.index,
              toolCall: {},
            };
            if (d.id) piece.toolCall.id = d.id;
            if (d.function?.name) piece.toolCall.name = d.function.name;
            if (d.function?.arguments) piece.toolCall.arguments = d.function.arguments;
            yield piece;
          }
          if (ch.finish_reason) choice.finishReason = openAIFinishReason(ch.finish_reason);
        }
      }
    } catch (e) {
      throw this.toLMError(e);
    }
    const ordered = [...choices.entries()].sort((a, b) => a[0] - b[0]);
    const result: LMChoice[] = ordered.map(([i, c]) => {
      const tc = calls.get(i);
      return tc === undefined
        ? c
        : { ...c, toolCalls: [...tc.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v) };
    });
    yield { type: 'end', result: { choices: result, usage, model } };
  }

  /** Maps SDK errors by class and status (never by message text). */
  private toLMError(e: unknown): unknown {
    return openAIErrorToLM(this.provider, e);
  }
}

/**
 * An OpenAI (or OpenAI-compatible: vLLM, Ollama, llama.cpp, LM Studio) chat model through the
 * official `openai` SDK.
 *
 * @example
 * ```ts
 * const lm = openai({ model: 'gpt-4o-mini', params: { temperature: 0 } });
 * const local = openai({ model: 'llama3.1', baseURL: 'http://localhost:11434/v1', apiKey: 'ollama' });
 * const res = await lm.complete({ messages: [{ role: 'user', content: 'Hi' }] });
 * ```
 */
export function openai(options: OpenAIOptions): OpenAILM {
  return new OpenAILM(options);
}
