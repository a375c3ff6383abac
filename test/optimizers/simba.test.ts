import { describe, expect, it } from 'vitest';

import { context } from '../../src/modules/settings.js';
import { OptimizerError } from '../../src/optimizers/optimizer-error.js';
import { SIMBA, type SimbaCheckpoint } from '../../src/optimizers/simba.js';
import { HintThenAnswer, adviceLm, item, stateOf, worldLm, worldMetric } from './simba-world.js';

const quiet = { warn: () => undefined };
const trainset = Array.from({ length: 10 }, (_, n) => item(n));
const shape = { bsize: 4, numCandidates: 3, maxSteps: 4, maxDemos: 2 };

function run(simba: SIMBA, resumeFrom?: SimbaCheckpoint) {
  return context({ lm: worldLm(), logger: quiet }, () =>
    simba.optimize(new HintThenAnswer(), {
      trainset,
      seed: 0,
      ...(resumeFrom ? { resumeFrom } : {}),
    }),
  );
}

describe('SIMBA', () => {
  it('resuming from any step checkpoint ends with the same result as an uninterrupted run', async () => {
    const checkpoints: SimbaCheckpoint[] = [];
    const full = await run(
      new SIMBA({
        metric: worldMetric,
        ...shape,
        promptModel: adviceLm(),
        checkpoint: (c) => void checkpoints.push(JSON.parse(JSON.stringify(c)) as SimbaCheckpoint),
      }),
    );
    expect(checkpoints.map((c) => c.step)).toEqual([1, 2, 3, 4]);
    for (const checkpoint of checkpoints.slice(0, 3)) {
      const resumed = await run(
        new SIMBA({ metric: worldMetric, ...shape, promptModel: adviceLm() }),
        checkpoint,
      );
      expect(resumed.trialLogs).toEqual(full.trialLogs);
      expect(stateOf(resumed.program)).toEqual(stateOf(full.program));
      expect(resumed.candidates.map((c) => c.score)).toEqual(full.candidates.map((c) => c.score));
      expect(resumed.promptLmCalls).toBe(full.promptLmCalls);
    }
  });

  it('stops at the metric-call cap before the next step and returns the best winner so far', async () => {
    // One step costs 4 examples x 3 samples + up to 4 candidates x 4 = 28 metric calls at most.
    const result = await run(
      new SIMBA({ metric: worldMetric, ...shape, promptModel: adviceLm(), maxMetricCalls: 20 }),
    );
    expect(result.stopReason).toBe('max_metric_calls');
    expect(result.trialLogs).toHaveLength(1);
    expect(result.stats.metricCalls).toBeGreaterThanOrEqual(20);
    const best = Math.max(...result.trialLogs[0]!.candidates.map((c) => c.score));
    expect(result.candidates[0]!.score).toBe(best);
  });

  it('stops at the LM-call cap and counts prompt-model calls apart', async () => {
    const result = await run(
      new SIMBA({ metric: worldMetric, ...shape, promptModel: adviceLm(), maxLmCalls: 1 }),
    );
    expect(result.stopReason).toBe('max_lm_calls');
    expect(result.trialLogs).toHaveLength(1);
    expect(result.stats.lmCalls).toBeGreaterThan(result.promptLmCalls);
  });

  it('rejects a trainset smaller than the batch and bad options with a clear error', async () => {
    await expect(run(new SIMBA({ metric: worldMetric, bsize: 11 }))).rejects.toThrow(
      /Trainset too small: 10 < 11/,
    );
    expect(() => new SIMBA({ metric: worldMetric, numCandidates: 0 })).toThrow(OptimizerError);
    expect(() => new SIMBA({ metric: worldMetric, temperatureForSampling: 0 })).toThrow(
      /temperatureForSampling must be > 0/,
    );
  });
});
