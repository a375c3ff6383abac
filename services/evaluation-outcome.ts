import type { ShardResult } from '../src/contracts/index.js';
import type { EvaluationExample, EvaluationPatch } from '../src/store/index.js';

/**
 * What an evaluation's record keeps once its shards are back (in shard order): every example's
 * metric value, the reason of those that raised an error, their dollars and latency when every
 * shard reported them, the spend summed over the shards, and the mean latency. `score` is the
 * summary's (percent); the store bounds how many examples it keeps.
 *
 * @example
 * ```ts
 * await store.evaluations.update(id, { status: 'succeeded', ...evaluationOutcome(ordered, 87.5, ms) });
 * ```
 */
export function evaluationOutcome(
  ordered: readonly ShardResult[],
  score: number,
  durationMs: number,
): Required<Pick<EvaluationPatch, 'score' | 'counts' | 'examples' | 'durationMs'>> &
  Pick<EvaluationPatch, 'spend' | 'meanLatencyMs'> {
  const scores = ordered.flatMap((r) => r.scores);
  const outcomes = ordered.flatMap((r) => r.outcomes ?? []);
  const timed = outcomes.length === scores.length ? outcomes : undefined;
  const reasons = new Map<number, string>();
  let offset = 0;
  for (const r of ordered) {
    for (const f of r.failures ?? []) reasons.set(offset + f.index, f.reason);
    offset += r.scores.length;
  }
  const examples = scores.map((value, index): EvaluationExample => {
    const error = reasons.get(index);
    const o = timed?.[index];
    return {
      index,
      score: value,
      ...(error === undefined ? {} : { error }),
      ...(o === undefined ? {} : { cost: o.cost, latencyMs: o.latencyMs }),
    };
  });
  const spent = ordered.flatMap((r) => (r.spend === undefined ? [] : [r.spend]));
  const spend =
    spent.length === 0
      ? undefined
      : {
          lmCalls: spent.reduce((s, x) => s + x.lmCalls, 0),
          promptTokens: spent.reduce((s, x) => s + x.promptTokens, 0),
          completionTokens: spent.reduce((s, x) => s + x.completionTokens, 0),
          usd: spent.reduce((s, x) => s + x.usd, 0),
        };
  return {
    score,
    counts: { total: scores.length, errors: ordered.reduce((s, r) => s + r.errors, 0) },
    examples,
    durationMs,
    ...(spend === undefined ? {} : { spend }),
    ...(timed === undefined || timed.length === 0
      ? {}
      : { meanLatencyMs: timed.reduce((s, o) => s + o.latencyMs, 0) / timed.length }),
  };
}
