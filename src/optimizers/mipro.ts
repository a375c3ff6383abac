import type { LM } from '../lm/types.js';
import { Example } from '../modules/example.js';
import type { Module } from '../modules/module.js';
import type { Settings } from '../modules/settings.js';
import { BootstrapFewShot } from './bootstrap-few-shot.js';
import { LabeledFewShot } from './labeled-few-shot.js';
import { checkConcurrency, checkExamples, type Optimizer } from './optimizer.js';
import { OptimizerError } from './optimizer-error.js';
import { GroundedProposer } from './propose.js';
import {
  evaluateStep,
  reportStep,
  runJournaled,
  withLm,
  type PromptOptimizationResult,
  type PromptOptimizerOptions,
} from './propose-run.js';
import { pythonRandom, type Rng, type RngFactory } from './python-random.js';
import { RunJournal, type OptimizerCheckpoint } from './run-journal.js';
import { TPESampler, type CategoricalParams } from './tpe.js';

/** DSPy's `AUTO_RUN_SETTINGS`: candidates per variable and validation size of each mode. */
export const AUTO_RUN_SETTINGS = Object.freeze({
  light: { n: 6, valSize: 100 },
  medium: { n: 12, valSize: 300 },
  heavy: { n: 18, valSize: 1000 },
});

const BOOTSTRAPPED_FEWSHOT_EXAMPLES_IN_CONTEXT = 3;
const LABELED_FEWSHOT_EXAMPLES_IN_CONTEXT = 0;
const MIN_MINIBATCH_SIZE = 50;

/** Options of {@link MIPROv2} (DSPy's constructor arguments, camelCased). */
export interface MIPROv2Options extends PromptOptimizerOptions {
  /** LM of the program during bootstrapping and search (default: the configured LM). */
  taskModel?: LM;
  teacherSettings?: Settings;
  /** Bootstrapped demos per demo set (default 4). */
  maxBootstrappedDemos?: number;
  /** Labeled demos per demo set (default 4). */
  maxLabeledDemos?: number;
  /** Run size (default `'light'`); `null` to give `numCandidates` and `numTrials` yourself. */
  auto?: 'light' | 'medium' | 'heavy' | null;
  /** Instruction and demo-set candidates per predictor (with `auto: null`). */
  numCandidates?: number;
  /** Seed of every random choice (default 9, as DSPy). */
  seed?: number;
  /** Temperature of the instruction proposals (default 1.0). */
  initTemperature?: number;
  metricThreshold?: number;
}

/** `compile` options of {@link MIPROv2} (DSPy's `compile` arguments, camelCased). */
export interface MIPROv2CompileOptions {
  trainset: readonly Example[];
  /** Validation set (default: the last 80% of the trainset, up to 1000). */
  valset?: readonly Example[];
  teacher?: Module;
  /** Search trials (with `auto: null`). */
  numTrials?: number;
  maxBootstrappedDemos?: number;
  maxLabeledDemos?: number;
  /** Score trials on minibatches, with periodic full evaluations (default true). */
  minibatch?: boolean;
  /** Default 35. */
  minibatchSize?: number;
  /** A full evaluation of the best-on-average candidate every this many trials (default 5). */
  minibatchFullEvalSteps?: number;
  programAwareProposer?: boolean;
  dataAwareProposer?: boolean;
  viewDataBatchSize?: number;
  tipAwareProposer?: boolean;
  fewshotAwareProposer?: boolean;
  /** What the program-aware proposer is shown as the program (default: its predictors). */
  programCode?: string;
  /** A checkpoint of an earlier run with the same options and data. */
  resumeFrom?: OptimizerCheckpoint;
}

/** One search trial (DSPy's `trial_logs` entry). */
export interface MIPROTrial {
  /** Optuna's trial number + 1 (the baseline is 1). */
  trial: number;
  params: CategoricalParams;
  score: number;
  /** Whether the score is a full evaluation (else a minibatch's). */
  full: boolean;
}

/** What {@link MIPROv2.optimize} returns. */
export interface MIPROv2Result<M extends Module> extends PromptOptimizationResult<M> {
  /** Every trial in order: the baseline, minibatch trials and full evaluations. */
  trials: MIPROTrial[];
  /** Per predictor, the proposed instructions (index 0 is the original). */
  instructionCandidates: string[][];
  /** Per predictor, the demo sets (absent for zero-shot runs). */
  demoCandidates?: Record<string, unknown>[][][];
  /** The trials and minibatches the run settled on. */
  settings: {
    numTrials: number;
    minibatch: boolean;
    valsetSize: number;
    numInstructCandidates: number;
    numFewshotCandidates: number;
  };
}

/** Per predictor, its demo sets (plain demos), as {@link bootstrapDemoSets} makes them. */
export type DemoSets = Record<string, unknown>[][][];

/**
 * DSPy's MIPROv2 (§3.5): bootstraps `numCandidates` demo sets per predictor (zero-shot, labeled,
 * unshuffled and shuffled bootstraps, as random search), proposes instructions with the grounded
 * proposer (dataset summary, program and module descriptions, bootstrapped demos, random tips —
 * DSPy's signatures verbatim), then searches the instruction × demo-set combinations with a seeded
 * TPE sampler ({@link TPESampler}), scoring trials on minibatches of the valset and fully
 * evaluating the best-on-average combination every `minibatchFullEvalSteps` trials.
 *
 * Proposer calls are `prompt` spend, bootstrapping and evaluations `task` spend. Budget caps are
 * checked before every step; a stopped run returns the best fully evaluated program so far. Every
 * step is journaled: `checkpoint` receives a JSON checkpoint after each, and `resumeFrom` replays
 * it without LM calls to the same result as an uninterrupted run.
 *
 * @example
 * ```ts
 * const mipro = new MIPROv2({ metric: exactMatch, auto: 'light', promptModel: gpt4o });
 * const { program, score, usage, stopReason } = await mipro.optimize(program, { trainset, valset });
 * ```
 */
export class MIPROv2 implements Optimizer {
  private readonly rngFactory: RngFactory;

  constructor(private readonly options: MIPROv2Options) {
    const auto = options.auto === undefined ? 'light' : options.auto;
    if (auto !== null && !(auto in AUTO_RUN_SETTINGS)) {
      throw new OptimizerError(
        'invalid_option',
        `Invalid value for auto: ${String(auto)}. Must be one of light, medium, heavy or null.`,
        { details: { auto } },
      );
    }
    checkConcurrency(options.concurrency);
    new RunJournal('MIPROv2', options, undefined);
    this.rngFactory = options.rng ?? pythonRandom;
  }

  private get auto(): 'light' | 'medium' | 'heavy' | null {
    return this.options.auto === undefined ? 'light' : this.options.auto;
  }

  async compile<M extends Module>(student: M, options: MIPROv2CompileOptions): Promise<M> {
    return (await this.optimize(student, options)).program;
  }

  async optimize<M extends Module>(
    student: M,
    options: MIPROv2CompileOptions,
  ): Promise<MIPROv2Result<M>> {
    return runJournaled('MIPROv2', this.options, options.resumeFrom, (journal) =>
      this.run(student, options, journal),
    );
  }

  /** DSPy `_set_num_trials_from_num_candidates`. */
  static numTrialsFor(numPredictors: number, zeroshot: boolean, numCandidates: number): number {
    const vars = zeroshot ? numPredictors : numPredictors * 2;
    return Math.trunc(Math.max(2 * vars * Math.log2(numCandidates), 1.5 * numCandidates));
  }

  private async run<M extends Module>(
    student: M,
    options: MIPROv2CompileOptions,
    journal: RunJournal,
  ): Promise<Omit<MIPROv2Result<M>, 'usage' | 'checkpoint' | 'stats'>> {
    const o = this.options;
    const maxBootstrapped = options.maxBootstrappedDemos ?? o.maxBootstrappedDemos ?? 4;
    const maxLabeled = options.maxLabeledDemos ?? o.maxLabeledDemos ?? 4;
    const zeroshot = maxBootstrapped === 0 && maxLabeled === 0;
    const auto = this.auto;
    if (auto === null && (o.numCandidates === undefined || options.numTrials === undefined)) {
      throw new OptimizerError(
        'invalid_option',
        o.numCandidates !== undefined
          ? `If auto is null, numTrials must also be provided. Given numCandidates=${o.numCandidates}, we'd recommend setting numTrials to ~${MIPROv2.numTrialsFor(student.predictors().length, zeroshot, o.numCandidates)}.`
          : 'If auto is null, numCandidates must also be provided.',
        { details: {} },
      );
    }
    if (auto !== null && (o.numCandidates !== undefined || options.numTrials !== undefined)) {
      throw new OptimizerError(
        'invalid_option',
        'If auto is not null, numCandidates and numTrials cannot be set, since they would be overridden by the auto settings. Please either set auto to null, or do not specify numCandidates and numTrials.',
        { details: { auto } },
      );
    }
    const seed = o.seed ?? 9;
    const rng = this.rngFactory(seed);

    // Datasets (DSPy `_set_and_validate_datasets`).
    let trainset = [...options.trainset];
    let valset: Example[];
    checkExamples(trainset, 'trainset');
    if (trainset.length === 0)
      throw new OptimizerError('invalid_option', 'Trainset cannot be empty.', { details: {} });
    if (options.valset === undefined) {
      if (trainset.length < 2) {
        throw new OptimizerError(
          'invalid_option',
          'Trainset must have at least 2 examples if no valset specified.',
          { details: {} },
        );
      }
      const size = Math.min(1000, Math.max(1, Math.trunc(trainset.length * 0.8)));
      valset = trainset.slice(trainset.length - size);
      trainset = trainset.slice(0, trainset.length - size);
    } else {
      valset = [...options.valset];
      checkExamples(valset, 'valset');
      if (valset.length < 1)
        throw new OptimizerError('invalid_option', 'Validation set must have at least 1 example.', {
          details: {},
        });
    }

    // Run mode (DSPy `_set_hyperparams_from_run_mode`).
    let minibatch = options.minibatch ?? true;
    let numTrials: number;
    let numInstruct: number;
    let numFewshot: number;
    if (auto === null) {
      numTrials = options.numTrials!;
      numInstruct = o.numCandidates!;
      numFewshot = o.numCandidates!;
    } else {
      const s = AUTO_RUN_SETTINGS[auto];
      valset = createMinibatch(valset, s.valSize, rng);
      minibatch = valset.length > MIN_MINIBATCH_SIZE;
      numInstruct = zeroshot ? s.n : Math.trunc(s.n * 0.5);
      numFewshot = s.n;
      numTrials = MIPROv2.numTrialsFor(student.predictors().length, zeroshot, s.n);
    }
    const minibatchSize = options.minibatchSize ?? 35;
    const fullEvalSteps = options.minibatchFullEvalSteps ?? 5;
    if (minibatch && minibatchSize > valset.length) {
      throw new OptimizerError(
        'invalid_option',
        `Minibatch size cannot exceed the size of the valset. Valset size: ${valset.length}. ` +
          `(pass minibatchSize of at most ${valset.length}, or minibatch: false)`,
        { details: { minibatchSize, valset: valset.length } },
      );
    }
    const settings = {
      numTrials,
      minibatch,
      valsetSize: valset.length,
      numInstructCandidates: numInstruct,
      numFewshotCandidates: numFewshot,
    };

    const program = student.deepCopy();
    const count = program.predictors().length;
    const base = {
      program,
      settings,
      trials: [] as MIPROTrial[],
      score: 0,
      instructionCandidates: program.predictors().map((p) => [p.signature.instructions]),
    };

    // 1. Demo sets (DSPy `create_n_fewshot_demo_sets`, sharing the run's generator).
    let demoCandidates: DemoSets | undefined = await bootstrapDemoSets(
      program,
      trainset,
      numFewshot,
      {
        options: o,
        maxBootstrappedDemos: maxBootstrapped,
        maxLabeledDemos: maxLabeled,
        ...(options.teacher === undefined ? {} : { teacher: options.teacher }),
        rng,
        rngFactory: this.rngFactory,
        journal,
      },
    );
    let stopReason = journal.budget.exhausted();
    if (demoCandidates === undefined || stopReason !== undefined) {
      return { ...base, ...(stopReason ? { stopReason } : {}) };
    }

    // 2. Instructions (DSPy `_propose_instructions`).
    const instructionCandidates = await proposeInstructionCandidates(
      program,
      trainset,
      demoCandidates,
      numInstruct,
      {
        ...options,
        ...(o.promptModel === undefined ? {} : { promptModel: o.promptModel }),
        ...(o.initTemperature === undefined ? {} : { initTemperature: o.initTemperature }),
        rng,
        journal,
      },
    );
    reportStep(o, 'MIPROv2', journal, { phase: 'propose', step: 'instructions' });
    if (zeroshot) demoCandidates = undefined;

    // 3. Search (DSPy `_optimize_prompt_parameters`).
    const space: Record<string, number> = {};
    for (let i = 0; i < count; i++) {
      space[`${i}_predictor_instruction`] = instructionCandidates[i]!.length;
      if (demoCandidates !== undefined) space[`${i}_predictor_demos`] = demoCandidates[i]!.length;
    }
    const tpe = new TPESampler(space, { seed, rng: this.rngFactory });
    const build = (params: CategoricalParams): M => {
      const candidate = program.deepCopy();
      candidate.predictors().forEach((p, i) => {
        p.signature = p.signature.withInstructions(
          instructionCandidates[i]![params[`${i}_predictor_instruction`]!]!,
        );
        if (demoCandidates !== undefined) {
          p.demos = demoCandidates[i]![params[`${i}_predictor_demos`]!]!.map(toExample);
        }
      });
      return candidate;
    };
    const evaluate = async (
      key: string,
      candidate: Module,
      devset: readonly Example[],
    ): Promise<number> => {
      try {
        return await withLm(o.taskModel, () => evaluateStep(journal, key, candidate, devset, o));
      } catch (error) {
        // DSPy's eval_candidate_program scores a failed evaluation 0.0; a budget or journal
        // mismatch is not an evaluation failure.
        if (error instanceof OptimizerError) throw error;
        return 0;
      }
    };

    const trials: MIPROTrial[] = [];
    const zeros: CategoricalParams = Object.fromEntries(Object.keys(space).map((k) => [k, 0]));
    const defaultScore = await evaluate('eval:default', program, valset);
    tpe.tell(zeros, defaultScore);
    trials.push({ trial: 1, params: zeros, score: defaultScore, full: true });
    let bestScore = defaultScore;
    let bestParams = zeros;
    reportStep(o, 'MIPROv2', journal, {
      phase: 'trial',
      step: 'eval:default',
      score: defaultScore,
      full: true,
      bestScore,
    });
    const adjusted = minibatch
      ? numTrials +
        Math.trunc(numTrials / fullEvalSteps) +
        1 +
        (numTrials % fullEvalSteps !== 0 ? 1 : 0)
      : numTrials;
    const byCombo = new Map<string, { scores: number[]; params: CategoricalParams }>();
    const fullyEvaluated = new Set<string>();

    for (let t = 0; t < numTrials; t++) {
      stopReason = journal.budget.exhausted();
      if (stopReason !== undefined) break;
      const trialNum = tpe.trials.length + 1;
      const params = tpe.ask();
      const candidate = build(params);
      const batch = minibatch ? minibatchSize : valset.length;
      const devset = batch >= valset.length ? valset : createMinibatch(valset, batch, rng);
      const key = `trial:${trialNum}`;
      const score = await evaluate(key, candidate, devset);
      tpe.tell(params, score);
      const full = batch >= valset.length;
      trials.push({ trial: trialNum, params, score, full });
      if (!minibatch && score > bestScore) {
        bestScore = score;
        bestParams = params;
      }
      reportStep(o, 'MIPROv2', journal, { phase: 'trial', step: key, score, full, bestScore });
      const combo = comboKey(params, count, demoCandidates !== undefined);
      const entry = byCombo.get(combo) ?? { scores: [], params };
      entry.scores.push(score);
      byCombo.set(combo, entry);

      if (minibatch && (trialNum % (fullEvalSteps + 1) === 0 || trialNum === adjusted - 1)) {
        stopReason = journal.budget.exhausted();
        if (stopReason !== undefined) break;
        // DSPy `_perform_full_evaluation`: the best mean not yet fully evaluated.
        let pick: { combo: string; mean: number; params: CategoricalParams } | undefined;
        for (const [c, e] of byCombo) {
          if (fullyEvaluated.has(c)) continue;
          const mean = e.scores.reduce((a, b) => a + b, 0) / e.scores.length;
          if (pick === undefined || mean > pick.mean) pick = { combo: c, mean, params: e.params };
        }
        if (pick === undefined) continue;
        const fullKey = `full:${trialNum + 1}`;
        const fullScore = await evaluate(fullKey, build(pick.params), valset);
        tpe.tell(pick.params, fullScore);
        fullyEvaluated.add(pick.combo);
        trials.push({ trial: trialNum + 1, params: pick.params, score: fullScore, full: true });
        if (fullScore > bestScore) {
          bestScore = fullScore;
          bestParams = pick.params;
        }
        reportStep(o, 'MIPROv2', journal, {
          phase: 'trial',
          step: fullKey,
          score: fullScore,
          full: true,
          bestScore,
        });
      }
    }
    return {
      program: build(bestParams),
      score: bestScore,
      trials,
      instructionCandidates,
      ...(demoCandidates !== undefined ? { demoCandidates } : {}),
      settings,
      ...(stopReason !== undefined ? { stopReason } : {}),
    };
  }
}

/** What {@link bootstrapDemoSets} needs of a run. */
export interface DemoSetRun {
  /** The bootstrapping options (metric, threshold, teacher settings, errors, concurrency, task model). */
  options: Pick<
    MIPROv2Options,
    'metric' | 'metricThreshold' | 'teacherSettings' | 'maxErrors' | 'concurrency' | 'taskModel'
  >;
  /** Bootstrapped demos per set (with `maxLabeledDemos` 0 too: zero-shot, 3 for the proposer). */
  maxBootstrappedDemos: number;
  /** Labeled demos per set. */
  maxLabeledDemos: number;
  teacher?: Module;
  /** The run's generator (shared with the proposal step, as in DSPy). */
  rng: Rng;
  rngFactory: RngFactory;
  /** Journals each set as a `task` step (budget, checkpoint, replay). */
  journal: RunJournal;
}

/**
 * MIPROv2's demo-set step (DSPy's `create_n_fewshot_demo_sets`): per predictor, `numSets` sets —
 * zero-shot, labeled only, unshuffled bootstrap, then shuffled bootstraps of random sizes — each a
 * journaled `task` step with the task model. `undefined` when the budget stopped it.
 *
 * @example
 * ```ts
 * const journal = new RunJournal('candidates', options, undefined);
 * const sets = await bootstrapDemoSets(program, trainset, 6, {
 *   options: { metric }, maxBootstrappedDemos: 4, maxLabeledDemos: 4,
 *   rng: pythonRandom(9), rngFactory: pythonRandom, journal,
 * });
 * ```
 */
export async function bootstrapDemoSets(
  student: Module,
  trainset: readonly Example[],
  numSets: number,
  run: DemoSetRun,
): Promise<DemoSets | undefined> {
  const zeroshot = run.maxBootstrappedDemos === 0 && run.maxLabeledDemos === 0;
  const maxBootstrapped = zeroshot
    ? BOOTSTRAPPED_FEWSHOT_EXAMPLES_IN_CONTEXT
    : run.maxBootstrappedDemos;
  const maxLabeled = zeroshot ? LABELED_FEWSHOT_EXAMPLES_IN_CONTEXT : run.maxLabeledDemos;
  const { rng, journal, options: o } = run;
  return withLm(o.taskModel, async () => {
    const count = student.predictors().length;
    const sets: DemoSets = Array.from({ length: count }, () => []);
    for (let seed = -3; seed < numSets - 3; seed++) {
      if (journal.budget.exhausted() !== undefined) return undefined;
      const trainCopy = [...trainset];
      let size = maxBootstrapped;
      if (seed >= 0) {
        // Drawn outside the journaled step, so a resumed run draws the same.
        rng.shuffle(trainCopy);
        size = rng.randint(1, maxBootstrapped);
      }
      const demos = await journal.step(
        `demos:${seed}`,
        'task',
        async () => {
          let compiled: Module;
          let sequential: { lmCalls: number; metricCalls: number; usd: number } | undefined;
          if (seed === -3) compiled = student.resetCopy();
          else if (seed === -2) {
            compiled =
              maxLabeled > 0
                ? new LabeledFewShot({ k: maxLabeled, rng: run.rngFactory }).apply(
                    student,
                    trainCopy,
                  )
                : student.resetCopy();
          } else {
            const left = journal.budget.remaining();
            const result = await new BootstrapFewShot({
              metric: o.metric,
              ...(o.metricThreshold !== undefined ? { metricThreshold: o.metricThreshold } : {}),
              ...(o.teacherSettings !== undefined ? { teacherSettings: o.teacherSettings } : {}),
              ...(o.maxErrors !== undefined ? { maxErrors: o.maxErrors } : {}),
              ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
              maxBootstrappedDemos: size,
              maxLabeledDemos: maxLabeled,
              rng: run.rngFactory,
              ...left,
            }).optimize(student, {
              trainset: trainCopy,
              ...(run.teacher ? { teacher: run.teacher } : {}),
            });
            compiled = result.program;
            sequential = result.bootstrap;
          }
          return {
            demos: compiled
              .predictors()
              .map((p) => p.demos.map((d) => (d instanceof Example ? d.toDict() : { ...d }))),
            sequential,
          };
        },
        // A bootstrap with concurrency > 1 may run past its stopping example: charge what a
        // sequential run spends, so budgets and results do not depend on concurrency.
        (value, measured) =>
          value.sequential === undefined
            ? measured
            : {
                ...measured,
                lmCalls: value.sequential.lmCalls,
                metricCalls: value.sequential.metricCalls,
                usd: value.sequential.usd,
              },
      );
      demos.demos.forEach((d, i) => sets[i]!.push(d));
    }
    return sets;
  });
}

/** What {@link proposeInstructionCandidates} needs of a run (MIPROv2's proposer switches). */
export interface InstructionProposalRun extends Pick<
  MIPROv2CompileOptions,
  | 'programAwareProposer'
  | 'dataAwareProposer'
  | 'fewshotAwareProposer'
  | 'tipAwareProposer'
  | 'viewDataBatchSize'
  | 'programCode'
> {
  /** LM of the proposals (default: the configured LM); its calls are `prompt` spend. */
  promptModel?: LM;
  /** Temperature of the proposals (default 1.0). */
  initTemperature?: number;
  /** The run's generator (after {@link bootstrapDemoSets}, as in DSPy). */
  rng: Rng;
  journal: RunJournal;
}

/**
 * MIPROv2's instruction step (DSPy's `_propose_instructions`): the grounded proposer summarizes
 * the trainset, then proposes `numInstruct` instructions per predictor from the demo sets
 * (journaled `prompt` steps). Index 0 of each predictor's list is its current instruction.
 */
export async function proposeInstructionCandidates(
  program: Module,
  trainset: readonly Example[],
  demoSets: DemoSets,
  numInstruct: number,
  run: InstructionProposalRun,
): Promise<string[][]> {
  const proposer = new GroundedProposer(run.journal, run.rng, program, {
    ...(run.promptModel !== undefined ? { promptModel: run.promptModel } : {}),
    programAware: run.programAwareProposer ?? true,
    useDatasetSummary: run.dataAwareProposer ?? true,
    useTaskDemos: run.fewshotAwareProposer ?? true,
    numDemosInContext: BOOTSTRAPPED_FEWSHOT_EXAMPLES_IN_CONTEXT,
    useTip: run.tipAwareProposer ?? true,
    setTipRandomly: run.tipAwareProposer ?? true,
    viewDataBatchSize: run.viewDataBatchSize ?? 10,
    initTemperature: run.initTemperature ?? 1.0,
    ...(run.programCode !== undefined ? { programCode: run.programCode } : {}),
  });
  await proposer.summarize(trainset);
  const instructionCandidates = await proposer.proposeInstructions(
    program,
    demoSets.map((sets) => sets.map((set) => set.map(toExample))),
    numInstruct,
  );
  program.predictors().forEach((p, i) => {
    instructionCandidates[i]![0] = p.signature.instructions;
  });
  return instructionCandidates;
}

/** DSPy's `create_minibatch`: `rng.sample(range(len(set)), size)` in sample order. */
function createMinibatch(set: readonly Example[], size: number, rng: Rng): Example[] {
  const indices = rng.sample(
    Array.from({ length: set.length }, (_, i) => i),
    Math.min(size, set.length),
  );
  return indices.map((i) => set[i]!);
}

function comboKey(params: CategoricalParams, count: number, demos: boolean): string {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    parts.push(`Predictor ${i}: Instruction ${params[`${i}_predictor_instruction`]}`);
    if (demos) parts.push(`Predictor ${i}: Few-Shot Set ${params[`${i}_predictor_demos`]}`);
  }
  return parts.join(',');
}

function toExample(demo: Record<string, unknown>): Example {
  return new Example(demo);
}
