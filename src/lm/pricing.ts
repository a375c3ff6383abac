/** USD per 1M tokens for one model. */
export interface ModelPrice {
  input: number;
  output: number;
}

/** Model name (or name prefix) → price. */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

/**
 * A small default price table: public list prices (USD per 1M input/output tokens) as published by
 * OpenAI and Anthropic in 2025, for the models most used with DSPy. Prices change: set your own with
 * {@link setPriceTable}, an LM's `prices` option, or its `pricing` (one model's price). Keys match exact model names first, then the
 * longest key that prefixes the model (so dated snapshots like `gpt-4o-mini-2024-07-18` and
 * `claude-3-5-haiku-20241022` are priced). Unpriced models get no `cost`. Anthropic prompt-cache
 * reads/writes are priced as ordinary input tokens.
 */
export const DEFAULT_PRICES: PriceTable = Object.freeze({
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'o3-mini': { input: 1.1, output: 4.4 },
  'o4-mini': { input: 1.1, output: 4.4 },
  'claude-3-haiku': { input: 0.25, output: 1.25 },
  'claude-3-5-haiku': { input: 0.8, output: 4 },
  'claude-3-5-sonnet': { input: 3, output: 15 },
  'claude-3-7-sonnet': { input: 3, output: 15 },
  'claude-sonnet-4': { input: 3, output: 15 },
  'claude-opus-4': { input: 15, output: 75 },
});

let globalPrices: PriceTable = DEFAULT_PRICES;

/** Replaces the process-wide price table (pass `{...DEFAULT_PRICES, ...yours}` to extend it). */
export function setPriceTable(table: PriceTable): void {
  globalPrices = table;
}

/** The process-wide price table. */
export function getPriceTable(): PriceTable {
  return globalPrices;
}

/** The price of `model` in `table`: exact key, else the longest key that prefixes it. */
export function priceFor(model: string, table: PriceTable = globalPrices): ModelPrice | undefined {
  const exact = table[model];
  if (exact !== undefined) return exact;
  let best: ModelPrice | undefined;
  let bestLen = 0;
  for (const key of Object.keys(table)) {
    if (key.length > bestLen && model.startsWith(key)) {
      best = table[key];
      bestLen = key.length;
    }
  }
  return best;
}

/** Cost in USD of `promptTokens` input and `completionTokens` output tokens at `price`. */
export function priceCost(
  price: ModelPrice,
  promptTokens: number,
  completionTokens: number,
): number {
  return (promptTokens * price.input + completionTokens * price.output) / 1_000_000;
}

/** Cost in USD of a call, or `undefined` when the model is unpriced. */
export function costOf(
  model: string,
  promptTokens: number,
  completionTokens: number,
  table: PriceTable = globalPrices,
): number | undefined {
  const p = priceFor(model, table);
  if (p === undefined) return undefined;
  return priceCost(p, promptTokens, completionTokens);
}
