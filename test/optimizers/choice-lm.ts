import { BaseLM, type BaseLMOptions } from '../../src/lm/base-lm.js';
import { formatChatAnswer } from '../../src/lm/chat-format.js';
import type { ProviderResult } from '../../src/lm/provider-result.js';
import type { LM, LMParams, LMRequest } from '../../src/lm/types.js';

/** Decides the output fields of choice `choice` (0-based, `n` per request) of one call. */
export type ChoiceRule = (request: LMRequest, choice: number) => Record<string, unknown>;

/**
 * A scripted LM on the shared pipeline that answers `n` choices per request (what COPRO's
 * proposals ask for), with fixed usage per call (100 prompt, 20 completion tokens) so dollar
 * budgets are exact. Records every request; copies share the record.
 */
export class ChoiceLM extends BaseLM {
  readonly provider = 'choice';

  constructor(
    private readonly rule: ChoiceRule,
    readonly requests: LMRequest[] = [],
    model = 'choice',
    private readonly extra: Pick<BaseLMOptions, 'pricing'> = {},
    params: LMParams = { temperature: 0 },
  ) {
    super(model, { params, cache: false, retry: { maxAttempts: 1 }, ...extra });
  }

  protected send(request: LMRequest): Promise<ProviderResult> {
    this.requests.push(request);
    const n = request.n ?? 1;
    return Promise.resolve({
      choices: Array.from({ length: n }, (_, i) => ({
        text: formatChatAnswer(this.rule(request, i)),
        finishReason: 'stop' as const,
      })),
      usage: { promptTokens: 100, completionTokens: 20 },
      model: this.model,
    });
  }

  protected clone(model: string, params: LMParams): LM {
    return new ChoiceLM(this.rule, this.requests, model, this.extra, params);
  }
}

/** The system message of a request. */
export function systemOf(request: LMRequest): string {
  return (request.messages.find((m) => m.role === 'system')?.content as string | undefined) ?? '';
}

/** The last user message of a request. */
export function userOf(request: LMRequest): string {
  return (
    ([...request.messages].reverse().find((m) => m.role === 'user')?.content as
      string | undefined) ?? ''
  );
}
