import { BaseLM, type BaseLMOptions } from './base-lm.js';
import { FIELD_HEADER, formatChatAnswer, formatJsonAnswer, messageText } from './chat-format.js';
import type { ProviderResult } from './provider-result.js';
import type { LM, LMChoice, LMMessage, LMParams, LMRequest, ToolCall } from './types.js';

/** One scripted answer: output fields (rendered in the chosen format) or raw completion text. */
export type DummyAnswer = Readonly<Record<string, unknown>> | string;

const NATIVE = Symbol('dspex.dummyNativeAnswer');

/** A scripted completion with native parts; build it with {@link nativeAnswer}. */
export interface NativeAnswer {
  readonly [NATIVE]: true;
  readonly text: DummyAnswer;
  readonly toolCalls: ToolCall[] | undefined;
  readonly reasoning: string | undefined;
}

/**
 * A {@link DummyLM} answer carrying what providers return besides text: native tool calls
 * (arguments given as objects; ids default to `call_<n>`) and reasoning content. `text` is rendered
 * like any answer (fields or raw text; default empty).
 *
 * @example
 * ```ts
 * new DummyLM([nativeAnswer({ toolCalls: [{ name: 'search', args: { query: 'cats' } }] })]);
 * ```
 */
export function nativeAnswer(parts: {
  text?: DummyAnswer;
  toolCalls?: { id?: string; name: string; args: Record<string, unknown> }[];
  reasoning?: string;
}): NativeAnswer & Readonly<Record<string, unknown>> {
  return {
    [NATIVE]: true,
    text: parts.text ?? '',
    toolCalls: parts.toolCalls?.map((c, i) => ({
      id: c.id ?? `call_${i}`,
      name: c.name,
      arguments: JSON.stringify(c.args),
    })),
    reasoning: parts.reasoning,
  };
}

function isNative(a: DummyAnswer): a is NativeAnswer & Readonly<Record<string, unknown>> {
  return typeof a === 'object' && NATIVE in a;
}

/** Options of {@link DummyLM}. */
export interface DummyLMOptions extends Omit<BaseLMOptions, 'cache'> {
  /** Answer with the demo whose user turn contains the current input (DSPy `follow_examples`). */
  followExamples?: boolean;
  /** Add `reasoning: 'Some reasoning'` to every choice (native-reasoning tests). */
  reasoning?: boolean;
  /** Render field answers for the ChatAdapter (default) or the JSONAdapter. */
  format?: 'chat' | 'json';
  /** Append `[[ ## completed ## ]]` to chat answers (default true; DSPy's DummyLM omits it). */
  completedMarker?: boolean;
  /** Usage reported per completion (default zeros, like DSPy). */
  usage?: { promptTokens: number; completionTokens: number };
  /**
   * Response cache (default off, unlike DSPy, so scripted answers are consumed even when the same
   * prompt repeats across tests sharing a process).
   */
  cache?: BaseLMOptions['cache'];
  /** Model name reported (default `dummy`). */
  model?: string;
}

/** Shared between an LM and its copies, so a copy keeps consuming the same script. */
interface Script {
  list: DummyAnswer[] | undefined;
  next: number;
  byInput: ReadonlyMap<string, DummyAnswer> | undefined;
}

const EXHAUSTED: DummyAnswer = { answer: 'No more responses' };

function contentOf(m: LMMessage | undefined): string {
  if (m === undefined) return '';
  return messageText(m.content);
}

/**
 * A scripted LM for tests and docs (DSPy's `DummyLM`), going through the same pipeline as real
 * providers (callbacks, history, usage trackers). Three modes:
 * 1. a list of answers, returned in order (one per completion; `n` consumes `n`); when exhausted,
 *    `{ answer: 'No more responses' }`;
 * 2. a record keyed by input text: the first key contained in the last user message wins, else the
 *    text `No more responses`;
 * 3. `followExamples`: replays the assistant turn of the demo whose user turn contains the current
 *    input block (falls back to the list/record when no demo matches).
 *
 * @example
 * ```ts
 * const lm = new DummyLM([{ answer: 'Paris' }]);
 * const byInput = new DummyLM({ 'capital of France': { answer: 'Paris' } });
 * const demos = new DummyLM([], { followExamples: true });
 * ```
 */
export class DummyLM extends BaseLM {
  readonly provider = 'dummy';
  private readonly script: Script;
  private readonly config: DummyLMOptions;

  constructor(
    answers: readonly DummyAnswer[] | Readonly<Record<string, DummyAnswer>>,
    options: DummyLMOptions = {},
    script?: Script,
  ) {
    super(options.model ?? 'dummy', {
      ...options,
      params: { temperature: 0, maxTokens: 1000, ...(options.params ?? {}) },
      cache: options.cache ?? false,
    });
    this.config = options;
    this.script =
      script ??
      (Array.isArray(answers)
        ? { list: [...(answers as readonly DummyAnswer[])], next: 0, byInput: undefined }
        : { list: undefined, next: 0, byInput: new Map(Object.entries(answers)) });
  }

  /** Number of list answers not yet consumed. */
  get remaining(): number {
    return this.script.list === undefined ? 0 : this.script.list.length - this.script.next;
  }

  protected clone(model: string, params: LMParams): LM {
    return new DummyLM([], { ...this.config, model, params }, this.script);
  }

  protected send(req: LMRequest): Promise<ProviderResult> {
    const n = Math.max(1, req.n ?? 1);
    const choices: LMChoice[] = [];
    for (let i = 0; i < n; i++) {
      const choice = this.choiceFor(req.messages);
      if (this.config.reasoning === true) choice.reasoning ??= 'Some reasoning';
      choices.push(choice);
    }
    const u = this.config.usage ?? { promptTokens: 0, completionTokens: 0 };
    return Promise.resolve({
      choices,
      usage: { promptTokens: u.promptTokens * n, completionTokens: u.completionTokens * n },
      model: this.model,
    });
  }

  private choiceFor(messages: LMMessage[]): LMChoice {
    const answer = this.answerFor(messages);
    if (!isNative(answer)) return { text: this.render(answer), finishReason: 'stop' };
    const choice: LMChoice = { text: this.render(answer.text), finishReason: 'stop' };
    if (answer.toolCalls !== undefined && answer.toolCalls.length > 0) {
      choice.toolCalls = answer.toolCalls;
      choice.finishReason = 'tool_calls';
    }
    if (answer.reasoning !== undefined) choice.reasoning = answer.reasoning;
    return choice;
  }

  private render(a: DummyAnswer): string {
    if (typeof a === 'string') return a;
    if (this.config.format === 'json') return formatJsonAnswer(a);
    return formatChatAnswer(a, { completed: this.config.completedMarker !== false });
  }

  private answerFor(messages: LMMessage[]): DummyAnswer {
    if (this.config.followExamples === true) {
      const demo = demoAnswer(messages);
      if (demo !== undefined) return demo;
    }
    const s = this.script;
    if (s.byInput !== undefined) {
      const lastUser = contentOf([...messages].reverse().find((m) => m.role === 'user'));
      for (const [key, answer] of s.byInput) if (lastUser.includes(key)) return answer;
      return 'No more responses';
    }
    if (s.list !== undefined && s.next < s.list.length) return s.list[s.next++] as DummyAnswer;
    return EXHAUSTED;
  }
}

/**
 * DSPy's `_use_example`: the output fields are the headers that open fewer turns than the input
 * headers (demo assistant turns vs. all user turns); the answer is the latest assistant turn with an
 * output header whose preceding user turn contains the current input's first block.
 */
function demoAnswer(messages: LMMessage[]): string | undefined {
  const opening = new Map<string, number>();
  for (const m of messages) {
    const h = FIELD_HEADER.exec(contentOf(m));
    if (h !== null) opening.set(h[0], (opening.get(h[0]) ?? 0) + 1);
  }
  if (opening.size === 0) return undefined;
  const max = Math.max(...opening.values());
  const outputs = [...opening.entries()].filter(([, c]) => c !== max).map(([h]) => h);
  const last = messages[messages.length - 1];
  const currentInput = contentOf(last).split('\n\n')[0] ?? '';
  if (currentInput === '' || outputs.length === 0) return undefined;
  for (let i = messages.length - 1; i >= 1; i--) {
    const out = messages[i];
    const inp = messages[i - 1];
    if (out?.role !== 'assistant' || inp?.role !== 'user') continue;
    const text = contentOf(out);
    if (outputs.some((h) => text.includes(h)) && contentOf(inp).includes(currentInput)) return text;
  }
  return undefined;
}
