import type { LM, LMParams, LMRequest, LMResponse, LMStreamChunk } from '../lm/types.js';

/**
 * DSPy's `lm.copy(rollout_id=round, temperature=1.0)` for bootstrap rounds after the first: the
 * same model at temperature 1.0 whose requests carry `rolloutId`, so they miss the cache entries of
 * earlier rounds and sample new traces. A request's own `rolloutId` wins, as DSPy's call kwargs do.
 */
export function rolloutLm(lm: LM, rolloutId: number, temperature = 1.0): LM {
  const inner = lm.copy({ temperature });
  const withRollout = (request: LMRequest): LMRequest => ({ rolloutId, ...request });
  const wrapper: LM & { supportsStructuredOutputs?: boolean } = {
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
  // Keep the capability flag the JSON adapter reads defensively.
  const flag = (inner as { supportsStructuredOutputs?: unknown }).supportsStructuredOutputs;
  if (typeof flag === 'boolean') wrapper.supportsStructuredOutputs = flag;
  return wrapper;
}
