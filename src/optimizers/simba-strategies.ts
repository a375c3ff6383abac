import { fieldDescriptions } from '../adapters/field-format.js';
import { describeFields } from '../evaluate/lm-judge.js';
import type { LM } from '../lm/types.js';
import { Example, toPlain } from '../modules/example.js';
import type { Module } from '../modules/module.js';
import type { Predictor } from '../modules/parameter.js';
import { Predict } from '../modules/predict.js';
import { context } from '../modules/settings.js';
import { signature, type Signature } from '../signatures/index.js';
import type { ScoredRun } from './search-kit.js';

const TRAJECTORY_DESC = "The trajectory of the program's execution, showing each module's I/O";
const OUTPUTS_DESC = 'The outputs of the program that we are analyzing';
const REWARD_DESC = "The reward value assigned to the program's outputs";
const REWARD_INFO_DESC =
  'Additional information that might be helpful to understanding the assigned reward value.';

/** DSPy's `OfferFeedback` signature (SIMBA's rule proposer), instructions and fields verbatim. */
export const offerFeedback: Signature = describeFields(
  signature(
    'program_code: str, modules_defn: str, program_inputs: str, oracle_metadata: str, ' +
      'worse_program_trajectory: str, worse_program_outputs: str, worse_reward_value: float, ' +
      'worse_reward_info: str, better_program_trajectory: str, better_program_outputs: str, ' +
      'better_reward_value: float, better_reward_info: str, module_names: list[str] -> ' +
      'discussion: str, module_advice: dict[str, str]',
    "You will be given two trajectories of an LLM-driven program's execution. Your goal is to help the program's modules\n" +
      "build up experience on how to maximize the reward value assigned to the program's outputs if it were to receive\n" +
      'similar inputs in the future.\n' +
      '\n' +
      "The module won't see its own history. It will rely on your advice balancing being concrete and being generalizable.\n" +
      '\n' +
      'In your advice:\n' +
      "- Avoid boilerplate. Offer advice that would change the module's behavior for the better in the future.\n" +
      "- Ensure that advice offered to a module M is specific to that M's specific sub-task, not the overall program.\n" +
      '- Rely on contrasting the behavior of the worse trajectory against the better trajectory in making recommendations.\n' +
      '- Ensure each unique module name appears exactly once as a key in the advice dictionary.',
  ),
  {
    program_code: 'The code of the program that we are analyzing',
    modules_defn: 'The definition of each module in the program, including its I/O',
    program_inputs: 'The inputs to the program that we are analyzing',
    oracle_metadata: "Any (hidden) metadata about the training set instance we're analyzing",
    worse_program_trajectory: TRAJECTORY_DESC,
    worse_program_outputs: OUTPUTS_DESC,
    worse_reward_value: REWARD_DESC,
    worse_reward_info: REWARD_INFO_DESC,
    better_program_trajectory: TRAJECTORY_DESC,
    better_program_outputs: OUTPUTS_DESC,
    better_reward_value: REWARD_DESC,
    better_reward_info: REWARD_INFO_DESC,
    module_names: 'The names of the modules in the program, for which we seek advice',
    discussion: 'Discussing blame of where each module went wrong, if it did',
    module_advice:
      'For each module, describe very concretely: If the module receives ${description of input or patterns ' +
      'therein}, then it should ${description of content, behavior, or strategies to adopt and/or others to avoid}. ' +
      'Basically, your advice be such that if the module has access to your tip, it would be much more likely to act ' +
      'like the successful trajectory rather than the lower-scoring trajectory.',
  },
);

/** What a SIMBA strategy gets besides the bucket and the candidate it edits. */
export interface StrategyContext {
  /** Names of the predictors of every program copy that produced a trajectory this step. */
  predictorNames: ReadonlyMap<Predictor, string>;
  /** The candidate's predictors by name. */
  byName: ReadonlyMap<string, Predictor>;
  batch10p: number;
  batch90p: number;
  promptModel: LM | undefined;
}

/** A SIMBA strategy: edits `system` from a bucket (best run first); `false` when it declined. */
export type SimbaStrategy = (
  bucket: ScoredRun[],
  system: Module,
  ctx: StrategyContext,
) => Promise<boolean>;

/**
 * DSPy's `append_a_demo`: unless the bucket's best run scores at or below the batch's 10th
 * percentile, appends one demo per predictor from that run's trace (the predictor's last step),
 * input values longer than `maxlen` truncated.
 */
export function appendADemo(maxlen: number): SimbaStrategy {
  return (bucket, _system, ctx) => {
    const good = bucket[0]!;
    if (good.score <= ctx.batch10p) return Promise.resolve(false);
    const byName = new Map<string, Example>();
    for (const step of good.trace) {
      const inputs: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(step.inputs)) {
        const text = String(v);
        inputs[k] =
          maxlen > 0 && text.length > maxlen
            ? `${text.slice(0, maxlen)}\n\t\t... <TRUNCATED FOR BREVITY>`
            : v;
      }
      const name = ctx.predictorNames.get(step.predictor);
      if (name === undefined) continue;
      byName.set(
        name,
        new Example({ augmented: true, ...inputs, ...Object.fromEntries(step.prediction.items()) }),
      );
    }
    for (const [name, demo] of byName) ctx.byName.get(name)?.demos.push(demo);
    return Promise.resolve(true);
  };
}

/** DSPy's `inspect_modules`: each predictor's input/output fields and instructions. */
export function inspectModules(program: Module): string {
  const separator = '-'.repeat(80);
  const indent = (text: string) => ['', ...text.split('\n')].join('\n\t\t');
  const out = [separator];
  for (const [name, predictor] of program.namedPredictors()) {
    const sig = predictor.signature;
    out.push(`Module ${name}`);
    out.push('\n\tInput Fields:');
    out.push(indent(fieldDescriptions(sig.inputFields)));
    out.push('\tOutput Fields:');
    out.push(indent(fieldDescriptions(sig.outputFields)));
    out.push(`\tOriginal Instructions: ${indent(dedent(sig.instructions))}`);
    out.push(separator);
  }
  return out.map((o) => o.replace(/^\n+|\n+$/g, '')).join('\n');
}

function dedent(text: string): string {
  const lines = text.split('\n');
  const margins = lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)![0].length);
  const margin = margins.length > 0 ? Math.min(...margins) : 0;
  return lines.map((l) => l.slice(margin)).join('\n');
}

/** Options of {@link appendARule} (what DSPy reads from the program class). */
export interface RuleOptions {
  /** Stands in for DSPy's `inspect.getsource(system.__class__)` (default: the class's source). */
  programCode?: (system: Module) => string;
}

/**
 * DSPy's `append_a_rule`: contrasts the bucket's best and worst runs with the prompt model through
 * {@link offerFeedback} and appends the advice for each predictor to its instructions. Declines
 * when the best run is at or below the batch's 10th percentile or the worst at or above its 90th.
 */
export function appendARule(options: RuleOptions = {}): SimbaStrategy {
  return async (bucket, system, ctx) => {
    const good = { ...bucket[0]! };
    const bad = { ...bucket[bucket.length - 1]! };
    if (good.score <= ctx.batch10p || bad.score >= ctx.batch90p) return false;
    const na = { 'N/A': 'Prediction not available' };
    let goodScore: number | string = good.score;
    let badScore: number | string = bad.score;
    let goodOutputs: Record<string, unknown> | undefined = good.prediction?.toDict();
    let badOutputs: Record<string, unknown> = bad.prediction?.toDict() ?? {};
    if (good.score <= bad.score) {
      if (good.score > ctx.batch90p) {
        bad.trace = [];
        badScore = 'N/A';
        badOutputs = na;
      } else {
        good.trace = [];
        goodScore = 'N/A';
        goodOutputs = na;
      }
    }
    // DSPy's dict(None) raises here: the strategy fails and the candidate is dropped.
    if (goodOutputs === undefined) throw new Error('the better run has no prediction');
    const trajectory = (run: ScoredRun) =>
      run.trace.flatMap((step) => {
        const name = ctx.predictorNames.get(step.predictor);
        return name === undefined
          ? []
          : [{ module_name: name, inputs: step.inputs, outputs: step.prediction.toDict() }];
      });
    const code = options.programCode ?? ((s: Module) => s.constructor.toString());
    const raw: Record<string, unknown> = {
      program_code: code(system),
      modules_defn: inspectModules(system),
      program_inputs: good.example.inputs().toDict(),
      oracle_metadata: good.example.labels().toDict(),
      better_program_trajectory: trajectory(good),
      better_program_outputs: goodOutputs,
      worse_program_trajectory: trajectory(bad),
      worse_program_outputs: badOutputs,
      worse_reward_value: badScore,
      better_reward_value: goodScore,
      worse_reward_info: bad.metadata,
      better_reward_info: good.metadata,
      module_names: system.namedPredictors().map(([name]) => name),
    };
    const inputs = Object.fromEntries(
      Object.entries(raw).map(([k, v]) => [
        k,
        typeof v === 'string' ? v : JSON.stringify(toPlain(v), null, 2),
      ]),
    );
    const scope =
      ctx.promptModel === undefined ? { trace: [] } : { trace: [], lm: ctx.promptModel };
    const advice = await context(scope, async () => {
      const result = await new Predict(offerFeedback).call(inputs);
      return result.get('module_advice') as Record<string, unknown> | undefined;
    });
    for (const [name, predictor] of system.namedPredictors()) {
      if (advice !== undefined && advice !== null && Object.hasOwn(advice, name)) {
        predictor.signature = predictor.signature.withInstructions(
          `${predictor.signature.instructions}\n\n${String(advice[name])}`,
        );
      }
    }
    return true;
  };
}
