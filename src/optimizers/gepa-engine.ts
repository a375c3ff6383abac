import {
  attemptMerge,
  dominatorPrograms,
  mergeSubsample,
  selectFromPareto,
  type AncestorLog,
  type Fronts,
  type MergeDescription,
} from './gepa-pareto.js';
import { proposeInstruction, type ReflectionFn, type ReflectiveRecord } from './gepa-proposal.js';
import { OptimizerError } from './optimizer-error.js';
import { pythonRandom, type RngFactory } from './python-random.js';
import { ReplayRng, type RngCheckpoint } from './replay-rng.js';
import type { StopReason } from './search-kit.js';

/** A GEPA candidate: the text of every component (for DSPy programs, each predictor's instructions). */
export type Candidate = Record<string, string>;

/** Scores per objective of one example (multi-objective GEPA). */
export type ObjectiveScores = Record<string, number>;

/** What an adapter's evaluation of a batch returns (GEPA's `EvaluationBatch`). */
export interface EvaluationBatch<T = unknown> {
  outputs: unknown[];
  scores: number[];
  /** Per-example traces, present when asked for (`captureTraces`). */
  trajectories?: T[] | undefined;
  /** Per-example objective scores, when the metric reports them. */
  objectiveScores?: ObjectiveScores[] | undefined;
}

/** Connects GEPA's engine to a system (GEPA's `GEPAAdapter`). */
export interface GepaAdapter<D, T = unknown> {
  /** Runs `candidate` on `batch`; a failing example scores the failure score, never throws. */
  evaluate(
    batch: readonly D[],
    candidate: Candidate,
    captureTraces: boolean,
  ): Promise<EvaluationBatch<T>>;
  /** Per component to update, the records the reflection model learns from. */
  makeReflectiveDataset(
    candidate: Candidate,
    evaluation: EvaluationBatch<T>,
    components: readonly string[],
  ): Promise<Record<string, ReflectiveRecord[]>>;
  /** Proposes new texts itself (DSPy's adapter does); default: GEPA's instruction proposal. */
  proposeNewTexts?(
    candidate: Candidate,
    dataset: Record<string, ReflectiveRecord[]>,
    components: readonly string[],
  ): Promise<Candidate>;
  /** JSON-safe adapter state kept in checkpoints (DSPy's adapter keeps its RNG). */
  saveState?(): unknown;
  loadState?(state: unknown): void;
}

/** Which scores form the Pareto fronts (GEPA's `frontier_type`). */
export type FrontierType = 'instance' | 'objective' | 'hybrid' | 'cartesian';

/** Options of {@link runGepa} (GEPA's `optimize` arguments, camelCased). */
export interface GepaEngineOptions {
  /** Stop once this many metric calls (example evaluations) were made. */
  maxMetricCalls: number;
  /** Reflection model used when the adapter has no `proposeNewTexts`. */
  reflect?: ReflectionFn;
  seed?: number;
  rng?: RngFactory;
  candidateSelectionStrategy?: 'pareto' | 'current_best';
  frontierType?: FrontierType;
  skipPerfectScore?: boolean;
  perfectScore?: number;
  reflectionMinibatchSize?: number;
  componentSelector?: 'round_robin' | 'all';
  useMerge?: boolean;
  maxMergeInvocations?: number;
  mergeValOverlapFloor?: number;
  /** Checked before each iteration besides the metric budget (e.g. an LM-call cap). */
  stop?: () => StopReason | undefined;
  /** Called (and awaited) after the seed evaluation and after every iteration. */
  checkpoint?: (state: GepaState) => void | Promise<void>;
  /** Continue an interrupted run (same options and data). */
  resumeFrom?: GepaState;
  /** Called after every iteration. */
  onIteration?: (entry: GepaIterationLog, state: GepaState) => void;
}

/** What happened in one iteration. */
export interface GepaIterationLog {
  i: number;
  kind: 'reflective' | 'merge';
  /** Parent program(s). */
  parents: number[];
  /** Trainset ids of the minibatch (reflective) or valset ids of the subsample (merge). */
  ids: number[];
  /** Parent minibatch scores (reflective) or the parents' subsample sums (merge). */
  before: number[];
  /** The new candidate's scores on the same examples. */
  after: number[];
  components: string[];
  accepted: boolean;
  /** Index of the accepted program. */
  newIdx?: number;
  /** Why no candidate was evaluated. */
  skipped?: 'all_scores_perfect' | 'no_trajectories' | 'no_proposal' | 'no_merge';
}

/** JSON-safe state of a GEPA run: every candidate, its lineage, scores and fronts, the RNG. */
export interface GepaState {
  candidates: Candidate[];
  /** Parents of each candidate (`[null]` for the seed). */
  parents: (number | null)[][];
  /** Per candidate, the score of every validation example. */
  valScores: number[][];
  /** Per candidate, the objective scores of every validation example (when reported). */
  valObjectives: (ObjectiveScores[] | null)[];
  /** Per candidate, each objective averaged over the validation set. */
  objectiveAggregates: ObjectiveScores[];
  paretoValset: number[];
  programsAtValset: number[][];
  objectivePareto: ObjectiveScores;
  programsAtObjective: Record<string, number[]>;
  cartesianPareto: [number, string, number][];
  programsAtCartesian: [number, string, number[]][];
  /** Round-robin pointer of the next component to update, per candidate. */
  nextComponent: number[];
  components: string[];
  /** Iteration counter (-1 before the first). */
  i: number;
  totalMetricCalls: number;
  fullValEvals: number;
  /** Metric calls made when each candidate was found. */
  discoveryMetricCalls: number[];
  merge: {
    due: number;
    tested: number;
    lastIterFoundNewProgram: boolean;
    ancestors: AncestorLog[];
    merges: MergeDescription[];
  };
  sampler: {
    shuffled: number[];
    epoch: number;
    freqs: [number, number][];
    lastSize: number;
    iteration: number | null;
    calls: number;
  };
  rng: RngCheckpoint;
  adapter?: unknown;
  log: GepaIterationLog[];
}

/** The result of a GEPA run. */
export interface GepaEngineResult {
  state: GepaState;
  /** Mean validation score of every candidate. */
  valAggregateScores: number[];
  /** The candidate with the highest mean validation score (first on ties). */
  bestIdx: number;
  stopReason: StopReason;
}

const mean = (xs: readonly number[]) =>
  xs.length === 0 ? -Infinity : xs.reduce((a, b) => a + b, 0) / xs.length;
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

function aggregateObjectives(perExample: ObjectiveScores[] | null | undefined): ObjectiveScores {
  if (!perExample || perExample.length === 0) return {};
  const totals: Record<string, number> = {};
  const counts: Record<string, number> = {};
  for (const o of perExample) {
    for (const [k, v] of Object.entries(o)) {
      totals[k] = (totals[k] ?? 0) + v;
      counts[k] = (counts[k] ?? 0) + 1;
    }
  }
  return Object.fromEntries(Object.keys(totals).map((k) => [k, totals[k]! / counts[k]!]));
}

function addToFront(front: number[], idx: number): number[] {
  return front.includes(idx) ? front : [...front, idx].sort((a, b) => a - b);
}

/** The state's Pareto fronts for `type` (GEPA's `get_pareto_front_mapping`). */
export function paretoFronts(state: GepaState, type: FrontierType): Fronts {
  const fronts: Fronts = new Map();
  if (type === 'instance' || type === 'hybrid') {
    state.programsAtValset.forEach((f, v) => fronts.set(`val:${v}`, [...f]));
  }
  if (type === 'objective' || type === 'hybrid') {
    for (const [o, f] of Object.entries(state.programsAtObjective)) fronts.set(`obj:${o}`, [...f]);
  }
  if (type === 'cartesian') {
    for (const [v, o, f] of state.programsAtCartesian) fronts.set(`cart:${v}:${o}`, [...f]);
  }
  return fronts;
}

/** Adds an evaluated candidate to the state and its fronts (GEPA's `update_state_with_new_program`). */
function addProgram(
  state: GepaState,
  candidate: Candidate,
  parents: number[],
  evaluation: EvaluationBatch,
  frontierType: FrontierType,
): number {
  const idx = state.candidates.length;
  state.candidates.push({ ...candidate });
  state.discoveryMetricCalls.push(state.totalMetricCalls);
  state.totalMetricCalls += evaluation.scores.length;
  state.fullValEvals += 1;
  state.nextComponent.push(Math.max(0, ...parents.map((p) => state.nextComponent[p]!)));
  state.parents.push([...parents]);
  state.valScores.push([...evaluation.scores]);
  state.valObjectives.push(
    evaluation.objectiveScores ? evaluation.objectiveScores.map((o) => ({ ...o })) : null,
  );
  const aggregates = aggregateObjectives(evaluation.objectiveScores);
  state.objectiveAggregates.push(aggregates);
  evaluation.scores.forEach((score, v) => {
    const prev = state.paretoValset[v] ?? -Infinity;
    if (score > prev) {
      state.paretoValset[v] = score;
      state.programsAtValset[v] = [idx];
    } else if (score === prev)
      state.programsAtValset[v] = addToFront(state.programsAtValset[v] ?? [], idx);
  });
  for (const [o, score] of Object.entries(aggregates)) {
    const prev = state.objectivePareto[o] ?? -Infinity;
    if (score > prev) {
      state.objectivePareto[o] = score;
      state.programsAtObjective[o] = [idx];
    } else if (score === prev) {
      state.programsAtObjective[o] = addToFront(state.programsAtObjective[o] ?? [], idx);
    }
  }
  if (frontierType !== 'instance' && !evaluation.objectiveScores) {
    throw new OptimizerError(
      'invalid_option',
      `frontierType '${frontierType}' needs objective scores from the metric (return { score, objectiveScores }), but none were found.`,
      { details: { frontierType } },
    );
  }
  if (frontierType === 'cartesian') {
    evaluation.objectiveScores!.forEach((objectives, v) => {
      for (const [o, score] of Object.entries(objectives)) {
        const at = state.cartesianPareto.findIndex(([vv, oo]) => vv === v && oo === o);
        const prev = at >= 0 ? state.cartesianPareto[at]![2] : -Infinity;
        const fi = state.programsAtCartesian.findIndex(([vv, oo]) => vv === v && oo === o);
        if (score > prev) {
          if (at >= 0) state.cartesianPareto[at]![2] = score;
          else state.cartesianPareto.push([v, o, score]);
          if (fi >= 0) state.programsAtCartesian[fi]![2] = [idx];
          else state.programsAtCartesian.push([v, o, [idx]]);
        } else if (score === prev && fi >= 0) {
          state.programsAtCartesian[fi]![2] = addToFront(state.programsAtCartesian[fi]![2], idx);
        }
      }
    });
  }
  return idx;
}

/** GEPA's `EpochShuffledBatchSampler.next_minibatch_ids`. */
function nextMinibatch(
  state: GepaState,
  rng: ReplayRng,
  size: number,
  minibatch: number,
): number[] {
  const s = state.sampler;
  if (state.i === s.iteration) s.calls += 1;
  else {
    s.iteration = state.i;
    s.calls = 0;
  }
  let base = state.i * minibatch;
  const epoch = s.epoch === -1 ? 0 : Math.floor(base / Math.max(s.shuffled.length, 1));
  if (s.shuffled.length === 0 || size !== s.lastSize || epoch > s.epoch) {
    s.epoch = epoch;
    s.lastSize = size;
    s.shuffled = rng.shuffle(Array.from({ length: size }, (_, k) => k));
    const freqs = new Map(s.shuffled.map((id) => [id, 1] as [number, number]));
    const mod = size % minibatch;
    for (let k = 0; k < (mod !== 0 ? minibatch - mod : 0); k++) {
      // Counter.most_common()[::-1][0]: the last-inserted id among the least frequent.
      const min = Math.min(...freqs.values());
      const id = [...freqs].filter(([, n]) => n === min).pop()![0];
      s.shuffled.push(id);
      freqs.set(id, freqs.get(id)! + 1);
    }
    s.freqs = [...freqs];
  }
  base = (base + s.calls * minibatch) % s.shuffled.length;
  return s.shuffled.slice(base, base + minibatch);
}

/**
 * GEPA's optimization loop (gepa-ai/gepa `GEPAEngine.run` with its default strategies, as DSPy
 * 3.3.1 drives it): evaluate the seed on the valset; then, until the metric budget is spent, either
 * try a scheduled merge of two Pareto programs with a common ancestor, or pick a parent from the
 * per-instance Pareto fronts, run it on the next training minibatch with traces, reflect on the
 * feedback to rewrite one component (round robin), and keep the child when its minibatch score
 * sum strictly improves, after a full validation evaluation.
 */
export async function runGepa<D>(
  adapter: GepaAdapter<D>,
  seedCandidate: Candidate,
  trainset: readonly D[],
  valset: readonly D[],
  options: GepaEngineOptions,
): Promise<GepaEngineResult> {
  const frontierType = options.frontierType ?? 'instance';
  const minibatch = options.reflectionMinibatchSize ?? 3;
  const perfect = options.perfectScore ?? 1;
  const skipPerfect = options.skipPerfectScore ?? true;
  const useMerge = options.useMerge ?? false;
  const maxMerges = options.maxMergeInvocations ?? 5;
  const overlapFloor = options.mergeValOverlapFloor ?? 5;
  const factory = options.rng ?? pythonRandom;
  if (trainset.length === 0 || valset.length === 0) {
    throw new OptimizerError('invalid_option', 'GEPA needs a non-empty trainset and valset.', {
      details: { trainset: trainset.length, valset: valset.length },
    });
  }
  let state: GepaState;
  let rng: ReplayRng;
  if (options.resumeFrom !== undefined) {
    state = structuredClone(options.resumeFrom);
    rng = ReplayRng.restore(factory, state.rng);
    if (state.adapter !== undefined) adapter.loadState?.(state.adapter);
  } else {
    rng = new ReplayRng(factory, options.seed ?? 0);
    const seedEval = await adapter.evaluate(valset, seedCandidate, false);
    state = {
      candidates: [],
      parents: [],
      valScores: [],
      valObjectives: [],
      objectiveAggregates: [],
      paretoValset: [],
      programsAtValset: [],
      objectivePareto: {},
      programsAtObjective: {},
      cartesianPareto: [],
      programsAtCartesian: [],
      nextComponent: [],
      components: Object.keys(seedCandidate),
      i: -1,
      totalMetricCalls: 0,
      fullValEvals: 0,
      discoveryMetricCalls: [],
      merge: { due: 0, tested: 0, lastIterFoundNewProgram: false, ancestors: [], merges: [] },
      sampler: { shuffled: [], epoch: -1, freqs: [], lastSize: 0, iteration: null, calls: 0 },
      rng: rng.checkpoint(),
      log: [],
    };
    addProgram(state, seedCandidate, [], seedEval, frontierType);
    state.parents[0] = [null];
    await save();
  }
  const tracked = () => state.valScores.map(mean);

  async function save(): Promise<void> {
    state.rng = rng.checkpoint();
    const adapterState = adapter.saveState?.();
    if (adapterState !== undefined) state.adapter = adapterState;
    await options.checkpoint?.(structuredClone(state));
  }

  async function fullEvalAndAdd(candidate: Candidate, parents: number[]): Promise<number> {
    const evaluation = await adapter.evaluate(valset, candidate, false);
    return addProgram(state, candidate, parents, evaluation, frontierType);
  }

  async function mergeIteration(entry: GepaIterationLog): Promise<boolean> {
    const fronts = paretoFronts(state, frontierType);
    const scores = tracked();
    const view = {
      candidates: state.candidates,
      parents: state.parents,
      scores,
      performed: { ancestors: state.merge.ancestors, merges: state.merge.merges },
    };
    const merged = attemptMerge(
      rng,
      view,
      dominatorPrograms(fronts, scores),
      (a, b) => Math.min(state.valScores[a]!.length, state.valScores[b]!.length) >= overlapFloor,
    );
    if (merged === undefined) return false;
    const { program, id1, id2, ancestor } = merged;
    state.merge.ancestors.push([id1, id2, ancestor]);
    const ids = mergeSubsample(rng, state.valScores[id1]!, state.valScores[id2]!);
    if (ids.length === 0) return false;
    const before = [
      sum(ids.map((k) => state.valScores[id1]![k]!)),
      sum(ids.map((k) => state.valScores[id2]![k]!)),
    ];
    const evaluation = await adapter.evaluate(
      ids.map((k) => valset[k]!),
      program,
      false,
    );
    state.totalMetricCalls += ids.length;
    Object.assign(entry, {
      kind: 'merge',
      parents: [id1, id2],
      ids,
      before,
      after: evaluation.scores,
    });
    if (sum(evaluation.scores) >= Math.max(...before)) {
      entry.accepted = true;
      entry.newIdx = await fullEvalAndAdd(program, [id1, id2]);
      state.merge.due -= 1;
      state.merge.tested += 1;
    }
    return true;
  }

  async function reflectiveIteration(entry: GepaIterationLog): Promise<void> {
    const parent =
      options.candidateSelectionStrategy === 'current_best'
        ? tracked().indexOf(Math.max(...tracked()))
        : selectFromPareto(paretoFronts(state, frontierType), tracked(), rng);
    const ids = nextMinibatch(state, rng, trainset.length, minibatch);
    const batch = ids.map((k) => trainset[k]!);
    const current = state.candidates[parent]!;
    const evalCurr = await adapter.evaluate(batch, current, true);
    state.totalMetricCalls += batch.length;
    Object.assign(entry, { parents: [parent], ids, before: evalCurr.scores });
    if (!evalCurr.trajectories || evalCurr.trajectories.length === 0) {
      entry.skipped = 'no_trajectories';
      return;
    }
    if (skipPerfect && evalCurr.scores.every((s) => s >= perfect)) {
      entry.skipped = 'all_scores_perfect';
      return;
    }
    let components: string[];
    if (options.componentSelector === 'all') components = Object.keys(current);
    else {
      const pid = state.nextComponent[parent]!;
      state.nextComponent[parent] = (pid + 1) % state.components.length;
      components = [state.components[pid]!];
    }
    entry.components = components;
    let texts: Candidate;
    try {
      const dataset = await adapter.makeReflectiveDataset(current, evalCurr, components);
      texts = adapter.proposeNewTexts
        ? await adapter.proposeNewTexts(current, dataset, components)
        : await proposeWith(options.reflect, current, dataset, components);
    } catch {
      entry.skipped = 'no_proposal'; // GEPA logs the failure and moves on
      return;
    }
    if (Object.keys(texts).length === 0) {
      entry.skipped = 'no_proposal';
      return;
    }
    const child = { ...current, ...texts };
    const evalNew = await adapter.evaluate(batch, child, true);
    state.totalMetricCalls += batch.length;
    entry.after = evalNew.scores;
    if (sum(evalNew.scores) > sum(evalCurr.scores)) {
      entry.accepted = true;
      entry.newIdx = await fullEvalAndAdd(child, [parent]);
      if (useMerge) {
        state.merge.lastIterFoundNewProgram = true;
        if (state.merge.tested < maxMerges) state.merge.due += 1;
      }
    }
  }

  let stopReason: StopReason = 'completed';
  for (;;) {
    if (state.totalMetricCalls >= options.maxMetricCalls) {
      stopReason = 'max_metric_calls';
      break;
    }
    const external = options.stop?.();
    if (external !== undefined) {
      stopReason = external;
      break;
    }
    state.i += 1;
    const entry: GepaIterationLog = {
      i: state.i,
      kind: 'reflective',
      parents: [],
      ids: [],
      before: [],
      after: [],
      components: [],
      accepted: false,
    };
    let done = false;
    if (useMerge) {
      if (state.merge.due > 0 && state.merge.lastIterFoundNewProgram) {
        state.merge.lastIterFoundNewProgram = false;
        done = await mergeIteration(entry);
      }
      state.merge.lastIterFoundNewProgram = false;
    }
    if (!done) await reflectiveIteration(entry);
    state.log.push(entry);
    options.onIteration?.(entry, state);
    await save();
  }
  // The metric budget is GEPA's normal end; only an external cap is reported as a stop.
  if (stopReason === 'max_metric_calls') stopReason = 'completed';
  const valAggregateScores = tracked();
  return {
    state,
    valAggregateScores,
    bestIdx: valAggregateScores.indexOf(Math.max(...valAggregateScores)),
    stopReason,
  };
}

async function proposeWith(
  reflect: ReflectionFn | undefined,
  candidate: Candidate,
  dataset: Record<string, ReflectiveRecord[]>,
  components: readonly string[],
): Promise<Candidate> {
  if (reflect === undefined) {
    throw new OptimizerError(
      'invalid_option',
      'GEPA needs a reflection LM or an instruction proposer.',
    );
  }
  const out: Candidate = {};
  for (const name of components) {
    const records = dataset[name];
    if (records === undefined || records.length === 0) continue;
    out[name] = await proposeInstruction(reflect, candidate[name]!, records);
  }
  return out;
}
