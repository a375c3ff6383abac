import { BaseLM } from '../../src/lm/base-lm.js';
import { formatChatAnswer } from '../../src/lm/chat-format.js';
import type { ProviderResult } from '../../src/lm/provider-result.js';
import type { LM, LMMessage, LMParams, LMRequest } from '../../src/lm/types.js';

/** Decides the output fields of one call from its messages and request. */
export type Rule = (messages: readonly LMMessage[], request: LMRequest) => Record<string, unknown>;

/**
 * A scripted LM for optimizer tests: a real LM on the shared pipeline (callbacks, usage trackers,
 * history) whose answers come from a rule over the request instead of a list, so answers do not
 * depend on call order and concurrent runs stay deterministic. Records every request; copies share
 * the record.
 */
export class RuleLM extends BaseLM {
  readonly provider = 'rule';

  constructor(
    private readonly rule: Rule,
    readonly requests: LMRequest[] = [],
    params: LMParams = { temperature: 0 },
  ) {
    super('rule', { params, cache: false, retry: { maxAttempts: 1 } });
  }

  protected send(request: LMRequest): Promise<ProviderResult> {
    this.requests.push(request);
    const text = formatChatAnswer(this.rule(request.messages, request));
    return Promise.resolve({
      choices: [{ text, finishReason: 'stop' }],
      usage: { promptTokens: 10, completionTokens: 2 },
      model: 'rule',
    });
  }

  protected clone(_model: string, params: LMParams): LM {
    return new RuleLM(this.rule, this.requests, params);
  }
}

/** Text of the last user message (the current inputs). */
export function lastUser(messages: readonly LMMessage[]): string {
  const m = [...messages].reverse().find((x) => x.role === 'user');
  return (m?.content as string | undefined) ?? '';
}

/** Text of the demo turns (everything between the system message and the last user message). */
export function demoText(messages: readonly LMMessage[]): string {
  return messages
    .slice(1, -1)
    .map((m) => m.content ?? '')
    .join('\n');
}

/** The N of "What is item N?" in the current inputs. */
export function itemOf(messages: readonly LMMessage[]): number {
  const m = /What is item (\d+)\?/.exec(lastUser(messages));
  if (m === null) throw new Error('no item in the prompt');
  return Number(m[1]);
}
