import { currentContext, runWithContext } from '../context/index.js';
import { ModuleError } from './errors.js';
import { Example, type ExampleLike } from './example.js';
import type { AnyFields } from '../signatures/index.js';
import type { Prediction } from './prediction.js';
import { USAGE_SCOPE } from './usage-scope.js';

/**
 * Anything with `call(inputs)` (every Module); `O` is the outputs type of its predictions. Batch
 * inputs are data (a dev set), so they are not checked against a module's input type.
 */
export interface Callable<O extends object = AnyFields> {
  call(inputs: Record<string, unknown>): Promise<Prediction<O>>;
}

/** Options of {@link batch} (DSPy's `Module.batch` / `Parallel`). */
export interface BatchOptions {
  /** How many examples run at once. Default: the `numThreads` setting, else 8. */
  concurrency?: number;
  /**
   * Abort once this many examples have failed (the error is thrown after in-flight work settles).
   * Default: the `maxErrors` setting, else 10.
   */
  maxErrors?: number;
  /** Also return the failed examples and their errors. Default false. */
  returnFailures?: boolean;
  /** Called after each example, with the number done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** What {@link batch} returns: results in input order, `null` for an example that failed. */
export type BatchResult<O extends object = AnyFields> = (Prediction<O> | null)[];

/** What {@link batch} returns with `returnFailures: true`. */
export interface BatchWithFailures<O extends object = AnyFields> {
  results: BatchResult<O>;
  failedExamples: ExampleLike[];
  errors: unknown[];
}

/**
 * Runs `program` on every example with bounded concurrency, keeping input order (DSPy's
 * `module.batch` / `dspy.Parallel`). An {@link Example} contributes its `inputs()`; a plain
 * record is passed as is. Each example gets its own usage scope (so `prediction.usage` is that
 * example's alone) and inherits the caller's context (LM, adapter, callbacks, trace).
 *
 * @example
 * ```ts
 * const preds = await batch(qa, devset, { concurrency: 4 });
 * const { results, errors } = await batch(qa, devset, { returnFailures: true });
 * ```
 */
export function batch<O extends object>(
  program: Callable<O>,
  examples: readonly ExampleLike[],
  options?: BatchOptions & { returnFailures?: false },
): Promise<BatchResult<O>>;
export function batch<O extends object>(
  program: Callable<O>,
  examples: readonly ExampleLike[],
  options: BatchOptions & { returnFailures: true },
): Promise<BatchWithFailures<O>>;
export function batch<O extends object>(
  program: Callable<O>,
  examples: readonly ExampleLike[],
  options?: BatchOptions,
): Promise<BatchResult<O> | BatchWithFailures<O>>;
export function batch<O extends object>(
  program: Callable<O>,
  examples: readonly ExampleLike[],
  options: BatchOptions = {},
): Promise<BatchResult<O> | BatchWithFailures<O>> {
  return runBatch(program, examples, options);
}

/** @internal Shared by {@link batch} and `Module.batch`. */
export function runBatch<O extends object>(
  program: Callable<O>,
  examples: readonly ExampleLike[],
  options: BatchOptions = {},
): Promise<BatchResult<O> | BatchWithFailures<O>> {
  return runPairs(
    examples.map((example) => [program, example] as const),
    options,
  ) as Promise<BatchResult<O> | BatchWithFailures<O>>;
}

/**
 * Runs `(program, example)` pairs with bounded concurrency (DSPy's `dspy.Parallel`): like
 * {@link batch}, but each example may go to a different program.
 *
 * @example
 * ```ts
 * const [a, b] = await parallel([[qa, { question: 'x' }], [summarize, { text: 'y' }]]);
 * ```
 */
export function parallel(
  pairs: readonly (readonly [Callable, ExampleLike])[],
  options?: BatchOptions & { returnFailures?: false },
): Promise<BatchResult>;
export function parallel(
  pairs: readonly (readonly [Callable, ExampleLike])[],
  options: BatchOptions & { returnFailures: true },
): Promise<BatchWithFailures>;
export function parallel(
  pairs: readonly (readonly [Callable, ExampleLike])[],
  options: BatchOptions = {},
): Promise<BatchResult | BatchWithFailures> {
  return runPairs(pairs, options);
}

async function runPairs(
  pairs: readonly (readonly [Callable, ExampleLike])[],
  options: BatchOptions,
): Promise<BatchResult | BatchWithFailures> {
  const examples = pairs.map(([, example]) => example);
  const values = currentContext().values;
  const concurrency = Math.max(1, options.concurrency ?? (values['numThreads'] as number) ?? 8);
  const maxErrors = options.maxErrors ?? (values['maxErrors'] as number | undefined) ?? 10;
  const results: BatchResult = examples.map(() => null);
  const failed: { index: number; error: unknown }[] = [];
  let next = 0;
  let done = 0;
  let cancelled = false;

  const runOne = async (index: number): Promise<void> => {
    const [program, example] = pairs[index] as readonly [Callable, ExampleLike];
    try {
      const inputs =
        example instanceof Example ? Object.fromEntries(example.inputs().items()) : { ...example };
      results[index] = await runWithContext({ values: { [USAGE_SCOPE]: undefined } }, () =>
        program.call(inputs),
      );
    } catch (error) {
      failed.push({ index, error });
      if (failed.length >= maxErrors) cancelled = true;
    }
    done += 1;
    options.onProgress?.(done, examples.length);
  };

  const worker = async (): Promise<void> => {
    while (!cancelled && next < examples.length) await runOne(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, examples.length) }, worker));

  if (cancelled) {
    const last = failed[failed.length - 1];
    throw new ModuleError(
      'too_many_errors',
      `Execution cancelled due to errors: ${failed.length} of ${examples.length} examples failed (maxErrors ${maxErrors}).`,
      { cause: last?.error, details: { failed: failed.length, maxErrors } },
    );
  }
  if (options.returnFailures !== true) return results;
  failed.sort((a, b) => a.index - b.index);
  return {
    results,
    failedExamples: failed.map((f) => examples[f.index] as ExampleLike),
    errors: failed.map((f) => f.error),
  };
}
