import { currentContext } from '../../src/context/index.js';
import type { LM, LMParams, LMRequest, LMResponse, LMStreamChunk } from '../../src/lm/types.js';

/**
 * A test LM (an LM implementation, not an SDK mock): each call takes the next scripted completion,
 * given as its list of stream tokens; `complete` answers the joined text, `stream` yields the
 * tokens one by one then `done`. Records requests; adds `usage` to the context's trackers like the
 * real pipeline does.
 */
export class ScriptedStreamLM implements LM {
  readonly provider = 'scripted';
  readonly params: Readonly<LMParams> = {};
  readonly requests: LMRequest[] = [];
  private next = 0;

  constructor(
    private readonly script: readonly (readonly string[])[],
    readonly model = 'scripted-model',
    private readonly usage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
  ) {}

  private take(request: LMRequest): { tokens: readonly string[]; response: LMResponse } {
    this.requests.push(request);
    const tokens = this.script[this.next++] ?? ['[[ ## answer ## ]]\nNo more responses'];
    for (const t of currentContext().usageTrackers)
      t.add(`${this.provider}/${this.model}`, this.usage);
    return {
      tokens,
      response: {
        choices: [{ text: tokens.join(''), finishReason: 'stop' }],
        usage: this.usage,
        model: this.model,
        cached: false,
        latencyMs: 0,
      },
    };
  }

  complete(request: LMRequest): Promise<LMResponse> {
    return Promise.resolve(this.take(request).response);
  }

  async *stream(request: LMRequest): AsyncIterable<LMStreamChunk> {
    const { tokens, response } = this.take(request);
    for (const text of tokens) {
      await Promise.resolve();
      yield { type: 'text', index: 0, text };
    }
    yield { type: 'done', response };
  }

  copy(): LM {
    return this;
  }

  dumpState(): Record<string, unknown> {
    return { provider: this.provider, model: this.model };
  }
}
