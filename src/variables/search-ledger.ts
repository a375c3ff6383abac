import type { ObjectiveValues } from './objectives.js';
import { configurationKey } from './space.js';
import type { Configuration } from './variable.js';
import { VariableError } from './variable-error.js';

/** What running one configuration on one example produced. */
export interface ExampleOutcome {
  /** Metric value in [0, 1] (booleans as 0/1). */
  score: number;
  /** USD spent on the example. */
  cost: number;
  latencyMs: number;
  /** LM calls made (cache hits included). */
  lmCalls: number;
}

/**
 * Runs `configuration` on the devset examples at `indices` and returns one outcome per index, in
 * order. The searches call nothing else, so they work with any program runner (in process, or
 * shards on a cluster).
 */
export type ConfigurationEvaluator = (
  configuration: Configuration,
  indices: readonly number[],
) => Promise<ExampleOutcome[]>;

/** Limits of a search; the first one reached stops it. */
export interface SearchBudget {
  /** Full-devset evaluations (example runs / devset size; minibatches count pro rata). */
  evaluations?: number;
  /** LM calls. */
  lmCalls?: number;
  /** USD. */
  dollars?: number;
}

/** What a search has spent. */
export interface SearchSpend {
  /** Example runs. */
  examples: number;
  /** Example runs / devset size. */
  evaluations: number;
  lmCalls: number;
  dollars: number;
}

/** One evaluated configuration: its objectives on the examples run so far. */
export interface EvaluatedPoint extends ObjectiveValues {
  configuration: Configuration;
  /** 95th percentile of per-example latency (ms). */
  latencyP95: number;
  /** Examples it was run on. */
  examples: number;
  /** Full-devset evaluations spent on it (examples / devset size). */
  evaluations: number;
  /** Whether it ran on the whole devset (front points always do when the budget allows). */
  complete: boolean;
  lmCalls: number;
  /** USD spent on it. */
  dollars: number;
}

/** A JSON checkpoint: every outcome so far. Resuming replays the search and skips known runs. */
export interface SearchCheckpoint {
  version: 1;
  algorithm: string;
  seed: number;
  devsetSize: number;
  observations: { configuration: Configuration; outcomes: [number, ExampleOutcome][] }[];
}

/**
 * Every outcome of a search, the spend against the budget, and the replay cache of a resumed run
 * (known outcomes are reused, but still charged, so a resumed search decides exactly as an
 * uninterrupted one would).
 *
 * @internal
 */
export class SearchLedger {
  private readonly runs = new Map<
    string,
    { configuration: Configuration; outcomes: Map<number, ExampleOutcome> }
  >();
  private readonly replay = new Map<string, Map<number, ExampleOutcome>>();
  readonly spend: SearchSpend = { examples: 0, evaluations: 0, lmCalls: 0, dollars: 0 };
  /** Example runs actually executed in this process (not replayed). */
  executed = 0;

  constructor(
    readonly algorithm: string,
    readonly seed: number,
    readonly devsetSize: number,
    private readonly budget: SearchBudget,
    resumeFrom?: SearchCheckpoint,
  ) {
    if (resumeFrom !== undefined) {
      if (resumeFrom.version !== 1 || resumeFrom.devsetSize !== devsetSize)
        throw new VariableError(
          'invalid_option',
          `The checkpoint (version ${String(resumeFrom.version)}, devset ${resumeFrom.devsetSize}) does not fit this search (devset ${devsetSize})`,
        );
      for (const o of resumeFrom.observations)
        this.replay.set(configurationKey(o.configuration), new Map(o.outcomes));
    }
  }

  /** Examples (of `indices`) a configuration has not been run on yet. */
  missing(configuration: Configuration, indices: readonly number[]): number[] {
    const known = this.runs.get(configurationKey(configuration))?.outcomes;
    return known === undefined ? [...indices] : indices.filter((i) => !known.has(i));
  }

  /** Example runs the budget still allows (Infinity without an evaluation budget). */
  remainingExamples(): number {
    const cap = this.budget.evaluations;
    return cap === undefined
      ? Infinity
      : Math.floor(cap * this.devsetSize + 1e-9) - this.spend.examples;
  }

  /** Whether the LM-call or dollar budget is used up. */
  exhausted(): boolean {
    const { lmCalls, dollars } = this.budget;
    return (
      this.remainingExamples() <= 0 ||
      (lmCalls !== undefined && this.spend.lmCalls >= lmCalls) ||
      (dollars !== undefined && this.spend.dollars >= dollars)
    );
  }

  /** Runs (or replays) the missing examples of `configuration` among `indices`. */
  async run(
    configuration: Configuration,
    indices: readonly number[],
    evaluate: ConfigurationEvaluator,
  ): Promise<void> {
    const key = configurationKey(configuration);
    let entry = this.runs.get(key);
    if (entry === undefined) {
      entry = { configuration, outcomes: new Map() };
      this.runs.set(key, entry);
    }
    const todo = indices.filter((i) => !entry.outcomes.has(i));
    if (todo.length === 0) return;
    const cached = this.replay.get(key);
    const fresh = todo.filter((i) => cached?.get(i) === undefined);
    const outcomes = fresh.length === 0 ? [] : await evaluate(configuration, fresh);
    if (outcomes.length !== fresh.length)
      throw new VariableError(
        'invalid_option',
        `The evaluator returned ${outcomes.length} outcomes for ${fresh.length} examples`,
      );
    this.executed += fresh.length;
    fresh.forEach((i, k) => entry.outcomes.set(i, outcomes[k]!));
    for (const i of todo) {
      const o = cached?.get(i) ?? entry.outcomes.get(i)!;
      entry.outcomes.set(i, o);
      this.spend.examples++;
      this.spend.lmCalls += o.lmCalls;
      this.spend.dollars += o.cost;
    }
    this.spend.evaluations = this.spend.examples / this.devsetSize;
  }

  /** The objectives of a configuration on `indices` (default: every example it ran on). */
  point(configuration: Configuration, indices?: readonly number[]): EvaluatedPoint {
    const entry = this.runs.get(configurationKey(configuration));
    const all = entry === undefined ? [] : [...entry.outcomes.entries()];
    const chosen =
      indices === undefined
        ? all.map(([, o]) => o)
        : indices.map((i) => entry?.outcomes.get(i)).filter((o) => o !== undefined);
    return summarise(configuration, chosen, this.devsetSize, all.length);
  }

  /** Per-example scores on `indices` (for paired comparisons). */
  scores(configuration: Configuration, indices: readonly number[]): number[] {
    const outcomes = this.runs.get(configurationKey(configuration))?.outcomes;
    return indices.map((i) => outcomes?.get(i)?.score ?? 0);
  }

  /**
   * The outcomes of a configuration along `order`, up to the first example it has not run: what
   * paired comparisons on a common prefix of examples need, without building summaries.
   */
  series(configuration: Configuration, order: readonly number[]): ExampleOutcome[] {
    const outcomes = this.runs.get(configurationKey(configuration))?.outcomes;
    const out: ExampleOutcome[] = [];
    for (const i of order) {
      const o = outcomes?.get(i);
      if (o === undefined) break;
      out.push(o);
    }
    return out;
  }

  /** Every configuration run so far, with its objectives over all its examples. */
  points(): EvaluatedPoint[] {
    return [...this.runs.values()].map((r) => this.point(r.configuration));
  }

  /** The checkpoint of everything run so far (replayed outcomes included). */
  checkpoint(): SearchCheckpoint {
    return {
      version: 1,
      algorithm: this.algorithm,
      seed: this.seed,
      devsetSize: this.devsetSize,
      observations: [...this.runs.values()].map((r) => ({
        configuration: r.configuration,
        outcomes: [...r.outcomes.entries()].sort((a, b) => a[0] - b[0]),
      })),
    };
  }
}

function summarise(
  configuration: Configuration,
  outcomes: readonly ExampleOutcome[],
  devsetSize: number,
  examplesRun: number,
): EvaluatedPoint {
  const n = outcomes.length;
  const sum = (f: (o: ExampleOutcome) => number): number => outcomes.reduce((s, o) => s + f(o), 0);
  const latencies = outcomes.map((o) => o.latencyMs).sort((a, b) => a - b);
  return {
    configuration,
    quality: n === 0 ? 0 : Math.round((10000 * sum((o) => o.score)) / n) / 100,
    cost: n === 0 ? 0 : sum((o) => o.cost) / n,
    latency: n === 0 ? 0 : sum((o) => o.latencyMs) / n,
    latencyP95: nearestRankPercentile(latencies, 0.95),
    examples: examplesRun,
    evaluations: examplesRun / devsetSize,
    complete: examplesRun >= devsetSize,
    lmCalls: sum((o) => o.lmCalls),
    dollars: sum((o) => o.cost),
  };
}

/**
 * Nearest-rank percentile of `sorted` (ascending) at `q` in 0…1: always one of the values, 0 for
 * none. What latency summaries (p95) use. Unlike the optimizers' `linearPercentile` (NumPy's
 * interpolating percentile, `q` in 0…100), it neither sorts nor interpolates.
 */
export function nearestRankPercentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
