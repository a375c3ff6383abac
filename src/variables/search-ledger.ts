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
  /** LM calls, the candidates' proposer and bootstrap calls included. */
  lmCalls: number;
  /** USD, the candidates' included. */
  dollars: number;
  /** What filling the instruction and demo candidates cost (part of `lmCalls` and `dollars`). */
  candidates?: CandidateSpend;
}

/**
 * The spend of the prompt optimizers that filled a search's instruction and demo candidates
 * before it ran (see `SpaceSearch`'s `candidates`): the task model's calls (bootstrapping) and
 * the prompt model's (proposals) apart.
 */
export interface CandidateSpend {
  taskLmCalls: number;
  promptLmCalls: number;
  dollars: number;
  metricCalls: number;
}

/** Candidates filled before the search: their spend, and the filler's own JSON checkpoint. */
export interface CandidatesRecord {
  spend: CandidateSpend;
  /** Replayed by a resumed search, so the same candidates come back without LM calls. */
  checkpoint?: unknown;
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

/**
 * A JSON checkpoint, written after every evaluated configuration: every outcome so far (points
 * and their per-example scores, cost, latency), and where the search stood after its last whole
 * step (steps done, the RNG's state, the spend). Resuming replays the search and skips known
 * runs, so the resumed search passes through the same RNG states and spend.
 */
export interface SearchCheckpoint {
  version: 1;
  algorithm: string;
  seed: number;
  devsetSize: number;
  observations: { configuration: Configuration; outcomes: [number, ExampleOutcome][] }[];
  /** Whole search steps done (a screening or racing step). */
  steps?: number;
  /** The search RNG's state after those steps. */
  rngState?: number;
  /** The spend after those steps. */
  spent?: SearchSpend;
  /** The instruction and demo candidates the search was filled with (spend and their checkpoint). */
  candidates?: CandidatesRecord;
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
  private readonly replayConfigurations = new Map<string, Configuration>();
  readonly spend: SearchSpend = { examples: 0, evaluations: 0, lmCalls: 0, dollars: 0 };
  /** Example runs actually executed in this process (not replayed). */
  executed = 0;
  /** Whether `shouldStop` stopped the search (no evaluation starts after that). */
  cancelled = false;
  private steps = 0;
  private rngState: number | undefined;
  private stepSpend: SearchSpend | undefined;
  private saving: Promise<void> = Promise.resolve();

  constructor(
    readonly algorithm: string,
    readonly seed: number,
    readonly devsetSize: number,
    private readonly budget: SearchBudget,
    resumeFrom?: SearchCheckpoint,
    private readonly hooks: {
      candidates?: CandidatesRecord;
      shouldStop?: () => boolean;
      onCheckpoint?: (checkpoint: SearchCheckpoint) => void | Promise<void>;
    } = {},
  ) {
    if (resumeFrom !== undefined) {
      if (resumeFrom.version !== 1 || resumeFrom.devsetSize !== devsetSize)
        throw new VariableError(
          'invalid_option',
          `The checkpoint (version ${String(resumeFrom.version)}, devset ${resumeFrom.devsetSize}) does not fit this search (devset ${devsetSize})`,
        );
      if (resumeFrom.algorithm !== algorithm || resumeFrom.seed !== seed)
        throw new VariableError(
          'invalid_option',
          `The checkpoint (${resumeFrom.algorithm}, seed ${resumeFrom.seed}) does not fit this search (${algorithm}, seed ${seed})`,
        );
      for (const o of resumeFrom.observations) {
        const key = configurationKey(o.configuration);
        this.replay.set(key, new Map(o.outcomes));
        this.replayConfigurations.set(key, o.configuration);
      }
    }
    const prior = hooks.candidates?.spend;
    if (prior !== undefined) {
      this.spend.lmCalls = prior.taskLmCalls + prior.promptLmCalls;
      this.spend.dollars = prior.dollars;
      this.spend.candidates = { ...prior };
    }
  }

  /**
   * Whether the search must stop now: `shouldStop` said so (once true, it stays so). Asked before
   * every evaluation.
   */
  stopRequested(): boolean {
    if (!this.cancelled && this.hooks.shouldStop?.() === true) this.cancelled = true;
    return this.cancelled;
  }

  /** Records a whole search step (its RNG state and spend) and writes a checkpoint. */
  stepDone(rngState: number | undefined): Promise<void> {
    this.steps++;
    this.rngState = rngState;
    this.stepSpend = { ...this.spend };
    return this.save();
  }

  /**
   * Writes a checkpoint through `onCheckpoint`. Writes are chained, so they land in the order
   * they were taken even when configurations run concurrently.
   */
  save(): Promise<void> {
    const write = this.hooks.onCheckpoint;
    if (write === undefined) return Promise.resolve();
    const checkpoint = this.checkpoint();
    this.saving = this.saving.then(() => write(checkpoint));
    return this.saving;
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
    if (this.stopRequested()) return;
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
    if (fresh.length > 0) await this.save();
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

  /**
   * The checkpoint of everything known so far: the outcomes run (or replayed) and those of the
   * resumed checkpoint not replayed yet, so a run that dies while replaying loses nothing.
   */
  checkpoint(): SearchCheckpoint {
    const known = new Map<
      string,
      { configuration: Configuration; outcomes: Map<number, ExampleOutcome> }
    >();
    for (const [key, r] of this.runs)
      known.set(key, { configuration: r.configuration, outcomes: new Map(r.outcomes) });
    for (const [key, outcomes] of this.replay) {
      const entry = known.get(key);
      if (entry === undefined) {
        const configuration = this.replayConfigurations.get(key);
        if (configuration !== undefined)
          known.set(key, { configuration, outcomes: new Map(outcomes) });
      } else for (const [i, o] of outcomes) if (!entry.outcomes.has(i)) entry.outcomes.set(i, o);
    }
    return {
      version: 1,
      algorithm: this.algorithm,
      seed: this.seed,
      devsetSize: this.devsetSize,
      observations: [...known.values()].map((r) => ({
        configuration: r.configuration,
        outcomes: [...r.outcomes.entries()].sort((a, b) => a[0] - b[0]),
      })),
      steps: this.steps,
      ...(this.rngState === undefined ? {} : { rngState: this.rngState }),
      ...(this.stepSpend === undefined ? {} : { spent: { ...this.stepSpend } }),
      ...(this.hooks.candidates === undefined ? {} : { candidates: this.hooks.candidates }),
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
