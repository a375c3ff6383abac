import { describe, expect, it } from 'vitest';

import { shardTraceEvaluator } from '../../services/shard-evaluator.js';
import type { EvaluationShard, ShardResult } from '../../src/contracts/index.js';
import { fromExampleData } from '../../services/example-data.js';
import { CallAccounting } from '../../src/evaluate/call-accounting.js';
import { context } from '../../src/modules/settings.js';
import { GEPA, type GepaMetric } from '../../src/optimizers/gepa.js';
import { chargeOf } from '../../src/optimizers/budget.js';
import { runTraced } from '../../src/optimizers/traced-evaluation.js';
import { RuleLM, itemOf, lastUser } from './rule-lm.js';
import { nodeRunner } from './shard-node.js';
import { HintThenAnswer, item } from './simba-world.js';

/* The world of gepa.test.ts: instructions decide the answers; the reflection reads the feedback. */
const taskLm = (): RuleLM =>
  new RuleLM((messages) => {
    const n = itemOf(messages);
    const system = (messages[0]?.content ?? '') as string;
    return {
      hint: system.includes('Give hints') ? `h${n}` : 'none',
      answer: system.includes('Use prefix a') ? `a${n}` : `${n}`,
    };
  });
const reflectionLm = (): RuleLM =>
  new RuleLM((messages) => {
    const prompt = lastUser(messages);
    const current = prompt.split('```\n')[1]!.split('\n```')[0]!;
    const fix = prompt.includes('Expected a') ? 'Use prefix a.' : 'Give hints.';
    return { text: `\`\`\`\n${current} ${fix}\n\`\`\`` };
  });

const metric: GepaMetric = (gold, pred, _trace, predName) => {
  const ok = gold['answer'] === pred['answer'];
  return {
    score: ok ? 1 : 0,
    feedback: ok
      ? 'Correct.'
      : `Expected ${String(gold['answer'])}${predName ? ` (${predName})` : ''}.`,
  };
};

/**
 * What a node does with a `traces` shard (actors/evaluation-worker.ts): load the candidate's state
 * over its own copy of the program, run the examples with traces.
 */
async function traceShard(shard: EvaluationShard): Promise<ShardResult> {
  const program = new HintThenAnswer().load(shard.state!);
  const accounting = new CallAccounting();
  const runs = await context({ lm: taskLm() }, () =>
    accounting.run(() => runTraced(program, fromExampleData(shard.examples), metric, 2)),
  );
  const { lmCalls, promptTokens, completionTokens, usd } = chargeOf('task', accounting.stats());
  return {
    evalId: shard.evalId,
    shard: shard.shard,
    scores: runs.map((r) => r.score),
    errors: 0,
    failures: [],
    spend: { lmCalls, promptTokens, completionTokens, usd },
    runs,
  };
}

const trainset = Array.from({ length: 6 }, (_, n) => item(n));
const valset = Array.from({ length: 5 }, (_, n) => item(10 + n));

function optimize(options: Partial<ConstructorParameters<typeof GEPA>[0]>) {
  return context({ lm: taskLm(), logger: { warn: () => undefined } }, () =>
    new GEPA({
      metric,
      maxMetricCalls: 60,
      reflectionLm: reflectionLm(),
      seed: 3,
      ...options,
    }).optimize(new HintThenAnswer(), { trainset, valset }),
  );
}

/** A GEPA run with its evaluations sent to {@link nodeRunner}, and the shard sizes it sent. */
async function shardedRun(shards: number, minBatch?: number) {
  const seen: number[] = [];
  const result = await optimize({
    traceEvaluator: shardTraceEvaluator(nodeRunner(seen, traceShard), {
      program: 'hint-then-answer',
      metric: 'feedback',
      shards,
    }),
    ...(minBatch === undefined ? {} : { traceEvaluatorMinBatch: minBatch }),
  });
  return { result, seen };
}

type Run = Awaited<ReturnType<typeof optimize>>;
/** What must not depend on where the evaluations ran. */
const outcome = (r: Run) => ({
  candidateTexts: r.candidateTexts,
  valSubscores: r.valSubscores,
  parents: r.parents,
  bestIdx: r.bestIdx,
  totalMetricCalls: r.totalMetricCalls,
  usage: r.usage,
  log: r.log,
});

describe('GEPA over evaluation shards', () => {
  it('finds the same candidates with the same scores, lineage and spend as a local run', async () => {
    const local = await optimize({});
    const { result, seen } = await shardedRun(2);
    expect(seen.length).toBeGreaterThan(2);
    expect(seen).toContain(3); // the 5 validation examples as shards of 3 and 2
    expect(local.candidateTexts.length).toBeGreaterThan(1);
    expect(outcome(result)).toEqual(outcome(local));
  });

  it('refuses a shard whose traced runs break the contract, naming the shard and the field', async () => {
    const broken = shardTraceEvaluator(
      (shards) =>
        Promise.resolve(
          shards.map((shard) => ({
            evalId: shard.evalId,
            shard: shard.shard,
            scores: [0],
            errors: 0,
            failures: [],
            runs: JSON.parse('[{"trace":[],"score":"high"}]') as NonNullable<ShardResult['runs']>,
          })),
        ),
      { program: 'hint-then-answer', metric: 'feedback', shards: 1 },
    );
    await expect(broken(new HintThenAnswer(), [item(0)])).rejects.toThrow(
      'evaluation shard 0 returned invalid traced runs: 0.score: Invalid input: expected number, received string',
    );
  });

  it('keeps batches below traceEvaluatorMinBatch local and still ends where a local run ends', async () => {
    const local = await optimize({});
    const { result, seen } = await shardedRun(1, 4);
    // Only the 5-example validation evaluations went out; the 3-example minibatches ran here.
    expect(seen.length).toBeGreaterThan(1);
    expect(new Set(seen)).toEqual(new Set([5]));
    expect(outcome(result)).toEqual(outcome(local));
  });
});
