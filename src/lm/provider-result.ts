import type { LMChoice, LMStreamChunk } from './types.js';

/** What a provider returns for one call, before the pipeline adds cost, latency and caching. */
export interface ProviderResult {
  choices: LMChoice[];
  /** Normalised token counts, or null when the provider reported none. */
  usage: { promptTokens: number; completionTokens: number } | null;
  /** Model name the provider reported (may be a dated snapshot of the requested one). */
  model: string;
  raw?: unknown;
}

/** What a provider's stream yields: text/tool-call pieces, then exactly one `end`. */
export type ProviderStreamEvent =
  Exclude<LMStreamChunk, { type: 'done' }> | { type: 'end'; result: ProviderResult };
