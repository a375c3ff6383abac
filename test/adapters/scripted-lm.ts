import type { LM, LMParams, LMRequest, LMResponse, LMStreamChunk } from '../../src/lm/types.js';

/** One scripted reply: completion texts (one per choice), or an error to throw. */
export type ScriptedReply = string | string[] | Error;

/**
 * A tiny LM for adapter tests: returns queued replies in order and records every request. It is a
 * real implementation of the `LM` interface (no SDK involved), so adapters are exercised end to end.
 */
export class ScriptedLM implements LM {
  readonly provider = 'scripted';
  readonly model = 'scripted-model';
  readonly params: Readonly<LMParams> = {};
  readonly requests: LMRequest[] = [];
  readonly supportsStructuredOutputs?: boolean;
  private readonly replies: ScriptedReply[];

  constructor(replies: ScriptedReply[], options: { supportsStructuredOutputs?: boolean } = {}) {
    this.replies = [...replies];
    if (options.supportsStructuredOutputs !== undefined) {
      this.supportsStructuredOutputs = options.supportsStructuredOutputs;
    }
  }

  async complete(request: LMRequest): Promise<LMResponse> {
    this.requests.push(request);
    const reply = this.replies.shift();
    if (reply === undefined) throw new Error('ScriptedLM: no reply left');
    if (reply instanceof Error) throw reply;
    const texts = Array.isArray(reply) ? reply : [reply];
    return {
      choices: texts.map((text) => ({ text, finishReason: 'stop' as const })),
      usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
      model: this.model,
      cached: false,
      latencyMs: 0,
    };
  }

  // eslint-disable-next-line require-yield
  async *stream(): AsyncIterable<LMStreamChunk> {
    throw new Error('ScriptedLM does not stream');
  }

  copy(): LM {
    return this;
  }

  dumpState(): Record<string, unknown> {
    return { provider: this.provider, model: this.model };
  }
}
