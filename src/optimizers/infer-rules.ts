import { describeFields } from '../evaluate/lm-judge.js';
import type { Metric } from '../evaluate/metric.js';
import { LMError } from '../lm/lm-error.js';
import { ChainOfThought } from '../modules/chain-of-thought.js';
import type { Example } from '../modules/example.js';
import type { Module } from '../modules/module.js';
import type { Predictor } from '../modules/parameter.js';
import { context, currentSettings } from '../modules/settings.js';
import { signature, type Signature } from '../signatures/index.js';
import { BootstrapFewShot, type BootstrapFewShotOptions } from './bootstrap-few-shot.js';
import { checkExamples, type CompileOptions, type OptimizationResult } from './optimizer.js';
import { OptimizerError } from './optimizer-error.js';
import { pythonRandom } from './python-random.js';
import { rolloutLm } from './rollout-lm.js';
import { checkInteger, devsetScore, measured } from './search-kit.js';

/** Options of {@link InferRules}: BootstrapFewShot's, plus DSPy's rule-induction arguments. */
export interface InferRulesOptions extends BootstrapFewShotOptions {
  /** Scores the candidates on the valset. */
  metric: Metric;
  /** Candidate programs, each with freshly induced rules (default 10). */
  numCandidates?: number;
  /** Rules asked for per predictor (default 10). */
  numRules?: number;
}

/** DSPy's `CustomRulesInduction` signature for `numRules` rules. */
export function rulesInductionSignature(numRules: number): Signature {
  return describeFields(
    signature(
      'examples_text -> natural_language_rules',
      `Given a set of examples, extract a list of ${numRules} concise and non-redundant natural language ` +
        'rules that provide clear guidance for performing the task. All rules should be actionable for a ' +
        'well-specified scope of examples of this general kind of task.',
    ),
    {
      examples_text: 'Text containing examples',
      natural_language_rules: 'Induced natural language rules',
    },
  );
}

/** A candidate of an InferRules run. */
export interface InferRulesCandidate<M extends Module> {
  score: number;
  program: M;
}

/** The result of an InferRules run. */
export interface InferRulesResult<M extends Module> extends OptimizationResult<M> {
  /** Every candidate in the order built. */
  candidates: InferRulesCandidate<M>[];
}

function isContextError(error: unknown): boolean {
  return (
    (error instanceof LMError && error.code === 'context_window_exceeded') ||
    /context.?(window|length)/i.test(String((error as Error)?.message ?? ''))
  );
}

/**
 * DSPy's `InferRules`: bootstraps demos like {@link BootstrapFewShot} (on the first half of the
 * trainset when no valset is given), then builds `numCandidates` programs whose predictors' instructions
 * end with "Please adhere to the following rules…" and rules a ChainOfThought induces from the
 * trainset (temperature 1.0, a fresh `rolloutId` per call), and returns the candidate that scores
 * best on the valset. Deliberate difference: DSPy mutates signature classes shared by all
 * candidates, so its returned program carries the last candidate's rules; dspex keeps each
 * candidate's own rules.
 *
 * @example
 * ```ts
 * const rules = new InferRules({ metric, numCandidates: 4, numRules: 5 });
 * const program = await rules.compile(student, { trainset, valset });
 * ```
 */
export class InferRules {
  readonly numCandidates: number;
  readonly numRules: number;

  constructor(private readonly options: InferRulesOptions) {
    this.numCandidates = checkInteger('numCandidates', options.numCandidates ?? 10, 1);
    this.numRules = checkInteger('numRules', options.numRules ?? 10, 1);
  }

  async compile<M extends Module>(student: M, options: CompileOptions): Promise<M> {
    return (await this.optimize(student, options)).program;
  }

  optimize<M extends Module>(student: M, options: CompileOptions): Promise<InferRulesResult<M>> {
    return measured((metricCalls) => this.run(student, options, metricCalls));
  }

  private async run<M extends Module>(
    student: M,
    { trainset: all, valset: given, teacher }: CompileOptions,
    metricCalls: { count: number },
  ): Promise<Omit<InferRulesResult<M>, 'stats'>> {
    checkExamples(all, 'trainset');
    let trainset = all;
    let valset = given;
    if (valset === undefined) {
      const half = Math.trunc(0.5 * all.length);
      trainset = all.slice(0, half);
      valset = all.slice(half);
    }
    checkExamples(valset, 'valset');
    const bootstrap = await new BootstrapFewShot(this.options).optimize(student, {
      trainset,
      ...(teacher ? { teacher } : {}),
    });
    metricCalls.count += bootstrap.stats.metricCalls;
    const original = bootstrap.program;
    const instructions = original.namedPredictors().map(([, p]) => p.signature.instructions);
    const induction = new ChainOfThought(rulesInductionSignature(this.numRules));
    const rng = (this.options.rng ?? pythonRandom)(0);
    const candidates: InferRulesCandidate<M>[] = [];
    let best: InferRulesCandidate<M> | undefined;
    for (let c = 0; c < this.numCandidates; c++) {
      const program = original.deepCopy();
      const predictors = program.namedPredictors().map(([, p]) => p);
      for (const [i, predictor] of predictors.entries()) {
        const rules = await this.induce(induction, predictor, trainset, () =>
          rng.randint(0, 10 ** 9),
        );
        predictor.signature = predictor.signature.withInstructions(
          `${instructions[i]}\n\nPlease adhere to the following rules when making your prediction:\n${rules}`,
        );
      }
      const score = await devsetScore(program, valset, this.options.metric, metricCalls, {
        concurrency: this.options.concurrency,
        maxErrors: this.options.maxErrors,
      });
      const candidate = { score, program };
      candidates.push(candidate);
      if (best === undefined || candidate.score > best.score) best = candidate;
    }
    return { program: best!.program, candidates };
  }

  /** DSPy's `induce_natural_language_rules`: drops the last demo while the prompt is too long. */
  private async induce(
    induction: ChainOfThought,
    predictor: Predictor,
    trainset: readonly Example[],
    rolloutId: () => number,
  ): Promise<string> {
    const sig = predictor.signature;
    const inputs = new Set(sig.inputFields.map((f) => f.name));
    const outputs = new Set(sig.outputFields.map((f) => f.name));
    let demos = trainset.map((ex) => ex.items().filter(([k]) => inputs.has(k) || outputs.has(k)));
    for (;;) {
      const text = demos
        .map((demo) => {
          const ins = demo.filter(([k]) => inputs.has(k)).map(([k, v]) => `${k}: ${String(v)}`);
          const outs = demo.filter(([k]) => outputs.has(k)).map(([k, v]) => `${k}: ${String(v)}`);
          return `Input Fields:\n${ins.join('\n')}\n\n=========\nOutput Fields:\n${outs.join('\n')}\n\n`;
        })
        .join('');
      try {
        return await context(this.options.teacherSettings ?? {}, () => {
          const lm = currentSettings().lm;
          const call = () => induction.call({ examples_text: text });
          const run =
            lm === undefined ? call() : context({ lm: rolloutLm(lm, rolloutId(), 1.0) }, call);
          return run.then((p) => String(p.get('natural_language_rules') ?? '').trim());
        });
      } catch (error) {
        if (!isContextError(error)) throw error;
        if (demos.length <= 1) {
          throw new OptimizerError(
            'invalid_option',
            "Failed to generate natural language rules since a single example couldn't fit in the model's context window.",
            { cause: error },
          );
        }
        demos = demos.slice(0, -1);
      }
    }
  }
}
