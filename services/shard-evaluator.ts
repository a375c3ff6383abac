import { nanoid } from 'nanoid';
import { z } from 'zod';
import { flattenIssues, issuesText, tracedRunSchema } from '../src/contracts/index.js';
import { configurationOf, type Example, type Module } from '../src/modules/index.js';
import type {
  CandidateEvaluator,
  EvaluationSpend,
  TraceEvaluator,
  TracedRun,
} from '../src/optimizers/index.js';
import type { EvaluationShard, ShardResult } from '../src/contracts/index.js';
import { toExampleData } from './example-data.js';

/**
 * Runs evaluation shards somewhere and returns their results (any order): the runtime enqueues
 * them on `dspex-eval`, so every node's evaluation workers take a share.
 */
export type ShardRunner = (shards: EvaluationShard[]) => Promise<ShardResult[]>;

/** How an optimization run splits each candidate evaluation. */
export interface ShardPlan {
  /** The catalog program the candidates are states of. */
  program: string;
  /** The metric's name in every node's metric table. */
  metric: string;
  /** Shards per evaluation (at most one per example). */
  shards: number;
  /** Examples run at once within a shard. */
  concurrency?: number;
}

/**
 * A {@link CandidateEvaluator} over evaluation shards: the candidate's state (`program.save()`)
 * and a contiguous slice of the devset per shard, the results put back in devset order, their
 * spend summed. The shard's node loads the state over the catalog program with the program's
 * current configuration, as an evaluation of a stored version would.
 */
export function shardEvaluator(run: ShardRunner, plan: ShardPlan): CandidateEvaluator {
  return async (program, devset) => {
    const { results, spend } = await runInShards(run, plan, program, devset, false);
    const outcomes = results.flatMap((r) => r.outcomes ?? []);
    return {
      scores: results.flatMap((r) => r.scores),
      errors: results.reduce((s, r) => s + r.errors, 0),
      spend,
      ...(outcomes.length === devset.length ? { outcomes } : {}),
      nodes: results.flatMap((r) => (r.node === undefined ? [] : [r.node])),
    };
  };
}

/**
 * A {@link TraceEvaluator} over evaluation shards (GEPA): as {@link shardEvaluator}, but each
 * shard also returns every example's outputs, trace and metric value (`traces: true`).
 */
export function shardTraceEvaluator(run: ShardRunner, plan: ShardPlan): TraceEvaluator {
  return async (program, batch) => {
    const { results, spend } = await runInShards(run, plan, program, batch, true);
    const runs = results.flatMap((r) => tracedRuns(r));
    if (runs.length !== batch.length)
      throw new Error(`evaluation shards returned ${runs.length} traced runs for ${batch.length}`);
    return { runs, spend };
  };
}

/** A shard's traced runs, checked against the contracts' schema (they crossed a queue as JSON). */
function tracedRuns(result: ShardResult): TracedRun[] {
  const parsed = z.array(tracedRunSchema).safeParse(result.runs ?? []);
  if (!parsed.success)
    throw new Error(
      `evaluation shard ${result.shard} returned invalid traced runs: ${issuesText(flattenIssues(parsed.error))}`,
    );
  return parsed.data;
}

/** Splits `devset` into the plan's shards with the candidate's state, runs them, sums the spend. */
async function runInShards(
  run: ShardRunner,
  plan: ShardPlan,
  program: Module,
  devset: readonly Example[],
  traces: boolean,
): Promise<{ results: ShardResult[]; spend: EvaluationSpend }> {
  const examples = toExampleData(devset);
  const state = JSON.parse(JSON.stringify(program.save())) as Record<string, unknown>;
  // A configured candidate (a point of the variable space) is rebuilt with its variables there.
  const variables = configurationOf(program);
  const size = Math.ceil(examples.length / Math.max(1, Math.min(plan.shards, examples.length)));
  // 6 examples in 4 shards are 3 shards of 2: no shard is left without examples.
  const shards = Math.max(1, Math.ceil(examples.length / size));
  const evalId = `opt-${nanoid(12)}`;
  const results = await run(
    Array.from({ length: shards }, (_, shard) => ({
      evalId,
      shard,
      shards,
      program: plan.program,
      metric: plan.metric,
      examples: examples.slice(shard * size, (shard + 1) * size),
      state,
      ...(variables === undefined ? {} : { config: { variables: variables as never } }),
      ...(plan.concurrency === undefined ? {} : { concurrency: plan.concurrency }),
      ...(traces ? { traces: true } : {}),
    })),
  );
  const ordered = [...results].sort((a, b) => a.shard - b.shard);
  const spend = { lmCalls: 0, promptTokens: 0, completionTokens: 0, usd: 0 };
  for (const r of ordered) {
    spend.lmCalls += r.spend?.lmCalls ?? 0;
    spend.promptTokens += r.spend?.promptTokens ?? 0;
    spend.completionTokens += r.spend?.completionTokens ?? 0;
    spend.usd += r.spend?.usd ?? 0;
  }
  return { results: ordered, spend };
}
