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
  type CandidatesRecord,
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
  /**
   * Called (and awaited, in order) with a fresh checkpoint after every evaluated configuration
   * and after every whole step.
   */
  onCheckpoint?: (checkpoint: SearchCheckpoint) => void | Promise<void>;
  onProgress?: (event: SpaceSearchProgress) => void;
  /**
   * Asked before every evaluation: once it returns true no evaluation starts, and the search
   * returns the front of what it has run so far with `stopReason: 'cancelled'`.
   */
  shouldStop?: () => boolean;
  /**
   * The instruction and demo candidates were filled by prompt optimizers before the search: their
   * spend counts against the budget (and shows in `spent.candidates`); the record rides along in
   * every checkpoint so a resumed search fills the same candidates.
   */
  candidates?: CandidatesRecord;
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
  /** Why the search stopped before it finished: a budget, or `shouldStop` (`cancelled`). */
  stopReason?: 'budget' | 'cancelled';
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
  /** Examples every candidate is screened on (default ⌈devset / 20⌉, at least 2). */
  minibatch?: number;
  /** Growth of a candidate's examples between checks while it races (default 2). */
  eta?: number;
  /** Candidates per bracket (default: the whole space when it has ≤ 64 configurations, else 32). */
  bracketSize?: number;
  /**
   * Confidence (z) needed to drop a candidate that a cheaper one beats on the examples so far
   * (default 1.5); higher is safer and spends more.
   */
  confidence?: number;
}

/**
 * A sample-efficient multi-objective search. Each bracket of candidates (the whole space when it
 * is small; later brackets are NSGA-II-style offspring of the front: binary tournament on
 * non-dominated rank and crowding, uniform crossover, one mutation) is first screened on a small
 * minibatch, which measures cost and latency well. Then candidates race, cheapest first: a
 * candidate gets more examples (×`eta` each step, the same examples for everyone, so quality is
 * compared paired) until a fully evaluated configuration at least as cheap (and fast) is
 * confidently better — projected over the whole devset, with the uncertainty of so few examples —
 * and is dropped, or it reaches the whole devset and joins the front's candidates. Promising
 * configurations get full evaluations; hopeless ones cost a few examples.
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
  const eta = options.eta ?? 2;
  if (!(eta > 1)) throw new VariableError('invalid_option', `eta must be > 1, got ${eta}`);
  const objectives = options.objectives ?? DEFAULT_OBJECTIVES;
  const z = options.confidence ?? 1.5;
  const seed = options.seed ?? 0;
  const rng = seededRandom(seed);
  const ledger = newLedger('pareto', options, seed);
  const order = shuffleInPlace(rng, [...Array(n).keys()]);
  const steps = rungSizes(n, eta, options.minibatch ?? Math.max(2, Math.ceil(n / 20)));
  const seen = new Set<string>();
  const all = tryEnumerate(space);
  const pool = all === undefined ? undefined : shuffleInPlace(rng, [...all]);
  const bracketSize =
    options.bracketSize ?? (all !== undefined && all.length <= 64 ? all.length : 32);
  const race = new Race(ledger, objectives, z, order, n);
  let budgetExhausted = false;
  for (let bracket = 0; !budgetExhausted; bracket++) {
    const candidates =
      bracket === 0
        ? initialCandidates(space, rng, bracketSize, pool, seen)
        : proposeOffspring(space, rng, bracketSize, ledger, objectives, pool, seen);
    if (candidates.length === 0) break;
    for (const c of candidates) seen.add(configurationKey(c));
    // Screening: every candidate on the first minibatch.
    const first = order.slice(0, steps[0]);
    const screened = fitToBudget(candidates, first, ledger, objectives);
    if (screened.length < candidates.length) budgetExhausted = true;
    await runAll(screened, first, ledger, options);
    if (ledger.cancelled) break;
    await stepDone(ledger, rng, options, bracket, first.length, screened.length);
    // Racing: always extend the live candidate least likely to be dominated.
    let live = [...screened];
    while (!budgetExhausted) {
      const ranked = race.rank(live);
      live = ranked.filter((r) => !r.beaten).map((r) => r.configuration);
      const next = nextToRace(ranked, ledger, steps, n);
      if (next === undefined) break;
      const have = ledger.point(next.configuration).examples;
      const size = steps.find((s) => s > have) ?? n;
      const indices = order.slice(0, size);
      if (ledger.missing(next.configuration, indices).length > ledger.remainingExamples()) {
        budgetExhausted = true;
        break;
      }
      await ledger.run(next.configuration, indices, options.evaluate);
      if (ledger.cancelled) break;
      await stepDone(ledger, rng, options, bracket, size, 1);
      if (ledger.exhausted()) budgetExhausted = true;
    }
    if (ledger.cancelled) break;
  }
  return finish(ledger, options, objectives, budgetExhausted);
}

/**
 * The candidate to extend next: the live one least likely to be dominated (`ranked` is in that
 * order), except that a live candidate one step from the whole devset that no rival at least as
 * cheap is ahead of on their shared examples (tied or leading) goes first. Finishing it costs the
 * fewest examples and settles a likely front point. Left at its last rung while the budget went
 * to candidates further behind, a front point that tied a cheaper rival on its first 48 of 60
 * examples and led by one of the last 12 was lost (bench/variables/run.ts seed 1).
 */
function nextToRace<
  R extends { configuration: Configuration; beaten: boolean; behind: boolean; complete: boolean },
>(ranked: readonly R[], ledger: SearchLedger, steps: readonly number[], n: number): R | undefined {
  const open = ranked.filter((r) => !r.beaten && !r.complete);
  const lastStep = open.find((r) => {
    const have = ledger.point(r.configuration).examples;
    return !r.behind && (steps.find((s) => s > have) ?? n) >= n;
  });
  return lastStep ?? open[0];
}

async function stepDone(
  ledger: SearchLedger,
  rng: RandomSource & { state?: () => number },
  options: SpaceSearchOptions,
  bracket: number,
  examples: number,
  configurations: number,
): Promise<void> {
  options.onProgress?.({
    algorithm: ledger.algorithm,
    bracket,
    examples,
    configurations,
    spent: { ...ledger.spend },
  });
  await ledger.stepDone(rng.state?.());
}

interface Track {
  key: string;
  scores: number[];
  prefix: { cost: number[]; latency: number[] };
}

/**
 * The racing rule. A configuration `d` run on the whole devset beats candidate `c` when `d` is at
 * least as good on every objective but quality (measured on the same examples) and its quality
 * lead, projected to the whole devset, stays positive at confidence z: with `S` the lead on the
 * `k` examples so far, `m = S / k`, `s²` the variance of the per-example differences (plus a
 * prior 0.25, so a tiny sample never decides alone) and `R` the examples left,
 * `N·m − z·√(R·s² + R²·s²/k) > 0` — or `S > R`, when `c` cannot catch up at all.
 */
class Race {
  constructor(
    private readonly ledger: SearchLedger,
    private readonly objectives: Objectives,
    private readonly z: number,
    private readonly order: readonly number[],
    private readonly n: number,
  ) {}

  /**
   * The candidates with their standing, most promising first: `margin` is minus the strongest
   * z-score by which a configuration at least as cheap (and fast) leads it (Infinity when none
   * does); `beaten` when that lead is confident or cannot be caught up. Ties: fewer examples
   * (more left to learn), then cheaper, first.
   */
  rank(candidates: readonly Configuration[]): {
    configuration: Configuration;
    margin: number;
    beaten: boolean;
    behind: boolean;
    complete: boolean;
  }[] {
    const all = this.ledger.points().map((p) => this.track(p.configuration));
    const rows = candidates.map((c) => {
      const own = this.track(c);
      let margin = Infinity;
      let beaten = false;
      let behind = false;
      for (const d of all) {
        if (d.key === own.key) continue;
        const lead = this.lead(d, own, Math.min(own.scores.length, d.scores.length));
        if (lead === undefined) continue;
        margin = Math.min(margin, -lead.z);
        if (lead.z > this.z || lead.certain) beaten = true;
        if (lead.ahead) behind = true;
      }
      const k = own.scores.length;
      return {
        configuration: c,
        margin,
        beaten,
        behind,
        complete: k >= this.n,
        cost: k === 0 ? 0 : own.prefix.cost[k]! / k,
        examples: k,
      };
    });
    return rows.sort((a, b) => b.margin - a.margin || a.cost - b.cost || a.examples - b.examples);
  }

  /** A configuration's outcomes along the common example order, with prefix sums. */
  private track(c: Configuration): Track {
    const series = this.ledger.series(c, this.order);
    const prefix = { cost: [0], latency: [0] };
    for (const o of series) {
      prefix.cost.push(prefix.cost[prefix.cost.length - 1]! + o.cost);
      prefix.latency.push(prefix.latency[prefix.latency.length - 1]! + o.latencyMs);
    }
    return { key: configurationKey(c), scores: series.map((o) => o.score), prefix };
  }

  /**
   * How far `d` leads `c` in quality on the first `k` examples, when `d` is no worse on the other
   * objectives there: the projected lead's z-score, and whether `c` can no longer catch up.
   */
  private lead(
    d: Track,
    c: Track,
    k: number,
  ): { z: number; certain: boolean; ahead: boolean } | undefined {
    const dir = this.objectives.quality;
    if (dir === undefined || k === 0) return undefined;
    let strictly = false;
    for (const o of this.otherObjectives()) {
      if (o === 'quality') continue;
      const key = o === 'cost' ? 'cost' : 'latency';
      const vd = d.prefix[key][k]!;
      const vc = c.prefix[key][k]!;
      const better = this.objectives[o] === 'min' ? vd <= vc : vd >= vc;
      if (!better) return undefined;
      if (vd !== vc) strictly = true;
    }
    // Strictly cheaper (or faster): a tie in quality is enough for d to dominate c, so c must end
    // at least one example ahead (half an example, continuity-corrected).
    const need = strictly ? 0.5 : 0;
    const sign = dir === 'max' ? 1 : -1;
    let total = 0;
    for (let i = 0; i < k; i++) total += sign * (d.scores[i]! - c.scores[i]!);
    const m = total / k;
    let squares = 0;
    for (let i = 0; i < k; i++) squares += (sign * (d.scores[i]! - c.scores[i]!) - m) ** 2;
    const remaining = this.n - k;
    const variance = squares / Math.max(1, k - 1) + 0.25;
    const spread = Math.sqrt(remaining * variance + (remaining * remaining * variance) / k);
    const projected = this.n * m + need;
    return {
      z:
        spread === 0
          ? projected > 0
            ? Infinity
            : projected < 0
              ? -Infinity
              : 0
          : projected / spread,
      certain: need > 0 ? total >= remaining : total > remaining,
      ahead: total > 0,
    };
  }

  private otherObjectives(): ObjectiveName[] {
    return (Object.keys(this.objectives) as ObjectiveName[]).filter((k) => k !== 'quality');
  }
}

async function fullEvaluations(
  algorithm: string,
  options: SpaceSearchOptions,
  candidatesOf: (rng: RandomSource) => Configuration[],
): Promise<SpaceSearchResult> {
  const seed = options.seed ?? 0;
  const ledger = newLedger(algorithm, options, seed);
  const rng = seededRandom(seed);
  const candidates = candidatesOf(rng);
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
    if (ledger.cancelled) break;
    await stepDone(ledger, rng, options, 0, indices.length, batch.length);
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
    {
      ...(options.candidates === undefined ? {} : { candidates: options.candidates }),
      ...(options.shouldStop === undefined ? {} : { shouldStop: options.shouldStop }),
      ...(options.onCheckpoint === undefined ? {} : { onCheckpoint: options.onCheckpoint }),
    },
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
    ...(ledger.cancelled
      ? { stopReason: 'cancelled' as const }
      : budgetExhausted
        ? { stopReason: 'budget' as const }
        : {}),
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
    while (next < candidates.length && !ledger.cancelled) {
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
