import type { Metric } from '../evaluate/metric.js';
import type { Example } from '../modules/example.js';
import type { Module } from '../modules/module.js';
import { checkExamples, type OptimizationResult } from './optimizer.js';
import { OptimizerError } from './optimizer-error.js';
import { pythonRandom, type RngFactory } from './python-random.js';
import { devsetScore, measured } from './search-kit.js';

/** What BetterTogether needs of an optimizer: DSPy's `compile(student, { trainset, valset })`. */
export interface PromptOptimizer {
  compile<M extends Module>(
    student: M,
    options: { trainset: readonly Example[]; valset?: readonly Example[]; teacher?: Module },
  ): Promise<M>;
}

/** Options of {@link BetterTogether}. */
export interface BetterTogetherOptions {
  /** Scores each step's program on the valset. */
  metric: Metric;
  /** The optimizers by the names the strategy uses (e.g. `{ p: new GEPA(…), q: new SIMBA(…) }`). */
  optimizers: Record<string, PromptOptimizer>;
  concurrency?: number;
  maxErrors?: number;
  rng?: RngFactory;
}

/** Options of `BetterTogether.compile`. */
export interface BetterTogetherCompileOptions {
  trainset: readonly Example[];
  valset?: readonly Example[];
  teacher?: Module;
  /** Optimizer names separated by `" -> "`, applied in order (e.g. `"p -> q -> p"`). */
  strategy: string;
  /** Share of the trainset held out as valset when none is given (default 0.1; 0 = none). */
  valsetRatio?: number;
  /** Shuffle the trainset before each step (default true). */
  shuffleTrainsetBetweenSteps?: boolean;
  /** Seed of the shuffles (default 0). */
  seed?: number;
}

/** One program of the run: the strategy prefix that produced it and its valset score. */
export interface BetterTogetherCandidate<M extends Module> {
  strategy: string;
  /** Percentage on the valset (`undefined` without a valset). */
  score: number | undefined;
  program: M;
}

/** The result of a BetterTogether run. */
export interface BetterTogetherResult<M extends Module> extends OptimizationResult<M> {
  /** Every program including the baseline (strategy `''`), best first. */
  candidates: BetterTogetherCandidate<M>[];
  /** Whether a step failed (the run then stopped and returned the best so far). */
  compilationErrorOccurred: boolean;
  /** The failure of that step. */
  error?: unknown;
}

const SEP = ' -> ';

/**
 * DSPy's `BetterTogether` for prompt optimizers: runs the optimizers named in `strategy` one
 * after another, each on the previous step's program, scores the baseline and every step on the
 * valset, and returns the best (the latest when there is no valset). A failing step stops the run
 * with the best so far. Weight optimization (DSPy's `BootstrapFinetune` and its LM launch/kill
 * lifecycle) is out of scope: dspex has no fine-tuning, so only prompt optimizers can be chained.
 *
 * @example
 * ```ts
 * const bt = new BetterTogether({ metric, optimizers: { p: new GEPA({ metric: fb, auto: 'light', reflectionLm }), s: new SIMBA({ metric }) } });
 * const { program, candidates } = await bt.optimize(student, { trainset, valset, strategy: 'p -> s' });
 * ```
 */
export class BetterTogether {
  constructor(private readonly options: BetterTogetherOptions) {
    if (Object.keys(options.optimizers).length === 0) {
      throw new OptimizerError('invalid_option', 'BetterTogether needs at least one optimizer.');
    }
  }

  async compile<M extends Module>(student: M, options: BetterTogetherCompileOptions): Promise<M> {
    return (await this.optimize(student, options)).program;
  }

  optimize<M extends Module>(
    student: M,
    options: BetterTogetherCompileOptions,
  ): Promise<BetterTogetherResult<M>> {
    return measured((metricCalls) => this.run(student, options, metricCalls));
  }

  private async run<M extends Module>(
    studentIn: M,
    o: BetterTogetherCompileOptions,
    metricCalls: { count: number },
  ): Promise<Omit<BetterTogetherResult<M>, 'stats'>> {
    if (o.trainset.length === 0)
      throw new OptimizerError('invalid_option', 'trainset cannot be empty');
    checkExamples(o.trainset, 'trainset');
    const ratio = o.valsetRatio ?? 0.1;
    if (!(ratio >= 0 && ratio < 1)) {
      throw new OptimizerError(
        'invalid_option',
        `valsetRatio must be in range [0, 1), got ${ratio}`,
        {
          details: { valsetRatio: ratio },
        },
      );
    }
    if (o.strategy.trim() === '')
      throw new OptimizerError('invalid_option', 'strategy cannot be empty');
    const steps = o.strategy.split(SEP);
    const invalid = steps.filter((s) => !Object.hasOwn(this.options.optimizers, s));
    if (invalid.length > 0) {
      throw new OptimizerError(
        'invalid_option',
        `Strategy contains invalid optimizer keys: ${JSON.stringify(invalid)}. Valid keys are: ${JSON.stringify(Object.keys(this.options.optimizers))}`,
        { details: { invalid } },
      );
    }
    let trainset = [...o.trainset];
    let valset = o.valset !== undefined && o.valset.length > 0 ? [...o.valset] : undefined;
    if (valset === undefined && ratio > 0) {
      const n = Math.trunc(ratio * trainset.length);
      valset = trainset.slice(0, n);
      trainset = trainset.slice(n);
    }
    if (valset !== undefined) checkExamples(valset, 'valset');
    const rng = (this.options.rng ?? pythonRandom)(o.seed ?? 0);
    const score = (program: Module): Promise<number | undefined> =>
      valset === undefined || valset.length === 0
        ? Promise.resolve(undefined)
        : devsetScore(program, valset, this.options.metric, metricCalls, {
            concurrency: this.options.concurrency,
            maxErrors: this.options.maxErrors,
          });
    let student = studentIn.deepCopy();
    const candidates: BetterTogetherCandidate<M>[] = [
      { strategy: '', score: await score(student), program: student.deepCopy() },
    ];
    let error: unknown;
    for (const [i, step] of steps.entries()) {
      try {
        if (o.shuffleTrainsetBetweenSteps ?? true) rng.shuffle(trainset);
        student.compiled = false;
        student = await this.options.optimizers[step]!.compile(student, {
          trainset,
          ...(valset !== undefined ? { valset } : {}),
          ...(o.teacher !== undefined ? { teacher: o.teacher } : {}),
        });
        candidates.push({
          strategy: steps.slice(0, i + 1).join(SEP),
          score: await score(student),
          program: student.deepCopy(),
        });
      } catch (e) {
        error = e;
        break;
      }
    }
    const ranked = candidates
      .map((c, i) => ({ c, i }))
      .sort((a, b) => (b.c.score ?? -Infinity) - (a.c.score ?? -Infinity) || a.i - b.i)
      .map(({ c }) => c);
    const best = valset === undefined ? candidates[candidates.length - 1]! : ranked[0]!;
    best.program.compiled = true;
    return {
      program: best.program,
      candidates: ranked,
      compilationErrorOccurred: error !== undefined,
      ...(error !== undefined ? { error } : {}),
    };
  }
}
