import { describe, expect, it } from 'vitest';
import type { ShardResult } from '../../src/contracts/index.js';
import { evaluationOutcome } from '../../services/evaluation-outcome.js';

const shard = (n: number, extra: Partial<ShardResult> = {}): ShardResult => ({
  evalId: 'e',
  shard: n,
  scores: [],
  errors: 0,
  failures: [],
  ...extra,
});

describe('evaluationOutcome', () => {
  it('puts failures at their devset index and sums spend over the shards', () => {
    const out = evaluationOutcome(
      [
        shard(0, {
          scores: [1, 0],
          spend: { lmCalls: 2, promptTokens: 20, completionTokens: 4, usd: 0.002 },
          outcomes: [
            { cost: 0.001, latencyMs: 10, lmCalls: 1 },
            { cost: 0.001, latencyMs: 30, lmCalls: 1 },
          ],
        }),
        shard(1, {
          scores: [0],
          errors: 1,
          failures: [{ index: 0, reason: 'timeout' }],
          spend: { lmCalls: 1, promptTokens: 5, completionTokens: 0, usd: 0 },
          outcomes: [{ cost: 0, latencyMs: 20, lmCalls: 1 }],
        }),
      ],
      33.33,
      1234,
    );
    expect(out).toEqual({
      score: 33.33,
      counts: { total: 3, errors: 1 },
      examples: [
        { index: 0, score: 1, cost: 0.001, latencyMs: 10 },
        { index: 1, score: 0, cost: 0.001, latencyMs: 30 },
        { index: 2, score: 0, error: 'timeout', cost: 0, latencyMs: 20 },
      ],
      spend: { lmCalls: 3, promptTokens: 25, completionTokens: 4, usd: 0.002 },
      meanLatencyMs: 20,
      durationMs: 1234,
    });
  });

  it('leaves out cost, latency and spend when a shard did not report them', () => {
    const out = evaluationOutcome(
      [
        shard(0, { scores: [1], outcomes: [{ cost: 0, latencyMs: 5, lmCalls: 1 }] }),
        shard(1, { scores: [1] }),
      ],
      100,
      7,
    );
    expect(out).toEqual({
      score: 100,
      counts: { total: 2, errors: 0 },
      examples: [
        { index: 0, score: 1 },
        { index: 1, score: 1 },
      ],
      durationMs: 7,
    });
  });
});
