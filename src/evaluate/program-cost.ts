import { costOf, type PriceTable } from '../lm/pricing.js';
import type { Prediction } from '../modules/prediction.js';

/**
 * USD a prediction cost: the LM-reported cost of each model in its usage, or, with `prices`, its
 * tokens priced from that table (usage keys are `provider/model`; the model part is looked up).
 */
export function exampleCost(prediction: Prediction, prices?: PriceTable): number {
  let total = 0;
  for (const [key, u] of Object.entries(prediction.usage ?? {})) {
    if (prices === undefined) total += u.cost;
    else
      total +=
        costOf(key.slice(key.indexOf('/') + 1), u.promptTokens, u.completionTokens, prices) ?? 0;
  }
  return total;
}
