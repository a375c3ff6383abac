import {
  DEFAULT_OBJECTIVES,
  choosePoint,
  crowdingDistances,
  nondominatedRanks,
  paretoFront,
  violatedConstraints,
  type ObjectiveConstraint,
  type ObjectiveName,
  type Objectives,
  type SelectionRule,
} from './objectives.js';
import { randomIndex, seededRandom, shuffleInPlace, type RandomSource } from './random.js';
import {
  SearchLedger,
  type ConfigurationEvaluator,
  type EvaluatedPoint,
  type SearchBudget,
  type SearchCheckpoint,
  type SearchSpend,
} from './search-ledger.js';
import { configurationKey, type VariableSpace } from './space.js';
import type { Configuration } from './variable.js';
import { VariableError } from './variable-error.js';

/** A progress event of a space search. */
export interface SpaceSearchProgress {
  algorithm: string;
  /** Bracket (pareto search) or 0. */
  bracket: number;
  /** Examples per configuration at this step. */
  examples: number;
  /** Configurations run at this step. */
  configurations: number;
  spent: SearchSpend;
}

/** Options every space search takes. */
export interface SpaceSearchOptions {
  space: VariableSpace;
  /** Runs a configuration on devset examples (see `programEvaluator` for programs). */
  evaluate: ConfigurationEvaluator;
  devsetSize: number;
  /** Objectives and directions (default quality max, cost min, latency min). */
  objectives?: Objectives;
  /** Bounds a front point must meet (`'cost <= 0.002'`); others are left off the front. */
  constraints?: readonly (string | ObjectiveConstraint)[];
  budget?: SearchBudget;
  /** Configurations run at once (default 1); results never depend on it. */
  concurrency?: number;
  /** Seed of every random draw (default 0). */
  seed?: number;
  /** How `chosen` is picked from the front (default `'best-quality'`). */
  select?: SelectionRule<EvaluatedPoint>;
  /** A checkpoint of an interrupted run of the same search: its outcomes are replayed. */
  resumeFrom?: SearchCheckpoint;
  /** Called with a fresh checkpoint after every step. */
  onCheckpoint?: (checkpoint: SearchCheckpoint) => void | Promise<void>;
  onProgress?: (event: SpaceSearchProgress) => void;
}

/** What a space search returns. */
export interface SpaceSearchResult {
  /** Pareto front among the configurations run on the whole devset (constraints met). */
  front: EvaluatedPoint[];
  /** The front point picked by `select`. */
  chosen: EvaluatedPoint | undefined;
  /** Every configuration run, on however many examples. */
  evaluated: EvaluatedPoint[];
  spent: SearchSpend;
  /** Whether a budget stopped the search before it finished. */
  budgetExhausted: boolean;
  checkpoint: SearchCheckpoint;
}

/**
 * Every configuration of a discrete space on the whole devset (brute force), in enumeration order,
 * until a budget runs out.
 *
 * @example
 * ```ts
 * const { front } = await gridSearch({ space, evaluate, devsetSize: devset.length });
 * ```
 */
export function gridSearch(options: SpaceSearchOptions): Promise<SpaceSearchResult> {
  return fullEvaluations('grid', options, () => options.space.enumerate());
}

/**
 * `samples` distinct random configurations on the whole devset.
 *
 * @example
 * ```ts
 * await randomSearch({ space, evaluate, devsetSize: 50, samples: 20, seed: 1 });
 * ```
 */
export function randomSearch(
  options: SpaceSearchOptions & { samples: number },
): Promise<SpaceSearchResult> {
  return fullEvaluations('random', options, (rng) =>
    distinctSamples(options.space, rng, options.samples, new Set()),
  );
}

/** Options of {@link paretoSearch}. */
export interface ParetoSearchOptions extends SpaceSearchOptions {
  /** Halving rate: each rung runs `eta` times more examples (default 3). */
  eta?: number;
  /** Examples per configuration on the first rung (default ⌈devset / eta²⌉, at least 2). */
  minibatch?: number;
  /** Configurations per bracket (default: the space when it is small, else what fits half the budget). */
  bracketSize?: number;
  /** Confidence (z) a minibatch needs to drop a dominated configuration (default 1). */
  confidence?: number;
}

/**
 * A sample-efficient multi-objective search: brackets of successive halving (every configuration of
 * a bracket runs on a small minibatch; only those no other configuration *confidently* dominates go
 * on to `eta` times more examples, up to the whole devset), with NSGA-II-style proposals (tournament
 * on non-dominated rank and crowding, uniform crossover, mutation) for the next bracket. Quality is
 * compared paired on the same examples with a confidence margin; cost and latency, which a
 * minibatch measures well, decide dominance as they are. Returns the Pareto front of the
 * configurations that reached the whole devset.
 *
 * @example
 * ```ts
 * const result = await paretoSearch({
 *   space, evaluate, devsetSize: devset.length, budget: { evaluations: 20 }, seed: 7,
 *   objectives: { quality: 'max', cost: 'min' }, select: cheapestWithin(2),
 * });
 * console.log(formatFrontTable(result.front));
 * ```
 */
export async function paretoSearch(options: ParetoSearchOptions): Promise<SpaceSearchResult> {
  const { space, devsetSize: n } = options;
  const eta = options.eta ?? 3;
  if (!(eta > 1)) throw new VariableError('invalid_option', `eta must be > 1, got ${eta}`);
  const objectives = options.objectives ?? DEFAULT_OBJECTIVES;
  const z = options.confidence ?? 1;
  const seed = options.seed ?? 0;
  const rng = seededRandom(seed);
  const ledger = newLedger('pareto', options, seed);
  const order = shuffleInPlace(rng, [...Array(n).keys()]);
  const rungs = rungSizes(n, eta, options.minibatch ?? Math.max(2, Math.ceil(n / eta ** 2)));
  const seen = new Set<string>();
  const all = tryEnumerate(space);
  const unseenPool = all === undefined ? undefined : shuffleInPlace(rng, [...all]);
  const bracketSize =
    options.bracketSize ??
    (all !== undefined && all.length <= 64
      ? all.length
      : Math.max(
          Math.ceil(eta ** 2),
          Math.floor(Math.min(ledger.remainingExamples(), 64 * rungs[0]!) / (2 * rungs[0]!)),
        ));
  let budgetExhausted = false;
  for (let bracket = 0; !budgetExhausted; bracket++) {
    let candidates =
      bracket === 0
        ? initialCandidates(space, rng, bracketSize, unseenPool, seen)
        : proposeOffspring(space, rng, bracketSize, ledger, objectives, unseenPool, seen);
    if (candidates.length === 0) break;
    for (const c of candidates) seen.add(configurationKey(c));
    for (let k = 0; k < rungs.length && candidates.length > 0; k++) {
      const indices = order.slice(0, rungs[k]);
      const fit = fitToBudget(candidates, indices, ledger, objectives);
      if (fit.length < candidates.length) budgetExhausted = true;
      candidates = fit;
      if (candidates.length === 0) break;
      await runAll(candidates, indices, ledger, options);
      options.onProgress?.({
        algorithm: 'pareto',
        bracket,
        examples: indices.length,
        configurations: candidates.length,
        spent: { ...ledger.spend },
      });
      await options.onCheckpoint?.(ledger.checkpoint());
      if (ledger.exhausted()) budgetExhausted = true;
      if (budgetExhausted || k === rungs.length - 1) break;
      candidates = survivors(candidates, indices, ledger, objectives, z);
    }
  }
  return finish(ledger, options, objectives, budgetExhausted);
}

async function fullEvaluations(
  algorithm: string,
  options: SpaceSearchOptions,
  candidatesOf: (rng: RandomSource) => Configuration[],
): Promise<SpaceSearchResult> {
  const seed = options.seed ?? 0;
  const ledger = newLedger(algorithm, options, seed);
  const candidates = candidatesOf(seededRandom(seed));
  const indices = [...Array(options.devsetSize).keys()];
  const concurrency = Math.max(1, options.concurrency ?? 1);
  let budgetExhausted = false;
  for (let i = 0; i < candidates.length; i += concurrency) {
    if (ledger.exhausted()) {
      budgetExhausted = true;
      break;
    }
    const batch = candidates
      .slice(i, i + concurrency)
      .slice(0, Math.max(1, Math.floor(ledger.remainingExamples() / options.devsetSize)));
    await runAll(batch, indices, ledger, options);
    options.onProgress?.({
      algorithm,
      bracket: 0,
      examples: indices.length,
      configurations: batch.length,
      spent: { ...ledger.spend },
    });
    await options.onCheckpoint?.(ledger.checkpoint());
  }
  return finish(ledger, options, options.objectives ?? DEFAULT_OBJECTIVES, budgetExhausted);
}

function newLedger(algorithm: string, options: SpaceSearchOptions, seed: number): SearchLedger {
  if (!Number.isInteger(options.devsetSize) || options.devsetSize < 1)
    throw new VariableError(
      'invalid_option',
      `devsetSize must be an integer >= 1, got ${options.devsetSize}`,
    );
  options.space.dependencyOrder(); // a broken space fails before anything runs
  return new SearchLedger(
    algorithm,
    seed,
    options.devsetSize,
    options.budget ?? {},
    options.resumeFrom,
  );
}

function finish(
  ledger: SearchLedger,
  options: SpaceSearchOptions,
  objectives: Objectives,
  budgetExhausted: boolean,
): SpaceSearchResult {
  const evaluated = ledger.points();
  const feasible = evaluated.filter(
    (p) => p.complete && violatedConstraints(p, options.constraints ?? []).length === 0,
  );
  const front = paretoFront(feasible, (p) => p, objectives).sort(
    (a, b) => a.cost - b.cost || b.quality - a.quality,
  );
  return {
    front,
    chosen: choosePoint(front, (p) => p, options.select ?? 'best-quality'),
    evaluated,
    spent: { ...ledger.spend },
    budgetExhausted,
    checkpoint: ledger.checkpoint(),
  };
}

/** Runs configurations on `indices`, `concurrency` at a time. */
async function runAll(
  candidates: readonly Configuration[],
  indices: readonly number[],
  ledger: SearchLedger,
  options: SpaceSearchOptions,
): Promise<void> {
  const concurrency = Math.max(1, options.concurrency ?? 1);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < candidates.length) {
      const c = candidates[next++]!;
      await ledger.run(c, indices, options.evaluate);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, candidates.length) }, worker));
}

/** Example counts per rung: `first`, ×eta, …, the whole devset. */
export function rungSizes(n: number, eta: number, first: number): number[] {
  const sizes: number[] = [];
  for (let r = Math.min(n, Math.max(1, Math.round(first))); ; r = Math.ceil(r * eta)) {
    if (r >= n) {
      sizes.push(n);
      return sizes;
    }
    sizes.push(r);
  }
}

function tryEnumerate(space: VariableSpace): Configuration[] | undefined {
  try {
    return space.enumerate(10_000);
  } catch (error) {
    if (error instanceof VariableError) return undefined;
    throw error;
  }
}

function initialCandidates(
  space: VariableSpace,
  rng: RandomSource,
  count: number,
  pool: Configuration[] | undefined,
  seen: Set<string>,
): Configuration[] {
  if (pool !== undefined) return takeUnseen(pool, count, seen);
  return distinctSamples(space, rng, count, seen);
}

function takeUnseen(pool: Configuration[], count: number, seen: Set<string>): Configuration[] {
  const out: Configuration[] = [];
  for (const c of pool) {
    if (out.length >= count) break;
    if (!seen.has(configurationKey(c))) out.push(c);
  }
  return out;
}

function distinctSamples(
  space: VariableSpace,
  rng: RandomSource,
  count: number,
  seen: Set<string>,
): Configuration[] {
  const out: Configuration[] = [];
  const keys = new Set(seen);
  for (let tries = 0; out.length < count && tries < count * 20; tries++) {
    const c = space.sample(rng);
    const key = configurationKey(c);
    if (keys.has(key)) continue;
    keys.add(key);
    out.push(c);
  }
  return out;
}

/**
 * NSGA-II-style offspring of the configurations run on the whole devset (binary tournament on
 * rank then crowding, uniform crossover over the tunable variables, one mutation per child),
 * topped up from the unseen configurations (or fresh samples) when variation finds nothing new.
 */
function proposeOffspring(
  space: VariableSpace,
  rng: RandomSource,
  count: number,
  ledger: SearchLedger,
  objectives: Objectives,
  pool: Configuration[] | undefined,
  seen: Set<string>,
): Configuration[] {
  const parents = ledger.points().filter((p) => p.complete);
  const out: Configuration[] = [];
  const keys = new Set(seen);
  if (parents.length > 0) {
    const ranks = nondominatedRanks(parents, objectives);
    const crowd = crowdingDistances(parents, objectives);
    const pick = (): Configuration => {
      const a = randomIndex(rng, parents.length);
      const b = randomIndex(rng, parents.length);
      const better =
        ranks[a]! < ranks[b]! || (ranks[a] === ranks[b] && crowd[a]! >= crowd[b]!) ? a : b;
      return parents[better]!.configuration;
    };
    const tunable = space.tunableNames();
    for (let tries = 0; out.length < count && tries < count * 20 && tunable.length > 0; tries++) {
      const [x, y] = [pick(), pick()];
      const child: Configuration = {};
      for (const name of tunable) child[name] = (rng() < 0.5 ? x : y)[name] ?? null;
      const mutate = tunable[randomIndex(rng, tunable.length)]!;
      child[mutate] = space.get(mutate)!.sample(rng, child);
      const check = space.safeValidateConfiguration(child);
      if (!check.ok) continue;
      const key = configurationKey(check.configuration);
      if (keys.has(key)) continue;
      keys.add(key);
      out.push(check.configuration);
    }
  }
  if (out.length < count) {
    const extra =
      pool !== undefined
        ? takeUnseen(pool, count - out.length, keys)
        : distinctSamples(space, rng, count - out.length, keys);
    out.push(...extra);
  }
  return out;
}

/**
 * Configurations no other one confidently dominates on these examples: at least as good on cost
 * and latency as measured, and better on quality by more than `z` standard errors of the paired
 * per-example differences (with a prior variance of 0.25, so a tiny minibatch never decides alone).
 */
function survivors(
  candidates: readonly Configuration[],
  indices: readonly number[],
  ledger: SearchLedger,
  objectives: Objectives,
  z: number,
): Configuration[] {
  const points = candidates.map((c) => ledger.point(c, indices));
  const scores = candidates.map((c) => ledger.scores(c, indices));
  const qualityDir = objectives.quality;
  const others = (Object.keys(objectives) as ObjectiveName[]).filter((k) => k !== 'quality');
  const dominated = (d: number, c: number): boolean => {
    for (const k of others) {
      const better =
        objectives[k] === 'min' ? points[d]![k] <= points[c]![k] : points[d]![k] >= points[c]![k];
      if (!better) return false;
    }
    if (qualityDir === undefined) return others.some((k) => points[d]![k] !== points[c]![k]);
    const sign = qualityDir === 'max' ? 1 : -1;
    const diffs = scores[d]!.map((s, i) => sign * (s - scores[c]![i]!));
    const m = diffs.reduce((a, b) => a + b, 0) / diffs.length;
    const variance = diffs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, diffs.length - 1);
    return m > z * Math.sqrt((variance + 0.25) / diffs.length);
  };
  return candidates.filter((_, c) => !candidates.some((__, d) => d !== c && dominated(d, c)));
}

/** The candidates the remaining budget can run on `indices`, best (rank, crowding) first. */
function fitToBudget(
  candidates: readonly Configuration[],
  indices: readonly number[],
  ledger: SearchLedger,
  objectives: Objectives,
): Configuration[] {
  const need = candidates.map((c) => ledger.missing(c, indices).length);
  let remaining = ledger.remainingExamples();
  if (need.reduce((a, b) => a + b, 0) <= remaining) return [...candidates];
  const points = candidates.map((c) => ledger.point(c));
  const ranks = nondominatedRanks(points, objectives);
  const crowd = crowdingDistances(points, objectives);
  const priority = [...candidates.keys()].sort(
    (a, b) => ranks[a]! - ranks[b]! || crowd[b]! - crowd[a]! || a - b,
  );
  const keep = new Set<number>();
  for (const i of priority) {
    if (need[i]! <= remaining) {
      keep.add(i);
      remaining -= need[i]!;
    }
  }
  return candidates.filter((_, i) => keep.has(i));
}
