import { parallel, type BatchResult, type BatchWithFailures, type Callable } from './batch.js';
import { Example, type ExampleLike } from './example.js';

/** Options of {@link Parallel} (DSPy's constructor arguments, camelCased). */
export interface ParallelOptions {
  /** Pairs running at once (DSPy's `num_threads`; default the `numThreads` setting, else 8). */
  numThreads?: number;
  /** Failures tolerated before the run is cancelled (default the `maxErrors` setting, else 10). */
  maxErrors?: number;
  /** Pass an {@link Example}'s `inputs()` (default true); false passes all its fields. */
  accessExamples?: boolean;
  /** Also return the failed examples and their errors (default false). */
  returnFailedExamples?: boolean;
  /** Called after each pair with the number done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Runs `(module, example)` pairs concurrently (DSPy's `dspy.Parallel`), keeping input order:
 * at most `numThreads` at once, each with its own usage scope and the caller's context; once
 * `maxErrors` pairs have failed the run is cancelled with a `ModuleError('too_many_errors')`.
 * A failed pair's result is `null`. DSPy's thread timeout and straggler resubmission are not
 * implemented (an LM call's own timeout bounds each pair).
 *
 * @example
 * ```ts
 * const qa = new Predict('question -> answer');
 * const run = new Parallel({ numThreads: 3 });
 * const results = await run.forward(questions.map((q) => [qa, { question: q }] as const));
 * ```
 */
export class Parallel {
  readonly numThreads: number | undefined;
  readonly maxErrors: number | undefined;
  readonly accessExamples: boolean;
  readonly returnFailedExamples: boolean;
  private readonly onProgress: ((done: number, total: number) => void) | undefined;

  constructor(options: ParallelOptions = {}) {
    this.numThreads = options.numThreads;
    this.maxErrors = options.maxErrors;
    this.accessExamples = options.accessExamples ?? true;
    this.returnFailedExamples = options.returnFailedExamples ?? false;
    this.onProgress = options.onProgress;
  }

  /** Runs the pairs; `numThreads` overrides the constructor's for this run. */
  forward(
    pairs: readonly (readonly [Callable, ExampleLike])[],
    numThreads?: number,
  ): Promise<BatchResult | BatchWithFailures> {
    const prepared = pairs.map(([program, example]) =>
      this.accessExamples || !(example instanceof Example)
        ? ([program, example] as const)
        : ([program, example.toDict()] as const),
    );
    const concurrency = numThreads ?? this.numThreads;
    const options = {
      ...(concurrency === undefined ? {} : { concurrency }),
      ...(this.maxErrors === undefined ? {} : { maxErrors: this.maxErrors }),
      ...(this.onProgress === undefined ? {} : { onProgress: this.onProgress }),
    };
    return this.returnFailedExamples
      ? parallel(prepared, { ...options, returnFailures: true })
      : parallel(prepared, options);
  }

  /** DSPy's `__call__`: the same as {@link Parallel.forward}. */
  call(
    pairs: readonly (readonly [Callable, ExampleLike])[],
    numThreads?: number,
  ): Promise<BatchResult | BatchWithFailures> {
    return this.forward(pairs, numThreads);
  }
}
