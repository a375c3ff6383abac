import { OptimizerError } from './optimizer-error.js';
import { pythonRandom, type Rng, type RngFactory } from './python-random.js';

/** A categorical search space: parameter name → number of choices (values are 0 … n-1). */
export type CategoricalSpace = Readonly<Record<string, number>>;

/** One point of a categorical space: parameter name → chosen index. */
export type CategoricalParams = Record<string, number>;

/** Options of {@link TPESampler} (Optuna's defaults). */
export interface TPEOptions {
  /** Seed of the sampler's own generator (default 0). */
  seed?: number;
  /** Random generator factory (default CPython-compatible). */
  rng?: RngFactory;
  /** Trials sampled uniformly at random before the model is used (default 10, as Optuna). */
  nStartupTrials?: number;
  /** Candidates drawn from the good-trials density per suggestion (default 24, as Optuna). */
  nEiCandidates?: number;
  /** Weight of the uniform prior in each density (default 1, as Optuna). */
  priorWeight?: number;
  /** Good trials out of `n` (default Optuna's `min(ceil(0.1 n), 25)`). */
  gamma?: (n: number) => number;
}

/** A finished trial the sampler learns from. */
export interface TPETrial {
  params: CategoricalParams;
  value: number;
}

/**
 * A multivariate Tree-structured Parzen Estimator over categorical parameters, maximizing (the
 * sampler MIPROv2 uses, like Optuna's `TPESampler(multivariate=True)`; written for dspex, not a
 * port). After `nStartupTrials` random suggestions it splits the trials into the best `gamma(n)`
 * ("good") and the rest, models each group as a mixture of one product-of-categoricals kernel per
 * trial (weight 1 on the trial's choice, smoothed by a uniform prior) plus the prior itself, draws
 * `nEiCandidates` points from the good density and suggests the one with the highest
 * `log l(x) − log g(x)`. Deterministic for a seed and the same sequence of `tell`/`ask`.
 *
 * @example
 * ```ts
 * const tpe = new TPESampler({ '0_predictor_instruction': 3, '0_predictor_demos': 5 }, { seed: 9 });
 * const params = tpe.ask();
 * tpe.tell(params, await score(params));
 * ```
 */
export class TPESampler {
  private readonly history: TPETrial[] = [];
  private readonly rng: Rng;
  private readonly names: string[];
  private readonly nStartup: number;
  private readonly nCandidates: number;
  private readonly priorWeight: number;
  private readonly gamma: (n: number) => number;

  constructor(
    readonly space: CategoricalSpace,
    options: TPEOptions = {},
  ) {
    this.names = Object.keys(space);
    for (const name of this.names) {
      const n = space[name]!;
      if (!Number.isInteger(n) || n < 1) {
        throw new OptimizerError(
          'invalid_option',
          `parameter ${name} must have an integer number of choices >= 1, got ${n}`,
          { details: { parameter: name, choices: n } },
        );
      }
    }
    this.rng = (options.rng ?? pythonRandom)(options.seed ?? 0);
    this.nStartup = options.nStartupTrials ?? 10;
    this.nCandidates = options.nEiCandidates ?? 24;
    this.priorWeight = options.priorWeight ?? 1;
    this.gamma = options.gamma ?? ((n) => Math.min(Math.ceil(0.1 * n), 25));
  }

  /** The trials told so far, in order. */
  get trials(): readonly TPETrial[] {
    return this.history;
  }

  /** Records a finished trial (e.g. a baseline or a full evaluation added to the study). */
  tell(params: CategoricalParams, value: number): void {
    for (const name of this.names) {
      const v = params[name];
      if (v === undefined || !Number.isInteger(v) || v < 0 || v >= this.space[name]!) {
        throw new OptimizerError('invalid_option', `trial has no valid value for ${name}: ${v}`, {
          details: { parameter: name, value: v },
        });
      }
    }
    this.history.push({ params: { ...params }, value });
  }

  /** The next point to try. */
  ask(): CategoricalParams {
    if (this.history.length < this.nStartup) {
      const params: CategoricalParams = {};
      for (const name of this.names) params[name] = this.rng.randBelow(this.space[name]!);
      return params;
    }
    // Best first; ties keep the order they were told in.
    const ranked = this.history
      .map((t, i) => ({ t, i }))
      .sort((a, b) => b.t.value - a.t.value || a.i - b.i)
      .map((x) => x.t);
    const nGood = Math.max(1, Math.min(ranked.length, this.gamma(ranked.length)));
    const good = ranked.slice(0, nGood);
    const bad = ranked.slice(nGood);
    let best: CategoricalParams | undefined;
    let bestScore = -Infinity;
    for (let c = 0; c < this.nCandidates; c++) {
      const candidate = this.sampleFrom(good);
      const score = this.logDensity(good, candidate) - this.logDensity(bad, candidate);
      if (score > bestScore) {
        best = candidate;
        bestScore = score;
      }
    }
    return best!;
  }

  /** Kernel probability of choice `v` of parameter `name` around an observed choice. */
  private kernel(name: string, observed: number | undefined, v: number): number {
    const k = this.space[name]!;
    const prior = this.priorWeight / k;
    if (observed === undefined) return 1 / k;
    return ((observed === v ? 1 : 0) + prior) / (1 + this.priorWeight);
  }

  /** Draws one point from the mixture of `trials`' kernels and the prior (weight `priorWeight`). */
  private sampleFrom(trials: readonly TPETrial[]): CategoricalParams {
    const total = trials.length + this.priorWeight;
    let u = this.rng.random() * total;
    let component: TPETrial | undefined;
    for (const t of trials) {
      if (u < 1) {
        component = t;
        break;
      }
      u -= 1;
    }
    const params: CategoricalParams = {};
    for (const name of this.names) {
      const k = this.space[name]!;
      let r = this.rng.random();
      let choice = k - 1;
      for (let v = 0; v < k; v++) {
        r -= this.kernel(name, component?.params[name], v);
        if (r < 0) {
          choice = v;
          break;
        }
      }
      params[name] = choice;
    }
    return params;
  }

  /** log of the mixture density of `trials` (plus the prior) at `x`. */
  private logDensity(trials: readonly TPETrial[], x: CategoricalParams): number {
    const total = trials.length + this.priorWeight;
    let prior = this.priorWeight;
    for (const name of this.names) prior *= 1 / this.space[name]!;
    let sum = prior;
    for (const t of trials) {
      let p = 1;
      for (const name of this.names) p *= this.kernel(name, t.params[name], x[name]!);
      sum += p;
    }
    return Math.log(sum / total);
  }
}
