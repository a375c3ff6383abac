import { Evaluate } from '../evaluate/evaluate.js';
import { metricNameOf, type Metric } from '../evaluate/metric.js';
import type { Example } from '../modules/example.js';
import type { Module } from '../modules/module.js';
import { currentSettings } from '../modules/settings.js';
import { BootstrapFewShot } from './bootstrap-few-shot.js';
import {
  Budget,
  budgetLimitsOf,
  chargeOf,
  checkBudgetLimits,
  type BudgetStopReason,
} from './budget.js';
import { evaluateElsewhere, evaluationCharge, evaluationScore } from './candidate-evaluator.js';
import { LabeledFewShot } from './labeled-few-shot.js';
import { checkConcurrency, checkExamples, report, type Optimizer } from './optimizer.js';
import { OptimizerError } from './optimizer-error.js';
import { pythonRandom, type RngFactory } from './python-random.js';
import { measured } from './search-kit.js';
import type {
  CandidateProgram,
  RandomSearchCheckpoint,
  RandomSearchCompileOptions,
  RandomSearchOptions,
  RandomSearchResult,
} from './random-search-options.js';

export type {
  CandidateProgram,
  RandomSearchCheckpoint,
  RandomSearchCompileOptions,
  RandomSearchOptions,
  RandomSearchResult,
} from './random-search-options.js';

/**
 * DSPy's `BootstrapFewShotWithRandomSearch` (§3.3): for seed -3 … N-1 it builds a candidate —
 * zero-shot (-3), LabeledFewShot (-2), BootstrapFewShot on the train order (-1), and for seed ≥ 0
 * BootstrapFewShot on `Random(seed).shuffle(trainset)` with `Random(seed).randint(1, max)` demos —
 * scores each on the valset (default: the trainset) with {@link Evaluate}, and keeps the first
 * best. Candidates run one after another (so `stopAtScore` stops where DSPy would); `concurrency`
 * applies inside each bootstrap and evaluation.
 *
 * @example
 * ```ts
 * const rs = new BootstrapFewShotWithRandomSearch({ metric, numCandidatePrograms: 4, concurrency: 8 });
 * const { program, candidates, stats } = await rs.optimize(student, { trainset, valset });
 * ```
 */
export class BootstrapFewShotWithRandomSearch implements Optimizer {
  readonly numCandidatePrograms: number;
  readonly maxBootstrappedDemos: number;
  readonly maxLabeledDemos: number;
  private readonly rng: RngFactory;

  constructor(private readonly options: RandomSearchOptions) {
    this.numCandidatePrograms = options.numCandidatePrograms ?? 16;
    this.maxBootstrappedDemos = options.maxBootstrappedDemos ?? 4;
    this.maxLabeledDemos = options.maxLabeledDemos ?? 16;
    if (!Number.isInteger(this.numCandidatePrograms) || this.numCandidatePrograms < 0) {
      throw new OptimizerError(
        'invalid_option',
        `numCandidatePrograms must be an integer >= 0, got ${this.numCandidatePrograms}`,
        {
          details: { numCandidatePrograms: this.numCandidatePrograms },
        },
      );
    }
    checkConcurrency(options.concurrency);
    checkBudgetLimits(options);
    this.rng = options.rng ?? pythonRandom;
  }

  async compile<M extends Module>(student: M, options: RandomSearchCompileOptions): Promise<M> {
    return (await this.optimize(student, options)).program;
  }

  async optimize<M extends Module>(
    student: M,
    options: RandomSearchCompileOptions,
  ): Promise<RandomSearchResult<M>> {
    const { program, candidates, stopReason, stats } = await measured((metricCalls) =>
      this.search(student, options, metricCalls),
    );
    return {
      program,
      candidates,
      budgetExhausted: stopReason !== undefined,
      ...(stopReason !== undefined ? { stopReason } : {}),
      stats,
    };
  }

  private async search<M extends Module>(
    student: M,
    {
      trainset,
      valset,
      teacher,
      restrict,
      labeledSample = true,
      resumeFrom,
    }: RandomSearchCompileOptions,
    metricCalls: { count: number },
  ): Promise<{ program: M; candidates: CandidateProgram<M>[]; stopReason?: BudgetStopReason }> {
    checkExamples(trainset, 'trainset');
    // DSPy: `valset or trainset`, so an empty valset also falls back.
    const evalset = valset !== undefined && valset.length > 0 ? valset : trainset;
    checkExamples(evalset, 'valset');
    const seeds: number[] = [];
    for (let seed = -3; seed < this.numCandidatePrograms; seed++) {
      if (restrict === undefined || restrict.includes(seed)) seeds.push(seed);
    }
    if (seeds.length === 0) {
      throw new OptimizerError(
        'invalid_option',
        `restrict ${JSON.stringify(restrict)} does not match any candidate seed in range(-3, ${this.numCandidatePrograms}); no candidate programs would be evaluated.`,
        { details: { restrict } },
      );
    }
    const maxErrors = this.options.maxErrors ?? currentSettings().maxErrors ?? 10;
    const concurrency = checkConcurrency(this.options.concurrency);

    const metric = this.options.metric;
    const countedMetric: Metric = (example, prediction, trace) => {
      metricCalls.count++;
      return metric(example, prediction, trace);
    };
    const candidates: CandidateProgram<M>[] = [];
    let best: CandidateProgram<M> | undefined;
    // Calls a sequential run would have made so far: what the budgets are charged with.
    const used = { lm: 0, metric: 0, usd: 0, ...resumeFrom?.used };
    const restored = new Map((resumeFrom?.candidates ?? []).map((c) => [c.seed, c]));
    const saved: RandomSearchCheckpoint['candidates'] = [];
    let stopReason: BudgetStopReason | undefined;
    for (const seed of seeds) {
      const reason = candidates.length > 0 ? this.exhausted(used) : undefined;
      if (reason !== undefined) {
        stopReason = reason;
        break;
      }
      const previous = restored.get(seed);
      let candidate: CandidateProgram<M>;
      if (previous !== undefined) {
        const program = student.resetCopy().load(previous.state);
        program.compiled = previous.compiled;
        candidate = { seed, score: previous.score, subscores: previous.subscores, program };
      } else {
        const trainCopy = [...trainset];
        const program = await this.buildCandidate(student, seed, trainCopy, {
          teacher,
          labeledSample,
          maxErrors,
          metricCalls,
          used,
        });
        const { evaluator } = this.options;
        if (evaluator !== undefined) {
          const remote = await evaluateElsewhere(evaluator, program, evalset, maxErrors);
          const charge = evaluationCharge(remote);
          metricCalls.count += charge.metricCalls;
          used.lm += charge.lmCalls;
          used.metric += charge.metricCalls;
          used.usd += charge.usd;
          candidate = { seed, score: evaluationScore(remote), subscores: remote.scores, program };
        } else {
          const metricCallsBefore = metricCalls.count;
          const evaluation = await new Evaluate({
            devset: evalset,
            metric: countedMetric,
            metricName: metricNameOf(this.options.metric),
            concurrency,
            maxErrors,
            display: this.options.display ?? true,
          }).run(program);
          const charge = chargeOf('task', evaluation.calls, metricCalls.count - metricCallsBefore);
          used.lm += charge.lmCalls;
          used.metric += charge.metricCalls;
          used.usd += charge.usd;
          candidate = {
            seed,
            score: evaluation.score,
            subscores: evaluation.results.map((r) => r.score),
            program,
            evaluation,
          };
        }
      }
      saved.push({
        seed,
        score: candidate.score,
        subscores: candidate.subscores,
        state: candidate.program.save(),
        compiled: candidate.program.compiled,
      });
      if (previous === undefined && this.options.checkpoint !== undefined) {
        await this.options.checkpoint({ candidates: [...saved], used: { ...used } });
      }
      // Strictly greater: the first candidate reaching the best score wins (DSPy).
      if (best === undefined || candidate.score > best.score) best = candidate;
      candidates.push(candidate);
      report(this.options.onProgress, {
        optimizer: 'BootstrapFewShotWithRandomSearch',
        phase: 'candidate',
        seed,
        score: candidate.score,
        bestScore: best.score,
        candidates: candidates.length,
      });
      if (this.options.stopAtScore !== undefined && candidate.score >= this.options.stopAtScore)
        break;
    }
    const sorted = [...candidates].sort((a, b) => b.score - a.score);
    return { program: best!.program, candidates: sorted, ...(stopReason ? { stopReason } : {}) };
  }

  /** The cap the sequential spend `used` reached, if any. */
  private exhausted(used: {
    lm: number;
    metric: number;
    usd: number;
  }): BudgetStopReason | undefined {
    const budget = new Budget(budgetLimitsOf(this.options));
    budget.charge({
      role: 'task',
      lmCalls: used.lm,
      metricCalls: used.metric,
      usd: used.usd,
      promptTokens: 0,
      completionTokens: 0,
    });
    return budget.exhausted();
  }

  private async buildCandidate<M extends Module>(
    student: M,
    seed: number,
    trainCopy: Example[],
    run: {
      teacher: Module | undefined;
      labeledSample: boolean;
      maxErrors: number;
      metricCalls: { count: number };
      used: { lm: number; metric: number; usd: number };
    },
  ): Promise<M> {
    const { teacher, labeledSample, maxErrors, metricCalls, used } = run;
    const { maxLmCalls, maxMetricCalls, maxUsd } = this.options;
    if (seed === -3) return student.resetCopy();
    if (seed === -2) {
      return new LabeledFewShot({
        k: this.maxLabeledDemos,
        sample: labeledSample,
        rng: this.rng,
      }).apply(student, trainCopy);
    }
    let size = this.maxBootstrappedDemos;
    if (seed >= 0) {
      this.rng(seed).shuffle(trainCopy);
      size = this.rng(seed).randint(1, this.maxBootstrappedDemos);
    }
    const bootstrap = new BootstrapFewShot({
      ...(this.options.metric !== undefined ? { metric: this.options.metric } : {}),
      ...(this.options.metricThreshold !== undefined
        ? { metricThreshold: this.options.metricThreshold }
        : {}),
      ...(this.options.teacherSettings !== undefined
        ? { teacherSettings: this.options.teacherSettings }
        : {}),
      ...(this.options.maxRounds !== undefined ? { maxRounds: this.options.maxRounds } : {}),
      ...(this.options.concurrency !== undefined ? { concurrency: this.options.concurrency } : {}),
      ...(this.options.onProgress !== undefined ? { onProgress: this.options.onProgress } : {}),
      maxBootstrappedDemos: size,
      maxLabeledDemos: this.maxLabeledDemos,
      maxErrors,
      rng: this.rng,
      ...(maxLmCalls !== undefined ? { maxLmCalls: Math.max(0, maxLmCalls - used.lm) } : {}),
      ...(maxMetricCalls !== undefined
        ? { maxMetricCalls: Math.max(0, maxMetricCalls - used.metric) }
        : {}),
      ...(maxUsd !== undefined ? { maxUsd: Math.max(0, maxUsd - used.usd) } : {}),
    });
    const result = await bootstrap.optimize(student, {
      trainset: trainCopy,
      ...(teacher ? { teacher } : {}),
    });
    metricCalls.count += result.stats.metricCalls;
    used.lm += result.bootstrap.lmCalls;
    used.metric += result.bootstrap.metricCalls;
    used.usd += result.bootstrap.usd;
    return result.program;
  }
}
