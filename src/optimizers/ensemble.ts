import { createHash } from 'node:crypto';

import { Module, type CallOptions } from '../modules/module.js';
import { Prediction } from '../modules/prediction.js';
import { OptimizerError } from './optimizer-error.js';
import { pythonRandom, type Rng, type RngFactory } from './python-random.js';
import { checkInteger } from './search-kit.js';

/** Options of {@link Ensemble} (DSPy's arguments, camelCased). */
export interface EnsembleOptions {
  /** Combines the programs' predictions (e.g. `majority`); without it the result's `predictions` field lists them. */
  reduceFn?: (outputs: Prediction[]) => Prediction | Promise<Prediction>;
  /** Programs sampled per call (default: all of them). */
  size?: number;
  /**
   * Samples the same programs for the same inputs (seeded by a hash of the inputs). DSPy asserts
   * this is false ("TODO: implement example hashing"); dspex implements what the TODO describes.
   */
  deterministic?: boolean;
  /** Random generator factory (default CPython-compatible). */
  rng?: RngFactory;
  /** Seed of the sampling generator when not deterministic (default 0). */
  seed?: number;
}

/** The program {@link Ensemble.compile} returns: runs (a sample of) its programs and reduces. */
export class EnsembledProgram extends Module {
  private readonly rng: Rng;

  constructor(
    readonly programs: Module[],
    private readonly options: EnsembleOptions,
  ) {
    super();
    this.rng = (options.rng ?? pythonRandom)(options.seed ?? 0);
  }

  async forward(inputs: Record<string, unknown>, options?: CallOptions): Promise<Prediction> {
    const { size, deterministic, reduceFn } = this.options;
    let chosen = this.programs;
    if (size !== undefined) {
      const rng = deterministic
        ? (this.options.rng ?? pythonRandom)(
            createHash('sha256').update(stableJson(inputs)).digest('hex'),
          )
        : this.rng;
      chosen = rng.sample(this.programs, size);
    }
    const outputs: Prediction[] = [];
    for (const program of chosen) outputs.push(await program.call(inputs, options));
    return reduceFn ? reduceFn(outputs) : new Prediction({ predictions: outputs });
  }
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * DSPy's `Ensemble`: `compile(programs)` returns one program that calls `size` of them (all by
 * default) one after another and reduces their predictions with `reduceFn`.
 *
 * @example
 * ```ts
 * const ensemble = new Ensemble({ reduceFn: (preds) => majority(preds), size: 3 });
 * const program = ensemble.compile(result.candidates.map((c) => c.program));
 * ```
 */
export class Ensemble {
  constructor(private readonly options: EnsembleOptions = {}) {
    if (options.size !== undefined) checkInteger('size', options.size, 1);
  }

  compile(programs: readonly Module[]): EnsembledProgram {
    if (programs.length === 0) {
      throw new OptimizerError('invalid_option', 'Ensemble needs at least one program.');
    }
    if (this.options.size !== undefined && this.options.size > programs.length) {
      throw new OptimizerError(
        'invalid_option',
        `size ${this.options.size} is larger than the ${programs.length} programs given`,
        { details: { size: this.options.size, programs: programs.length } },
      );
    }
    return new EnsembledProgram([...programs], this.options);
  }
}
