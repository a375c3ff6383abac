import { AdapterParseError, history, isHistory, ToolCalls } from '../adapters/index.js';
import type { ParsedToolCall, ToolCallResult } from '../adapters/index.js';
import { isDspexError } from '../errors/index.js';
import {
  FieldTypes,
  fieldTypeJsonSchema,
  SignatureError,
  signature as toSignature,
  type Signature,
  type SignatureSpec,
  type SpecInputs,
  type SpecOutputs,
  isRecord,
  fieldNameList,
} from '../signatures/index.js';
import { ModuleError } from './errors.js';
import { Module, type CallOptions } from './module.js';
import { Predict } from './predict.js';
import { Prediction } from './prediction.js';
import { warn } from './settings.js';
import { describeError, toolsByName, Tool, type ToolFunction, type ToolSpec } from './tool.js';

/** Options of {@link ReActV2}. */
export interface ReActV2Options {
  /** Most agent turns before the forced `submit` (default 20, as DSPy). */
  maxIters?: number;
  /** Context-window errors absorbed per turn by dropping the oldest tool turn (default 3). */
  maxTruncations?: number;
}

/** Why a {@link ReActV2} run ended (DSPy's `termination_reason`). */
export type ReActV2Termination =
  | 'submit'
  | 'forced_submit'
  | 'max_iters'
  | 'empty_tool_calls'
  | 'parse_error'
  | 'context_window_exceeded';

/** The outputs of a {@link ReActV2} run: the signature's outputs, the history and why it ended. */
export type ReActV2Outputs<O> = O & {
  history: { messages: Record<string, unknown>[] };
  termination_reason: ReActV2Termination;
};

type Event = Record<string, unknown>;

/**
 * DSPy 3.3's `ReActV2`: a tool-using agent on native function calling. Each turn the `react`
 * predictor (signature inputs, `history: History`, `tools: list[Tool]` → `next_thought:
 * Reasoning`, `tool_calls: ToolCalls`) asks for tool calls; all calls of a turn run in parallel,
 * their results (errors as `Execution error in <tool>: …`) go back into the history as tool
 * messages. The agent ends by calling the reserved `submit` tool, whose arguments are the
 * signature's outputs. Without a submit after `maxIters` turns (or when a turn makes no call or
 * cannot be parsed) one more call forces `submit`. A context-window error drops the oldest tool
 * turn and retries (up to `maxTruncations` times) before ending the loop.
 *
 * Use an adapter with native function calling (`JSONAdapter`, or
 * `new ChatAdapter({ useNativeFunctionCalling: true })`); with a text-only adapter the LM writes
 * the calls as JSON text.
 *
 * @example
 * ```ts
 * const agent = new ReActV2('question -> answer: int', [
 *   new Tool({ name: 'add', schema: z.object({ a: z.number(), b: z.number() }),
 *              func: ({ a, b }) => Number(a) + Number(b) }),
 * ]);
 * const pred = await context({ lm, adapter: new JSONAdapter() }, () => agent.call({ question: '2+3?' }));
 * pred.answer; // 5 — pred.termination_reason === 'submit'
 * ```
 */
export class ReActV2<
  S extends SignatureSpec = SignatureSpec,
  I extends object = SpecInputs<S>,
  O extends object = ReActV2Outputs<SpecOutputs<S>>,
> extends Module<I, O> {
  readonly signature: Signature;
  readonly maxIters: number;
  readonly maxTruncations: number;
  /** The tools by name, `submit` last (named `tools` as in DSPy; not predictors). */
  readonly tools: Record<string, Tool>;
  readonly react: Predict;

  constructor(
    sig: S,
    tools: readonly (Tool | ToolSpec | ToolFunction)[],
    options: ReActV2Options = {},
  ) {
    super();
    this.signature = toSignature(sig);
    this.maxIters = options.maxIters ?? 20;
    this.maxTruncations = options.maxTruncations ?? 3;
    const byName = toolsByName(tools);
    if ('submit' in byName) {
      throw new ModuleError(
        'invalid_argument',
        '`submit` is reserved by ReActV2 as the final-output tool.',
      );
    }
    byName['submit'] = this.makeSubmitTool();
    this.tools = byName;
    this.react = new Predict(this.makeReactSignature());
  }

  private makeSubmitTool(): Tool {
    const outputs = this.signature.outputFields;
    const args = Object.fromEntries(outputs.map((f) => [f.name, fieldTypeJsonSchema(f.type)]));
    return new Tool({
      name: 'submit',
      description: 'Submit the final outputs for the task.',
      args,
      func: (given) => {
        const missing = outputs.filter((f) => !(f.name in given)).map((f) => f.name);
        if (missing.length > 0) {
          throw new ModuleError(
            'invalid_argument',
            `Missing required final output field(s): ${missing.join(', ')}`,
          );
        }
        return Object.fromEntries(outputs.map((f) => [f.name, given[f.name]]));
      },
    });
  }

  private makeReactSignature(): Signature {
    let sig = this.signature;
    for (const f of sig.outputFields) sig = sig.delete(f.name);
    for (const f of sig.inputFields) {
      sig = sig.withUpdatedFields(f.name, { type: FieldTypes.optional(f.type) });
    }
    const inputs = fieldNameList(this.signature.inputFields);
    const outputs = fieldNameList(this.signature.outputFields);
    const toolNames = fieldNameList(Object.keys(this.tools));
    const instructions = [
      this.signature.instructions,
      `You are an Agent. Use the supplied tools to produce ${outputs} from ${inputs}.`,
      'Call tools when more information is needed.',
      `When the final answer is ready, call \`submit\` with ${outputs}.`,
      `The available tools are: ${toolNames}.`,
    ]
      .join('\n')
      .trim();
    return sig
      .append('history', 'input', { type: FieldTypes.history })
      .append('tools', 'input', { type: FieldTypes.list(FieldTypes.tool) })
      .append('next_thought', 'output', { type: FieldTypes.reasoning })
      .append('tool_calls', 'output', { type: FieldTypes.toolCalls })
      .withInstructions(instructions);
  }

  override async forward(typedInputs: I, options?: CallOptions): Promise<Prediction<O>> {
    const given = { ...(typedInputs as Record<string, unknown>) };
    const events: Event[] = isHistory(given['history'])
      ? given['history'].messages.map((m) => ({ ...m }))
      : [];
    let pending: Event = {};
    for (const f of this.signature.inputFields)
      if (f.name in given) pending[f.name] = given[f.name];

    let reason: ReActV2Termination = 'max_iters';
    for (let turn = 0; turn < this.maxIters; turn++) {
      let step: { pred: Prediction; calls: ToolCalls };
      try {
        step = await this.callReact(events, pending, options);
      } catch (error) {
        const why = endingReason(error);
        if (why === undefined) throw error;
        warn(`Ending the ReActV2 loop: ${why}.`, { error: describeError(error) });
        reason = why;
        break;
      }
      if (step.calls.toolCalls.length === 0) {
        reason = 'empty_tool_calls';
        break;
      }
      const calls = ensureIds(step.calls, turn);
      const { results, final } = await this.execute(calls.toolCalls);
      events.push(eventOf(pending, step.pred, calls.withResults(results), final));
      pending = {};
      if (final !== undefined) return this.finish(final, events, 'submit');
    }
    return this.forcedSubmit(events, pending, reason, options);
  }

  /** One `react` call; a context-window error drops the oldest tool turn and tries again. */
  private async callReact(
    events: Event[],
    pending: Event,
    options: CallOptions | undefined,
    config: CallOptions['config'] = {},
  ): Promise<{ pred: Prediction; calls: ToolCalls }> {
    for (let attempt = 0; ; attempt++) {
      try {
        const pred = await this.react.call(
          { ...pending, history: history(events), tools: Object.values(this.tools) },
          { ...options, config: { ...(options?.config ?? {}), ...config } },
        );
        const raw = pred.get('tool_calls');
        return {
          pred,
          calls: raw === null || raw === undefined ? new ToolCalls([]) : ToolCalls.from(raw),
        };
      } catch (error) {
        if (!isDspexError(error, 'context_window_exceeded') || attempt >= this.maxTruncations)
          throw error;
        if (!this.truncateHistory(events)) throw error;
        warn('History exceeded the context window, dropping the oldest tool call turn.');
      }
    }
  }

  /**
   * Drops the oldest turn that holds tool calls, keeping any task inputs it carried (they move to
   * the next turn). Returns false when there is nothing to drop. Override for other strategies.
   */
  truncateHistory(events: Event[]): boolean {
    const i = events.findIndex((e) => 'tool_calls' in e);
    if (i < 0 || i === events.length - 1) return false;
    const [dropped] = events.splice(i, 1);
    const inputs: Event = {};
    for (const f of this.signature.inputFields) {
      if (dropped !== undefined && f.name in dropped) inputs[f.name] = dropped[f.name];
    }
    events[i] = { ...inputs, ...events[i] };
    return true;
  }

  /** Runs the calls of one turn in parallel; a `submit` that succeeds gives the final outputs. */
  private async execute(
    calls: readonly ParsedToolCall[],
  ): Promise<{ results: ToolCallResult[]; final: Record<string, unknown> | undefined }> {
    let final: Record<string, unknown> | undefined;
    const results = await Promise.all(
      calls.map(async (call): Promise<ToolCallResult> => {
        const base =
          call.id === undefined ? { name: call.name } : { callId: call.id, name: call.name };
        const tool = this.tools[call.name];
        if (tool === undefined)
          return { ...base, value: `Unknown tool: ${call.name}`, isError: true };
        try {
          const value = await tool.call(call.args);
          if (call.name === 'submit' && isRecord(value)) final ??= value;
          return { ...base, value, isError: false };
        } catch (error) {
          return {
            ...base,
            value: `Execution error in ${call.name}: ${describeError(error)}`,
            isError: true,
          };
        }
      }),
    );
    return { results, final };
  }

  /** DSPy's `_forced_submit`: one more call that must call `submit` (native reasoning off). */
  private async forcedSubmit(
    events: Event[],
    pending: Event,
    reason: ReActV2Termination,
    options: CallOptions | undefined,
  ): Promise<Prediction<O>> {
    let step: { pred: Prediction; calls: ToolCalls };
    try {
      step = await this.callReact(events, pending, options, {
        toolChoice: { name: 'submit' },
        reasoningEffort: null,
      });
    } catch (error) {
      if (endingReason(error) === undefined) throw error;
      warn('Forced submit failed.', { error: describeError(error) });
      return this.finish({}, events, reason);
    }
    const submits = ensureIds(step.calls, this.maxIters).toolCalls.filter(
      (c) => c.name === 'submit',
    );
    if (submits.length === 0) return this.finish({}, events, reason);
    const { results, final } = await this.execute(submits);
    events.push(eventOf(pending, step.pred, new ToolCalls(submits, results), final));
    return this.finish(final ?? {}, events, final === undefined ? reason : 'forced_submit');
  }

  private finish(
    outputs: Record<string, unknown>,
    events: Event[],
    reason: ReActV2Termination,
  ): Prediction<O> {
    return new Prediction<O>({
      ...outputs,
      history: { messages: events },
      termination_reason: reason,
    });
  }
}

/** The loop-ending errors (DSPy: AdapterParseError, ValueError, ContextWindowExceededError). */
function endingReason(error: unknown): ReActV2Termination | undefined {
  if (error instanceof AdapterParseError || error instanceof SignatureError) return 'parse_error';
  if (error instanceof TypeError) return 'parse_error';
  if (isDspexError(error, 'context_window_exceeded')) return 'context_window_exceeded';
  return undefined;
}

/** DSPy's `_history_event`: the turn's new inputs, thought, calls with results, final outputs. */
function eventOf(
  pending: Event,
  pred: Prediction,
  calls: ToolCalls,
  final: Record<string, unknown> | undefined,
): Event {
  const event: Event = { ...pending };
  const thought = pred.get('next_thought');
  if (thought !== null && thought !== undefined) event['next_thought'] = thought;
  if (calls.toolCalls.length > 0) event['tool_calls'] = calls;
  return final === undefined ? event : { ...event, ...final };
}

/** DSPy's `_ensure_tool_call_ids`: `call_<turn>_<index>` for calls without a provider id. */
function ensureIds(calls: ToolCalls, turn: number): ToolCalls {
  return new ToolCalls(
    calls.toolCalls.map((c, i) => (c.id === undefined ? { ...c, id: `call_${turn}_${i}` } : c)),
  );
}
