import { afterEach, beforeEach, describe } from 'vitest';
import type {
  ConformanceContext,
  ConformanceOptions,
  StoreHarness,
} from './conformance/context.js';
import {
  describeDatasetConformance,
  describeDatasetVersioningConformance,
} from './conformance/datasets.js';
import { describeEvaluationConformance } from './conformance/evaluations.js';
import { describeExecutionConformance } from './conformance/executions.js';
import { describeLifecyclePropertyConformance } from './conformance/lifecycle-properties.js';
import { describeListingConformance } from './conformance/listing.js';
import { describeConcurrencyConformance } from './conformance/optimistic-concurrency.js';
import { describeOptimizationRunConformance } from './conformance/optimization-runs.js';
import { describeProgramConformance } from './conformance/programs.js';
import { describeRecordOnceConformance } from './conformance/record-once.js';
import { describeVariableConformance } from './conformance/variables.js';

export { expectStoreError } from './conformance/context.js';
export type { ConformanceOptions, StoreHarness } from './conformance/context.js';

/**
 * The one behavioural contract of `Store`: every implementation runs this suite unchanged.
 * `open` must return an empty store whose clock is the harness clock and whose ids come from
 * `sequentialIds()` (so ids sort in creation order). Sections live in `./conformance/`.
 */
export function describeStoreConformance(
  name: string,
  open: () => Promise<StoreHarness>,
  options: ConformanceOptions,
): void {
  describe(`Store conformance: ${name}`, () => {
    let harness: StoreHarness | undefined;
    const current = (): StoreHarness => {
      if (harness === undefined) throw new Error('store harness used outside a test');
      return harness;
    };
    const ctx: ConformanceContext = {
      get store() {
        return current().store;
      },
      get clock() {
        return current().clock;
      },
      peer: () => current().peer(),
    };

    beforeEach(async () => {
      harness = await open();
    });
    afterEach(async () => {
      await harness?.close();
      harness = undefined;
    });

    describeProgramConformance(ctx);
    describeExecutionConformance(ctx);
    describeRecordOnceConformance(ctx);
    describeListingConformance(ctx);
    describeConcurrencyConformance(ctx);
    describeOptimizationRunConformance(ctx);
    describeEvaluationConformance(ctx);
    describeDatasetConformance(ctx);
    describeDatasetVersioningConformance(ctx);
    describeVariableConformance(ctx);
    describeLifecyclePropertyConformance(ctx, options);
  });
}
