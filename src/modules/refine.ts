import { ChatAdapter, fieldDescriptions } from '../adapters/index.js';
import type { LM } from '../lm/types.js';
import {
  cleandoc,
  dedent,
  pyFloatRepr,
  signature,
  splitLinesPy,
  type Signature,
} from '../signatures/index.js';
import { BestOfN, type Attempt, type BestOfNOptions } from './best-of-n.js';
import { isPlainObject } from './example.js';
import { injectingAdapter } from './injecting-adapter.js';
import type { Module, CallOptions } from './module.js';
import { Predict } from './predict.js';
import type { Prediction } from './prediction.js';
import { context, currentSettings } from './settings.js';

/** DSPy's `OfferFeedback` signature, instructions and field descriptions verbatim. */
export const OFFER_FEEDBACK: Signature = (() => {
  const instructions = cleandoc(`
    In the discussion, assign blame to each module that contributed to the final reward being below the threshold, if
    any. Then, prescribe concrete advice of how the module should act on its future input when we retry the process, if
    it were to receive the same or similar inputs. If a module is not to blame, the advice should be N/A.
    The module will not see its own history, so it needs to rely on entirely concrete and actionable advice from you
    to avoid the same mistake on the same or similar inputs.
    `);
  const descs: [string, string][] = [
    ['program_code', 'The code of the program that we are analyzing'],
    ['modules_defn', 'The definition of each module in the program, including its I/O'],
    ['program_inputs', 'The inputs to the program that we are analyzing'],
    ['program_trajectory', "The trajectory of the program's execution, showing each module's I/O"],
    ['program_outputs', 'The outputs of the program that we are analyzing'],
    ['reward_code', 'The code of the reward function that we are analyzing'],
    ['target_threshold', 'The target threshold for the reward function'],
    ['reward_value', "The reward value assigned to the program's outputs"],
    ['module_names', 'The names of the modules in the program, for which we seek advice'],
    ['discussion', 'Discussing blame of where each module went wrong, if it did'],
    [
      'advice',
      // DSPy's text has no space between "of" and "scenario" (implicit string concatenation).
      'For each module, describe very concretely, in this order: the specific scenarios in which it has made ' +
        'mistakes in the past and what each mistake was, followed by what it should do differently in that kind of' +
        'scenario in the future. If the module is not to blame, write N/A.',
    ],
  ];
  let sig = signature(
    'program_code: str, modules_defn: str, program_inputs: str, program_trajectory: str, ' +
      'program_outputs: str, reward_code: str, target_threshold: float, reward_value: float, ' +
      'module_names: list[str] -> discussion: str, advice: dict[str, str]',
    instructions,
  );
  for (const [name, desc] of descs) sig = sig.withUpdatedFields(name, { desc });
  return sig;
})();

/** Description of the `hint_` input Refine adds on retries (DSPy's, verbatim). */
const HINT_DESC = 'A hint to the module from an earlier run';

/**
 * Runs a module up to `n` times like {@link BestOfN}, and between attempts asks the LM for advice
 * (DSPy's `dspy.Refine`): after an attempt below `threshold`, an `OfferFeedback` prediction sees
 * the program's code, its predictors' definitions, the attempt's inputs, trajectory and outputs,
 * the reward function's code, the threshold and the reward, and returns advice per predictor name.
 * The next attempt runs every predictor with an extra input `hint_` ("A hint to the module from an
 * earlier run") holding its advice (`N/A` when it has none), added by wrapping the context's
 * adapter as DSPy does. The first attempt reaching the threshold, else the best one, is returned.
 *
 * "Code" is the source text of the module's class and of the reward function
 * (`Function.prototype.toString`), where DSPy uses `inspect.getsource`.
 *
 * @example
 * ```ts
 * const qa = new ChainOfThought('question -> answer');
 * const oneWord = (_args, pred) => (String(pred.answer).split(/\s+/).length === 1 ? 1 : 0);
 * const refined = new Refine(qa, { n: 3, rewardFn: oneWord, threshold: 1 });
 * (await refined.call({ question: 'What is the capital of Belgium?' })).answer; // 'Brussels'
 * ```
 */
export class Refine extends BestOfN {
  /** Source of the module's class (DSPy's `module_code`). */
  readonly moduleCode: string;
  /** Source of the reward function (DSPy's `reward_fn_code`). */
  readonly rewardFnCode: string;

  constructor(module: Module, options: BestOfNOptions) {
    super(module, options);
    this.moduleCode = module.constructor.toString();
    this.rewardFnCode = options.rewardFn.toString();
  }

  protected override get label(): string {
    return 'Refine';
  }

  protected override attempt(
    module: Module,
    inputs: Record<string, unknown>,
    options: CallOptions | undefined,
    hints: Readonly<Record<string, string>> | undefined,
  ): Promise<Prediction> {
    if (hints === undefined) return module.call(inputs, options);
    const names = new Map<Signature, string>();
    for (const [name, p] of module.namedPredictors()) names.set(p.signature, name);
    const adapter = currentSettings().adapter ?? new ChatAdapter();
    // DSPy's WrapperAdapter: every known predictor gets its advice (or N/A) as input `hint_`.
    const hinting = injectingAdapter(adapter, (sig) => {
      const name = names.get(sig);
      const hint = (name === undefined ? undefined : hints[name]) ?? 'N/A';
      return [['hint_', { desc: HINT_DESC }, hint]];
    });
    return context({ adapter: hinting }, () => module.call(inputs, options));
  }

  protected override async afterAttempt(
    attempt: Attempt,
    lm: LM,
  ): Promise<Readonly<Record<string, string>> | undefined> {
    const named = attempt.module.namedPredictors();
    const nameOf = new Map(named.map(([name, p]) => [p, name] as const));
    const trajectory = attempt.trace.map((entry) => ({
      module_name: nameOf.get(entry.predictor),
      inputs: entry.inputs,
      outputs: entry.prediction.toDict(),
    }));
    const adviseInputs: Record<string, unknown> = {
      program_code: this.moduleCode,
      modules_defn: inspectModules(attempt.module),
      program_inputs: attempt.inputs,
      program_trajectory: trajectory,
      program_outputs: attempt.prediction.toDict(),
      reward_code: this.rewardFnCode,
      target_threshold: pyFloatRepr(this.threshold),
      reward_value: pyFloatRepr(attempt.reward),
      module_names: named.map(([name]) => name),
    };
    const kwargs = Object.fromEntries(
      Object.entries(adviseInputs).map(([k, v]) => [k, typeof v === 'string' ? v : dumpJson(v)]),
    );
    // DSPy calls OfferFeedback with the context's LM; a module-level LM stands in when none is set.
    const feedback = await new Predict(OFFER_FEEDBACK).call(
      kwargs,
      currentSettings().lm === undefined ? { lm } : undefined,
    );
    const advice = feedback['advice'] as unknown;
    if (!isPlainObject(advice)) return {};
    return Object.fromEntries(Object.entries(advice).map(([k, v]) => [k, String(v)]));
  }
}

/** DSPy's `inspect_modules`: each predictor's input/output fields and instructions, tab-indented. */
export function inspectModules(program: Module): string {
  const separator = '-'.repeat(80);
  const indented = (text: string): string => ['', ...splitLinesPy(text)].join('\n\t\t');
  const output = [separator];
  for (const [name, predictor] of program.namedPredictors()) {
    const sig = predictor.signature;
    output.push(`Module ${name}`);
    output.push('\n\tInput Fields:');
    output.push(indented(fieldDescriptions(sig.inputFields)));
    output.push('\tOutput Fields:');
    output.push(indented(fieldDescriptions(sig.outputFields)));
    output.push(`\tOriginal Instructions: ${indented(dedent(sig.instructions))}`);
    output.push(separator);
  }
  return output.map((o) => o.replace(/^\n+|\n+$/g, '')).join('\n');
}

/** orjson's `dumps(recursive_mask(v), OPT_INDENT_2)`: unserialisable values become placeholders. */
function dumpJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint') {
        return `<non-serializable: ${typeof v}>`;
      }
      return v;
    },
    2,
  );
}
