import { isDspexError } from '../errors/index.js';
import {
  FieldTypes,
  signature as toSignature,
  type Signature,
  type SignatureSpec,
  type SpecInputs,
  type SpecOutputs,
  isRecord,
  fieldNameList,
} from '../signatures/index.js';
import { ChainOfThought, type WithReasoning } from './chain-of-thought.js';
import { ModuleError } from './errors.js';
import { Module, type CallOptions } from './module.js';
import { Predict } from './predict.js';
import { Prediction } from './prediction.js';
import { formatTrajectory } from './react-trajectory.js';
import { warn } from './settings.js';
import { describeError, toolsByName, Tool, type ToolFunction, type ToolSpec } from './tool.js';

/** Options of {@link ReAct}. */
export interface ReActOptions {
  /** Most agent steps before extracting the answer (default 20, as DSPy). */
  maxIters?: number;
}

/**
 * The outputs of a {@link ReAct} agent: the steps taken (`trajectory`), the extractor's
 * `reasoning`, then the signature's outputs.
 */
export type ReActOutputs<O> = { trajectory: Record<string, unknown> } & WithReasoning<O>;

/**
 * A tool-using agent (DSPy's `dspy.ReAct`, text protocol): each step the `react` predictor writes
 * `next_thought`, picks `next_tool_name` (one of the tools or `finish`) and `next_tool_args`
 * (JSON); the tool's result (or `Execution error in <tool>: …`) is appended to the trajectory as
 * the observation. After `finish` or `maxIters` steps, the `extract` ChainOfThought produces the
 * signature's outputs from the trajectory. The prediction has `trajectory` plus the outputs
 * (and the extractor's `reasoning`), typed from the signature like {@link Predict}'s.
 *
 * @example
 * ```ts
 * const agent = new ReAct('question -> answer', [
 *   { name: 'search', description: 'Search the web.', args: { query: { type: 'string' } },
 *     func: ({ query }) => searchWeb(String(query)) },
 * ]);
 * const pred = await agent.call({ question: 'Who won in 2022?' });
 * pred.trajectory; // { thought_0, tool_name_0, tool_args_0, observation_0, … }
 * ```
 */
export class ReAct<
  S extends SignatureSpec = SignatureSpec,
  I extends object = SpecInputs<S>,
  O extends object = ReActOutputs<SpecOutputs<S>>,
> extends Module<I, O> {
  readonly signature: Signature;
  readonly maxIters: number;
  /** The tools by name, `finish` last (named `tools` as in DSPy; not predictors). */
  readonly tools: Record<string, Tool>;
  readonly react: Predict;
  readonly extract: ChainOfThought;

  constructor(
    sig: S,
    tools: readonly (Tool | ToolSpec | ToolFunction)[],
    options: ReActOptions = {},
  ) {
    super();
    this.signature = toSignature(sig);
    this.maxIters = options.maxIters ?? 20;
    const byName = toolsByName(tools);

    const inputs = fieldNameList(this.signature.inputFields);
    const outputs = fieldNameList(this.signature.outputFields);
    byName['finish'] = new Tool({
      name: 'finish',
      description: `Marks the task as complete. That is, signals that all information for producing the outputs, i.e. ${outputs}, are now available to be extracted.`,
      args: {},
      func: () => 'Completed.',
    });
    this.tools = byName;

    const instr: string[] = this.signature.instructions ? [`${this.signature.instructions}\n`] : [];
    instr.push(
      `You are an Agent. In each episode, you will be given the fields ${inputs} as input. And you can see your past trajectory so far.`,
      `Your goal is to use one or more of the supplied tools to collect any necessary information for producing ${outputs}.\n`,
      'To do this, you will interleave next_thought, next_tool_name, and next_tool_args in each turn, and also when finishing the task.',
      'After each tool call, you receive a resulting observation, which gets appended to your trajectory.\n',
      'When writing next_thought, you may reason about the current situation and plan for future steps.',
      'When selecting the next_tool_name and its next_tool_args, the tool must be one of:\n',
    );
    Object.values(byName).forEach((t, i) => instr.push(`(${i + 1}) ${t.toString()}`));
    instr.push(
      'When providing `next_tool_args`, the value inside the field must be in JSON format',
    );

    let reactSig = this.signature;
    for (const f of this.signature.outputFields) reactSig = reactSig.delete(f.name);
    reactSig = reactSig
      .withInstructions(instr.join('\n'))
      .append('trajectory', 'input', { type: 'str' })
      .append('next_thought', 'output', { type: 'str' })
      .append('next_tool_name', 'output', { type: FieldTypes.literal(...Object.keys(byName)) })
      .append('next_tool_args', 'output', {
        type: FieldTypes.dict(FieldTypes.str, FieldTypes.any),
      });
    const fallbackSig = this.signature.append('trajectory', 'input', { type: 'str' });

    this.react = new Predict(reactSig);
    this.extract = new ChainOfThought(fallbackSig);
  }

  override async forward(typedInputs: I, options?: CallOptions): Promise<Prediction<O>> {
    const inputs = typedInputs as Record<string, unknown>;
    let trajectory: Record<string, unknown> = {};
    for (let idx = 0; idx < this.maxIters; idx++) {
      let pred: Prediction;
      try {
        ({ pred, trajectory } = await this.callWithTruncation(
          this.react,
          trajectory,
          inputs,
          options,
        ));
      } catch (error) {
        if (
          isDspexError(error, 'context_window_exceeded') ||
          isDspexError(error, 'adapter_parse')
        ) {
          // DSPy ends the episode and goes straight to extraction when a step cannot be produced.
          warn('Ending the trajectory: the agent could not produce a valid step.', {
            error: describeError(error),
          });
          break;
        }
        throw error;
      }
      const toolName = String(pred.get('next_tool_name'));
      const rawArgs = pred.get('next_tool_args');
      const args = isRecord(rawArgs) ? rawArgs : {};
      trajectory[`thought_${idx}`] = pred.get('next_thought');
      trajectory[`tool_name_${idx}`] = toolName;
      trajectory[`tool_args_${idx}`] = rawArgs;
      try {
        const tool = this.tools[toolName];
        if (tool === undefined)
          throw new ModuleError('invalid_argument', `Unknown tool '${toolName}'.`);
        trajectory[`observation_${idx}`] = await tool.call(args);
      } catch (error) {
        trajectory[`observation_${idx}`] =
          `Execution error in ${toolName}: ${describeError(error)}`;
      }
      if (toolName === 'finish') break;
    }
    const { pred: extract } = await this.callWithTruncation(
      this.extract,
      trajectory,
      inputs,
      options,
    );
    return new Prediction<O>({ trajectory, ...Object.fromEntries(extract.items()) });
  }

  /**
   * Calls `module` with the formatted trajectory; on a context-window error drops the oldest step
   * and retries, up to 3 attempts (DSPy's `_call_with_potential_trajectory_truncation`).
   */
  private async callWithTruncation(
    module: Module,
    trajectory: Record<string, unknown>,
    inputs: Record<string, unknown>,
    options: CallOptions | undefined,
  ): Promise<{ pred: Prediction; trajectory: Record<string, unknown> }> {
    let current = trajectory;
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const pred = await module.call(
          { ...inputs, trajectory: formatTrajectory(current) },
          options,
        );
        return { pred, trajectory: current };
      } catch (error) {
        if (!isDspexError(error, 'context_window_exceeded')) throw error;
        warn(
          'Trajectory exceeded the context window, truncating the oldest tool call information.',
        );
        lastError = error;
        current = this.truncateTrajectory(current);
      }
    }
    throw new ModuleError(
      'context_window_exceeded',
      'The context window was exceeded even after 3 attempts to truncate the trajectory.',
      { cause: lastError },
    );
  }

  /** Drops the oldest step (its 4 keys); override for other strategies. */
  truncateTrajectory(trajectory: Record<string, unknown>): Record<string, unknown> {
    const keys = Object.keys(trajectory);
    if (keys.length <= 4) {
      throw new ModuleError(
        'context_window_exceeded',
        'The trajectory is too long so your prompt exceeded the context window, but the trajectory cannot be truncated because it only has one tool call.',
      );
    }
    return Object.fromEntries(Object.entries(trajectory).slice(4));
  }
}
