import { Predict } from '../../src/modules/index.js';
import { silentLogger } from '../../src/telemetry/index.js';
import { startRuntime } from '../../supervisors/runtime.js';
import type { Runtime } from '../../supervisors/runtime-types.js';
import type { LMFixture } from '../fixtures/index.js';
import { fixtureLm } from '../supervisors/runtime-helpers.js';

/**
 * An embedded runtime hosting `qa` (question → answer) on the LM fixture, with the metric `echoed`
 * (the fixture's echo answer) and the stored dataset `caps@v1`: four examples, splits train
 * (0–2) and dev (3). Shared by the tests that read datasets by name.
 */
export async function startCapsRuntime(fixture: LMFixture): Promise<Runtime> {
  const rt = await startRuntime(
    { programs: { qa: new Predict('question -> answer') }, shutdown: { drainTimeoutMs: 2000 } },
    {
      logger: silentLogger(),
      lm: fixtureLm(fixture),
      metrics: { echoed: (_ex, pred) => String(pred['answer']).startsWith('answer-') },
    },
  );
  await rt.store.datasets.add({
    name: 'caps',
    examples: [1, 2, 3, 4].map((i) => ({ question: `q${i}`, answer: `a${i}` })),
    inputKeys: ['question'],
    splits: { train: { from: 0, to: 3 }, dev: { indices: [3] } },
  });
  return rt;
}
