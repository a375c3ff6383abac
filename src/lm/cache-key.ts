import { createHash } from 'node:crypto';
import type { LMRequest } from './types.js';

/**
 * JSON with object keys sorted at every level and `undefined` members dropped, so two requests that
 * differ only in key order hash the same (DSPy's `json.dumps(sort_keys=True)`).
 */
export function canonicalJSON(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const s = JSON.stringify(value);
    return s === undefined ? 'null' : s;
  }
  if (Array.isArray(value)) {
    return '[' + value.map((v) => (v === undefined ? 'null' : canonicalJSON(v))).join(',') + ']';
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined || typeof v === 'function') continue;
    out += (first ? '' : ',') + JSON.stringify(k) + ':' + canonicalJSON(v);
    first = false;
  }
  return out + '}';
}

/**
 * The request fields that identify a response. Credentials and the base URL are not part of a
 * request at all (they live on the LM), and the call-control fields (`signal`, `timeoutMs`,
 * `cache`) are excluded, so the same prompt hits the cache from any account or endpoint; `rolloutId`
 * is included so deliberate resamples get their own entries.
 */
export function cacheKeyMaterial(
  provider: string,
  model: string,
  request: LMRequest,
): Record<string, unknown> {
  return {
    provider,
    model,
    messages: request.messages,
    temperature: request.temperature,
    maxTokens: request.maxTokens,
    topP: request.topP,
    n: request.n,
    stop: request.stop,
    seed: request.seed,
    reasoningEffort: request.reasoningEffort,
    tools: request.tools,
    toolChoice: request.toolChoice,
    responseFormat: request.responseFormat,
    extra: request.extra,
    rolloutId: request.rolloutId,
  };
}

/**
 * SHA-256 (hex) of the canonical JSON of a request with the LM's default params already merged in.
 *
 * @example
 * ```ts
 * requestCacheKey('openai', 'gpt-4o-mini', { messages: [{ role: 'user', content: 'hi' }] });
 * ```
 */
export function requestCacheKey(provider: string, model: string, request: LMRequest): string {
  return createHash('sha256')
    .update(canonicalJSON(cacheKeyMaterial(provider, model, request)))
    .digest('hex');
}
