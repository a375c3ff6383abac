import { describe, expect, it } from 'vitest';

import { fromExampleData } from '../../services/example-data.js';
import { shardEvaluator } from '../../services/shard-evaluator.js';
import type { EvaluationShard, ShardResult } from '../../src/contracts/index.js';
import { Evaluate } from '../../src/evaluate/evaluate.js';
import { context } from '../../src/modules/settings.js';
import { chargeOf } from '../../src/optimizers/budget.js';
import { exampleSpend } from '../../src/optimizers/candidate-evaluator.js';
import { SIMBA, type SimbaCheckpoint, type SimbaOptions } from '../../src/optimizers/simba.js';
import { nodeRunner } from './shard-node.js';
import { HintThenAnswer, adviceLm, item, stateOf, worldLm, worldMetric } from './simba-world.js';

/* The world of simba.test.ts: demos and rules decide the answers; sampling varies by rollout. */

/**
 * What a node does with a shard (actors/evaluation-worker.ts): load the candidate's state over its
 * own copy of the program, evaluate the examples with its own LM.
 */
async function evaluateShard(shard: EvaluationShard): Promise<ShardResult> {
  const devset = fromExampleData(shard.examples);
  const program = new HintThenAnswer().load(shard.state!);
  const result = await context({ lm: worldLm() }, () =>
    new Evaluate({
      devset,
      metric: worldMetric,
      display: false,
      maxErrors: devset.length + 1,
      concurrency: 2,
    }).run(program),
  );
  const { lmCalls, promptTokens, completionTokens, usd } = chargeOf('task', result.calls);
  return {
    evalId: shard.evalId,
    shard: shard.shard,
    scores: result.results.map((r) => Number(r.score)),
    errors: result.errorCount,
    failures: [],
    spend: { lmCalls, promptTokens, completionTokens, usd },
    outcomes: result.results.map(exampleSpend),
  };
}

const trainset = Array.from({ length: 10 }, (_, n) => item(n));
const shape = { bsize: 4, numCandidates: 3, maxSteps: 4, maxDemos: 2 };

function optimize(options: Partial<SimbaOptions>, resumeFrom?: SimbaCheckpoint) {
  return context({ lm: worldLm(), logger: { warn: () => undefined } }, () =>
    new SIMBA({ metric: worldMetric, ...shape, promptModel: adviceLm(), ...options }).optimize(
      new HintThenAnswer(),
      { trainset, seed: 0, ...(resumeFrom ? { resumeFrom } : {}) },
    ),
  );
}

/** A SIMBA run with its candidate evaluations sent to {@link nodeRunner}, and the shard sizes. */
function sharded(seen: number[], shards: number, extra: Partial<SimbaOptions> = {}) {
  return {
    evaluator: shardEvaluator(nodeRunner(seen, evaluateShard), {
      program: 'hint-then-answer',
      metric: 'world',
      shards,
    }),
    ...extra,
  };
}

type Run = Awaited<ReturnType<typeof optimize>>;
/** What must not depend on where the evaluations ran. */
const outcome = (r: Run) => ({
  program: stateOf(r.program),
  candidates: r.candidates.map((c) => ({ score: c.score, state: stateOf(c.program) })),
  trialLogs: r.trialLogs,
  stopReason: r.stopReason,
  usage: r.usage,
  metricCalls: r.stats.metricCalls,
});

describe('SIMBA over evaluation shards', () => {
  it('scores candidates in shards and ends with the same candidates, scores and spend as a local run', async () => {
    const local = await optimize({});
    const seen: number[] = [];
    const result = await optimize(sharded(seen, 2));
    // Mini-batches of 4 in shards of 2, the final evaluation's 10 trainset examples in shards of 5.
    expect(new Set(seen)).toEqual(new Set([2, 5]));
    expect(local.trialLogs.flatMap((l) => l.candidates).length).toBeGreaterThan(2);
    expect(local.trialLogs.some((l) => l.trainScore !== undefined)).toBe(true);
    expect(outcome(result)).toEqual(outcome(local));
  });

  it('resumes a sharded run from a step checkpoint to the uninterrupted result', async () => {
    const checkpoints: SimbaCheckpoint[] = [];
    const full = await optimize(
      sharded([], 3, {
        checkpoint: (c) => void checkpoints.push(JSON.parse(JSON.stringify(c)) as SimbaCheckpoint),
      }),
    );
    expect(checkpoints.map((c) => c.step)).toEqual([1, 2, 3, 4]);
    const resumed = await optimize(sharded([], 3), checkpoints[1]);
    expect(outcome(resumed)).toEqual({
      ...outcome(full),
      // Metric calls of the statistics count this process's run only; usage holds the whole run's.
      metricCalls: resumed.stats.metricCalls,
    });
    expect(resumed.stats.metricCalls).toBeLessThan(full.stats.metricCalls);
  });
});
