import type { LM, LMParams, LMRequest, LMResponse, LMStreamChunk } from '../lm/types.js';

/** LM capability flags the adapters read (structured outputs, native reasoning, tool calls). */
const CAPABILITY_FLAGS = [
  'supportsStructuredOutputs',
  'supportsReasoning',
  'supportsFunctionCalling',
] as const;

/**
 * DSPy's `lm.copy(rollout_id=id, temperature=1.0)`: the same model at `temperature` whose requests
 * carry `rolloutId`, so each rollout misses the cache entries of the others and samples anew. A
 * request's own `rolloutId` wins, as DSPy's call kwargs do. Used by BestOfN, Refine and the
 * bootstrap optimizers.
 *
 * @example
 * ```ts
 * const sampler = rolloutLm(lm, 2); // temperature 1.0, rolloutId 2 on every request
 * ```
 */
export function rolloutLm(lm: LM, rolloutId: number, temperature = 1.0): LM {
  const inner = lm.copy({ temperature });
  const withRollout = (request: LMRequest): LMRequest => ({ rolloutId, ...request });
  const wrapper: LM & Partial<Record<(typeof CAPABILITY_FLAGS)[number], boolean>> = {
    provider: inner.provider,
    model: inner.model,
    params: inner.params,
    complete: (request: LMRequest): Promise<LMResponse> => inner.complete(withRollout(request)),
    stream: (request: LMRequest): AsyncIterable<LMStreamChunk> =>
      inner.stream(withRollout(request)),
    copy: (overrides: Partial<LMParams> & { model?: string }): LM =>
      rolloutLm(inner.copy(overrides), rolloutId, overrides.temperature ?? temperature),
    dumpState: () => inner.dumpState(),
  };
  // Keep the capability flags the adapters read defensively.
  for (const name of CAPABILITY_FLAGS) {
    const flag: unknown = (inner as unknown as Record<string, unknown>)[name];
    if (typeof flag === 'boolean') wrapper[name] = flag;
  }
  return wrapper;
}
