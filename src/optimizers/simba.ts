import type { Metric } from '../evaluate/metric.js';
import { pythonRound } from '../evaluate/python-round.js';
import type { LM } from '../lm/types.js';
import type { Example } from '../modules/example.js';
import type { Module, ProgramState } from '../modules/module.js';
import type { Predictor } from '../modules/parameter.js';
import { currentSettings } from '../modules/settings.js';
import { Budget, budgetLimitsOf, type BudgetLimits, type BudgetUsage } from './budget.js';
import {
  evaluateElsewhere,
  evaluationCharge,
  type CandidateEvaluator,
} from './candidate-evaluator.js';
import { NumpyRandom, type NumpyRandomState } from './numpy-random.js';
import {
  checkConcurrency,
  checkExamples,
  report,
  type CommonOptimizerOptions,
  type OptimizationResult,
  type Optimizer,
} from './optimizer.js';
import { OptimizerError } from './optimizer-error.js';
import { pythonRandom } from './python-random.js';
import { ReplayRng, weightedChoice, type RngCheckpoint } from './replay-rng.js';
import { rolloutLm } from './rollout-lm.js';
import {
  checkInteger,
  linearPercentile,
  mapInOrder,
  measured,
  runScored,
  type ScoredRun,
  type StopReason,
} from './search-kit.js';
import {
  appendADemo,
  appendARule,
  type RuleOptions,
  type SimbaStrategy,
} from './simba-strategies.js';

/** Options of {@link SIMBA} (DSPy's arguments, camelCased). */
export interface SimbaOptions extends CommonOptimizerOptions, BudgetLimits, RuleOptions {
  /** `(example, prediction) => number | { score, ...info }`; extra fields reach the rule proposer. */
  metric: Metric;
  /** Mini-batch size (default 32; the trainset must hold at least this many examples). */
  bsize?: number;
  /** New candidates per step, and trajectories sampled per example (default 6). */
  numCandidates?: number;
  /** Optimization steps (default 8). */
  maxSteps?: number;
  /** Demos a predictor may hold before SIMBA starts dropping some (default 4; 0 = rules only). */
  maxDemos?: number;
  /** LM that writes the rules (default: the configured LM at compile time). */
  promptModel?: LM;
  /** Teacher settings: with an `lm`, it samples the first trajectory of every example. */
  teacherSettings?: { lm?: LM };
  /** Characters kept per input field of a new demo (default 100 000). */
  demoInputFieldMaxlen?: number;
  /** Softmax temperature when picking programs for trajectory sampling (default 0.2). */
  temperatureForSampling?: number;
  /** Softmax temperature when picking the source program of a new candidate (default 0.2). */
  temperatureForCandidates?: number;
  /** Called (and awaited) after every step with the run's JSON-safe state. */
  checkpoint?: (checkpoint: SimbaCheckpoint) => void | Promise<void>;
  /**
   * Scores candidates elsewhere (the runtime: evaluation shards spread over the nodes): the
   * candidates' mini-batch scores and the final evaluation on the trainset. The metric must be the
   * evaluator's, by name. Trajectory sampling stays here: each of its runs has its own program and
   * rollout LM, and the strategies need its traces. Same candidates and scores as a local run.
   */
  evaluator?: CandidateEvaluator;
}

/** Options of `SIMBA.compile`. */
export interface SimbaCompileOptions {
  trainset: readonly Example[];
  /** DSPy's `compile(seed=0)`: seeds `random.Random` and NumPy's `default_rng`. */
  seed?: number;
  /** A checkpoint of an interrupted run with the same options and data: the run continues from it. */
  resumeFrom?: SimbaCheckpoint;
}

/** What happened in one step (DSPy's `trial_logs[step]`, plus the step's draws). */
export interface SimbaStepLog {
  /** Trainset indices of the mini-batch. */
  batch: number[];
  /** Program index sampled for each (model, example) trajectory, model-major. */
  sampled: number[];
  /** Score of each of those trajectories. */
  sampledScores: number[];
  /** Mean score of all sampled trajectories. */
  baselineScore: number;
  /** Per candidate built this step: source program, demos dropped, strategy and mini-batch score. */
  candidates: { source: number; dropped: number[]; strategy: string; score: number }[];
  /** Full-trainset score of this step's winner when the final evaluation scored it. */
  trainScore?: number;
}

/** JSON-safe state of a SIMBA run after a step (what {@link SimbaOptions.checkpoint} receives). */
export interface SimbaCheckpoint {
  /** Steps completed. */
  step: number;
  /** Program pool by SIMBA index (0 = the student), as `Module.save()` states. */
  programs: ProgramState[];
  programScores: number[][];
  winners: ProgramState[];
  winnerScores: number[];
  dataIndices: number[];
  instanceIdx: number;
  rng: RngCheckpoint;
  numpy: NumpyRandomState;
  trialLogs: SimbaStepLog[];
  /** Spend so far (task and prompt model apart). */
  usage: BudgetUsage;
}

/** A candidate of the final evaluation. */
export interface SimbaCandidate<M extends Module> {
  /** Mean metric over the trainset (or, when a cap stopped the run, over its mini-batch). */
  score: number;
  program: M;
}

/** The result of a SIMBA run. */
export interface SimbaResult<M extends Module> extends OptimizationResult<M> {
  /** Final candidates, best first. */
  candidates: SimbaCandidate<M>[];
  trialLogs: SimbaStepLog[];
  stopReason: StopReason;
  /** LM calls made by the prompt model (rules), also counted in `stats.lmCalls`. */
  promptLmCalls: number;
  /** Spend of the whole run (including before a resume), task and prompt model apart. */
  usage: BudgetUsage;
}

/**
 * DSPy's SIMBA (Stochastic Introspective Mini-Batch Ascent, DSPy 3.3.1 `simba.py`). Each step
 * samples a mini-batch, runs it `numCandidates` times with programs drawn from the pool by a
 * softmax over their scores (each time on a temperature-1.0 copy of the LM with its own
 * `rolloutId`), buckets the runs per example by score spread, and builds new candidates from the
 * most variable buckets with `appendADemo` (the best run's trace as demos) or `appendARule` (the
 * prompt model's advice from contrasting the best and the worst run, DSPy's OfferFeedback
 * signature). Candidates are scored on the mini-batch and join the pool; the winners of the steps
 * are finally scored on the whole trainset and the best is returned.
 *
 * Draws follow DSPy's: CPython's `random.Random(seed)` and NumPy's `default_rng(seed)` Poisson for
 * dropping demos, so a seeded run makes DSPy's choices. Caps (`maxLmCalls`, `maxMetricCalls`) are
 * checked before each step and before the final evaluation; a capped run returns the best winner
 * by mini-batch score with `stopReason`.
 *
 * @example
 * ```ts
 * const simba = new SIMBA({ metric, bsize: 16, numCandidates: 4, maxSteps: 6, concurrency: 8 });
 * const { program, candidates, stopReason } = await simba.optimize(student, { trainset, seed: 0 });
 * ```
 */
export class SIMBA implements Optimizer {
  readonly bsize: number;
  readonly numCandidates: number;
  readonly maxSteps: number;
  readonly maxDemos: number;
  private readonly strategies: { name: string; run: SimbaStrategy }[];

  constructor(private readonly options: SimbaOptions) {
    this.bsize = checkInteger('bsize', options.bsize ?? 32, 1);
    this.numCandidates = checkInteger('numCandidates', options.numCandidates ?? 6, 1);
    this.maxSteps = checkInteger('maxSteps', options.maxSteps ?? 8, 0);
    this.maxDemos = checkInteger('maxDemos', options.maxDemos ?? 4, 0);
    for (const key of ['temperatureForSampling', 'temperatureForCandidates'] as const) {
      const t = options[key];
      if (t !== undefined && !(t > 0)) {
        throw new OptimizerError('invalid_option', `${key} must be > 0, got ${t}`, {
          details: { [key]: t },
        });
      }
    }
    checkConcurrency(options.concurrency);
    const rule = { name: 'append_a_rule', run: appendARule(options) };
    this.strategies =
      this.maxDemos > 0
        ? [
            { name: 'append_a_demo', run: appendADemo(options.demoInputFieldMaxlen ?? 100_000) },
            rule,
          ]
        : [rule];
  }

  async compile<M extends Module>(student: M, options: SimbaCompileOptions): Promise<M> {
    return (await this.optimize(student, options)).program;
  }

  optimize<M extends Module>(student: M, options: SimbaCompileOptions): Promise<SimbaResult<M>> {
    return measured((metricCalls) => this.run(student, options, metricCalls));
  }

  private async run<M extends Module>(
    studentIn: M,
    { trainset, seed = 0, resumeFrom }: SimbaCompileOptions,
    metricCalls: { count: number },
  ): Promise<Omit<SimbaResult<M>, 'stats'>> {
    checkExamples(trainset, 'trainset');
    if (trainset.length < this.bsize) {
      throw new OptimizerError(
        'invalid_option',
        `Trainset too small: ${trainset.length} < ${this.bsize} (SIMBA draws minibatches of bsize ` +
          `examples: pass a bsize of at most ${trainset.length}, or more examples)`,
        { details: { trainset: trainset.length, bsize: this.bsize } },
      );
    }
    const o = this.options;
    const concurrency = checkConcurrency(o.concurrency);
    const tSampling = o.temperatureForSampling ?? 0.2;
    const tCandidates = o.temperatureForCandidates ?? 0.2;
    const factory = o.rng ?? pythonRandom;
    const promptModel = o.promptModel ?? currentSettings().lm;
    const student = studentIn.deepCopy();
    const restore = (state: ProgramState): M => student.deepCopy().load(state);

    const rng = resumeFrom
      ? ReplayRng.restore(factory, resumeFrom.rng)
      : new ReplayRng(factory, seed);
    const np = new NumpyRandom(resumeFrom?.numpy ?? seed);
    const programs: M[] = resumeFrom ? resumeFrom.programs.map(restore) : [student];
    const programScores: number[][] = resumeFrom
      ? resumeFrom.programScores.map((s) => [...s])
      : [[]];
    const winners: M[] = resumeFrom ? resumeFrom.winners.map(restore) : [student];
    const winnerScores: number[] = resumeFrom
      ? [...resumeFrom.winnerScores]
      : [Number.NEGATIVE_INFINITY];
    const trialLogs: SimbaStepLog[] = resumeFrom ? structuredClone(resumeFrom.trialLogs) : [];
    const dataIndices = resumeFrom
      ? [...resumeFrom.dataIndices]
      : rng.shuffle(trainset.map((_, i) => i));
    let instanceIdx = resumeFrom?.instanceIdx ?? 0;
    const budget = new Budget(budgetLimitsOf(o), resumeFrom?.usage);
    const metric = budget.countingMetric(o.metric);
    const task = <T>(fn: () => Promise<T>): Promise<T> =>
      budget.measure('task', fn).then((r) => r.value);
    // Every system on every example (a task-model step), scores per system in example order.
    const scoreGrid = async (systems: M[], examples: readonly Example[]): Promise<number[][]> => {
      const n = examples.length;
      const { evaluator } = o;
      if (evaluator !== undefined) {
        // Charged with the evaluator's reported spend only: shards may run in this process too.
        // A failed example scores 0, as here; SIMBA tolerates any number of them.
        const remote = await Promise.all(
          systems.map((s) => evaluateElsewhere(evaluator, s, examples, Number.POSITIVE_INFINITY)),
        );
        for (const evaluation of remote) {
          const charge = evaluationCharge(evaluation);
          budget.charge(charge);
          metricCalls.count += charge.metricCalls;
        }
        return remote.map((r) => r.scores);
      }
      const runs = await task(() =>
        mapInOrder(systems.length * n, concurrency, (i) =>
          runScored(systems[Math.floor(i / n)]!, examples[i % n]!, metric, metricCalls),
        ),
      );
      return systems.map((_, p) => runs.slice(p * n, (p + 1) * n).map((r) => r.score));
    };

    const average = (idx: number): number => {
      const s = programScores[idx] ?? [];
      return s.length === 0 ? 0 : s.reduce((a, b) => a + b, 0) / s.length;
    };
    const topKPlusBaseline = (k: number): number[] => {
      const order = programs.map((_, i) => i).sort((a, b) => average(b) - average(a));
      const top = order.slice(0, k);
      if (!top.includes(0) && top.length > 0) top[top.length - 1] = 0;
      return [...new Set(top)];
    };
    const softmaxSample = (idxs: number[], temperature: number): number => {
      const exps = idxs.map((i) => Math.exp(average(i) / temperature));
      const sum = exps.reduce((a, b) => a + b, 0);
      if (!(sum > 0)) return rng.choice(idxs);
      return weightedChoice(
        rng,
        idxs,
        exps.map((e) => e / sum),
      );
    };

    let stopReason: StopReason = 'completed';
    for (let step = resumeFrom?.step ?? 0; step < this.maxSteps; step++) {
      const capped = budget.exhausted();
      if (capped !== undefined) {
        stopReason = capped;
        break;
      }
      {
        // STEP 1: the next mini-batch (reshuffled when the epoch runs out).
        if (instanceIdx + this.bsize > trainset.length) {
          rng.shuffle(dataIndices);
          instanceIdx = 0;
        }
        const batchIdx = dataIndices.slice(instanceIdx, instanceIdx + this.bsize);
        const batch = batchIdx.map((i) => trainset[i]!);
        instanceIdx += this.bsize;

        const models = this.models(programs[0]!);
        const top = topKPlusBaseline(this.numCandidates);
        const names = new Map<Predictor, string>();
        const pairs: { program: M; example: Example }[] = [];
        const sampled: number[] = [];
        for (const model of models) {
          for (const example of batch) {
            const chosen = softmaxSample(top, tSampling);
            sampled.push(chosen);
            const copy = programs[chosen]!.deepCopy();
            if (model !== undefined) copy.setLm(model);
            for (const [name, p] of copy.namedPredictors()) names.set(p, name);
            pairs.push({ program: copy, example });
          }
        }
        // STEP 2: run every trajectory.
        const outputs = await task(() =>
          mapInOrder(pairs.length, concurrency, (i) =>
            runScored(pairs[i]!.program, pairs[i]!.example, metric, metricCalls),
          ),
        );
        // STEP 3: buckets per example, most variable first.
        const scores = outputs.map((r) => r.score);
        const p10 = linearPercentile(scores, 10);
        const p90 = linearPercentile(scores, 90);
        const buckets = batch.map((_, idx) => {
          const bucket: ScoredRun[] = [];
          for (let i = idx; i < outputs.length; i += this.bsize) bucket.push(outputs[i]!);
          bucket.sort((a, b) => b.score - a.score);
          const max = bucket[0]!.score;
          const min = bucket[bucket.length - 1]!.score;
          const avg = bucket.reduce((a, r) => a + r.score, 0) / bucket.length;
          return { bucket, key: [max - min, max, max - avg] as const };
        });
        buckets.sort((a, b) => b.key[0] - a.key[0] || b.key[1] - a.key[1] || b.key[2] - a.key[2]);
        const log: SimbaStepLog = {
          batch: batchIdx,
          sampled,
          sampledScores: scores,
          baselineScore: scores.reduce((a, b) => a + b, 0) / scores.length,
          candidates: [],
        };

        // STEP 4: new candidates from the top buckets.
        const candidates: M[] = [];
        for (const { bucket } of buckets) {
          const source = softmaxSample(topKPlusBaseline(this.numCandidates), tCandidates);
          const system = programs[source]!.deepCopy();
          const byName = new Map(system.namedPredictors());
          const maxDemosTmp = this.maxDemos > 0 ? this.maxDemos : 3;
          const numDemos = Math.max(0, ...[...byName.values()].map((p) => p.demos.length));
          const toDrop = Math.min(
            Math.max(np.poisson(numDemos / maxDemosTmp), numDemos >= maxDemosTmp ? 1 : 0),
            numDemos,
          );
          const dropped: number[] = [];
          for (let d = 0; d < toDrop; d++) dropped.push(rng.randBelow(numDemos));
          for (const p of byName.values()) p.demos = p.demos.filter((_, i) => !dropped.includes(i));
          const strategy = rng.choice(this.strategies);
          try {
            await budget.measure('prompt', () =>
              strategy.run(bucket, system, {
                predictorNames: names,
                byName,
                batch10p: p10,
                batch90p: p90,
                promptModel,
              }),
            );
          } catch {
            continue; // DSPy logs the failure and skips the candidate
          }
          candidates.push(system);
          log.candidates.push({ source, dropped, strategy: strategy.name, score: 0 });
          if (candidates.length >= this.numCandidates + 1) break;
        }

        // STEP 5-6: score the candidates on the same mini-batch.
        const candScores = await scoreGrid(candidates, batch);
        const means = candScores.map((s) => s.reduce((a, b) => a + b, 0) / s.length);
        means.forEach((m, c) => (log.candidates[c]!.score = m));
        // STEP 7: the step's winner.
        if (means.length > 0) {
          const best = means.indexOf(Math.max(...means));
          winners.push(candidates[best]!.deepCopy());
          winnerScores.push(means[best]!);
        }
        // STEP 8: every candidate joins the pool.
        candidates.forEach((c, i) => {
          programs.push(c);
          programScores.push(candScores[i]!);
        });
        trialLogs.push(log);
        report(o.onProgress, {
          optimizer: 'SIMBA',
          phase: 'candidate',
          seed: step,
          score: means.length > 0 ? Math.max(...means) : 0,
          bestScore: Math.max(...winnerScores),
          candidates: programs.length,
        });
      }
      if (o.checkpoint !== undefined) {
        await o.checkpoint({
          step: step + 1,
          programs: programs.map((p) => p.save()),
          programScores: programScores.map((s) => [...s]),
          winners: winners.map((p) => p.save()),
          winnerScores: [...winnerScores],
          dataIndices: [...dataIndices],
          instanceIdx,
          rng: rng.checkpoint(),
          numpy: np.getState(),
          trialLogs: structuredClone(trialLogs),
          usage: budget.usage,
        });
      }
    }
    if (stopReason === 'completed') {
      const capped = budget.exhausted();
      if (capped !== undefined) stopReason = capped;
    }
    if (stopReason !== 'completed') {
      // Capped: no full evaluation; the winners compete on their mini-batch scores.
      const ranked = winners
        .map((program, i) => ({ score: winnerScores[i]!, program }))
        .sort((a, b) => b.score - a.score);
      return {
        program: ranked[0]!.program.deepCopy(),
        candidates: ranked,
        trialLogs,
        stopReason,
        promptLmCalls: budget.usage.prompt.lmCalls,
        usage: budget.usage,
      };
    }

    // Final: an evenly spaced selection of the winners, scored on the whole trainset.
    const m = winners.length - 1;
    const n = this.numCandidates + 1;
    const idxs = [
      ...new Set(
        Array.from({ length: n }, (_, i) => (m < 1 ? 0 : pythonRound((i * m) / (n - 1), 0))),
      ),
    ];
    const finalists = idxs.map((i) => winners[i]!.deepCopy());
    const finalScores = (await scoreGrid(finalists, trainset)).map((s) =>
      s.length === 0 ? 0 : s.reduce((x, y) => x + y, 0) / s.length,
    );
    finalScores.forEach((s, p) => {
      // DSPy indexes the logs by finalist position (trial_logs[idx_prog - 1]).
      const entry = p === 0 ? undefined : trialLogs[p - 1];
      if (entry !== undefined) entry.trainScore = s;
    });
    const bestIdx = finalScores.indexOf(Math.max(...finalScores));
    const candidates = finalists
      .map((program, i) => ({ score: finalScores[i]!, program }))
      .sort((a, b) => b.score - a.score);
    return {
      program: finalists[bestIdx]!.deepCopy(),
      candidates,
      trialLogs,
      stopReason,
      promptLmCalls: budget.usage.prompt.lmCalls,
      usage: budget.usage,
    };
  }

  /** DSPy's `prepare_models_for_resampling`: temperature-1.0 copies with consecutive rollout ids. */
  private models(program: Module): (LM | undefined)[] {
    const lm = safeLm(program) ?? currentSettings().lm;
    if (lm === undefined) return Array.from({ length: this.numCandidates }, () => undefined);
    // DSPy starts at the LM's own `rollout_id`; dspex LMs carry none, so ids start at 0.
    const ids = Array.from({ length: this.numCandidates }, (_, i) => i);
    const models: LM[] = [];
    const teacher = this.options.teacherSettings;
    if (teacher !== undefined) {
      const t = teacher.lm ?? lm;
      models.push(rolloutLm(t, ids[0]!, t.params.temperature ?? 1.0));
    }
    for (const id of ids.slice(models.length)) models.push(rolloutLm(lm, id, 1.0));
    return models;
  }
}

function safeLm(program: Module): LM | undefined {
  try {
    return program.getLm();
  } catch {
    return undefined;
  }
}
