import type { Embedder } from '../lm/embedder.js';
import type { Example } from '../modules/example.js';
import type { CallOptions, Module } from '../modules/module.js';
import type { Prediction } from '../modules/prediction.js';
import { KNN } from '../retrieval/knn.js';
import { BootstrapFewShot, type BootstrapFewShotOptions } from './bootstrap-few-shot.js';
import type { CompileOptions, OptimizationResult, Optimizer } from './optimizer.js';

/** Options of {@link KNNFewShot}: the neighbours, and BootstrapFewShot's options for each call. */
export interface KNNFewShotOptions extends BootstrapFewShotOptions {
  /** Neighbours attached per call. */
  k: number;
  /** Examples the neighbours are drawn from. */
  trainset: readonly Example[];
  /** Embeds the examples' inputs and each call's inputs. */
  embedder: Embedder;
}

/**
 * Few-shot demos chosen per input (DSPy's `KNNFewShot`): the compiled program, on every call, finds
 * the `k` train examples nearest to the call's inputs ({@link KNN} over the embedder), compiles the
 * student with `BootstrapFewShot` on those neighbours, and runs the result. The trainset given to
 * `compile()` is not used (DSPy's signature takes none); the neighbours come from the constructor's.
 * The program's predictors are the (reset) student's, so it saves and loads like the student.
 *
 * @example
 * ```ts
 * const knnFewShot = new KNNFewShot({ k: 3, trainset, embedder: openaiEmbedder({ model: 'text-embedding-3-small' }) });
 * const compiled = await knnFewShot.compile(new ChainOfThought('question -> answer'), { trainset: [] });
 * await compiled.call({ question: 'What is the capital of Belgium?' });
 * ```
 */
export class KNNFewShot implements Optimizer {
  readonly knn: KNN;
  private readonly bootstrapOptions: BootstrapFewShotOptions;

  constructor(options: KNNFewShotOptions) {
    const { k, trainset, embedder, ...bootstrap } = options;
    this.knn = new KNN(k, trainset, embedder);
    this.bootstrapOptions = bootstrap;
  }

  compile<M extends Module>(student: M, options: Partial<CompileOptions> = {}): Promise<M> {
    const studentCopy = student.resetCopy();
    const knn = this.knn;
    const bootstrapOptions = this.bootstrapOptions;
    const teacher = options.teacher;
    // DSPy replaces the copy's forward with one that compiles per call; an own property does the same.
    Object.defineProperty(studentCopy, 'forward', {
      enumerable: false,
      writable: true,
      configurable: true,
      value: async (
        inputs: Record<string, unknown>,
        callOptions?: CallOptions,
      ): Promise<Prediction> => {
        const neighbours = await knn.call(inputs);
        const compiled = await new BootstrapFewShot(bootstrapOptions).compile(student, {
          trainset: neighbours,
          ...(teacher === undefined ? {} : { teacher }),
        });
        return compiled.call(inputs, callOptions);
      },
    });
    return Promise.resolve(studentCopy);
  }

  async optimize<M extends Module>(
    student: M,
    options: Partial<CompileOptions> = {},
  ): Promise<OptimizationResult<M>> {
    // Nothing runs at compile time: the work happens per call.
    const program = await this.compile(student, options);
    return {
      program,
      stats: {
        lmCalls: 0,
        cachedCalls: 0,
        failedCalls: 0,
        usage: {},
        metricCalls: 0,
        durationMs: 0,
      },
    };
  }
}
