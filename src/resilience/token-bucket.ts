import { RateLimitError, requireNumber } from './resilience-error.js';

/**
 * A token bucket: holds at most `capacity` tokens and gains `refillPerSecond` tokens per second.
 * A call of cost `c` passes when the bucket holds at least `c` tokens, and takes them. Over any
 * interval of `t` seconds it therefore admits at most `capacity + refillPerSecond · t` cost.
 */
export interface TokenBucketConfig {
  /** Largest burst, in cost units (requests or LM tokens). */
  readonly capacity: number;
  /** Tokens regained per second (> 0). */
  readonly refillPerSecond: number;
}

/** Options of {@link perMinuteBucket}. */
export interface PerMinuteBucketOptions {
  /**
   * Largest burst. Default: the whole per-minute budget, so a cold bucket may spend a minute's
   * budget at once, as providers allow. Set lower to spread calls evenly.
   */
  readonly burst?: number;
}

/**
 * The bucket for a provider's per-minute limit (rpm, tpm): refills `budget / 60` per second.
 *
 * @example
 * ```ts
 * perMinuteBucket(500);                 // { capacity: 500, refillPerSecond: 8.33… }
 * perMinuteBucket(150_000, { burst: 20_000 });
 * ```
 */
export function perMinuteBucket(
  budgetPerMinute: number,
  options: PerMinuteBucketOptions = {},
): TokenBucketConfig {
  const config = {
    capacity: options.burst ?? budgetPerMinute,
    refillPerSecond: budgetPerMinute / 60,
  };
  validateBucketConfig(config);
  return config;
}

/** Throws `invalid_argument` naming the bad field unless capacity > 0 and refill > 0. */
export function validateBucketConfig(config: TokenBucketConfig): void {
  requireNumber('capacity', config.capacity, 0, true);
  requireNumber('refillPerSecond', config.refillPerSecond, 0, true);
}

/** A bucket config for every key, or one per key (e.g. per provider and model). */
export type BucketConfigSource = TokenBucketConfig | ((key: string) => TokenBucketConfig);

/** Resolves a {@link BucketConfigSource} for a key, validated. @internal */
export function bucketFor(source: BucketConfigSource, key: string): TokenBucketConfig {
  const config = typeof source === 'function' ? source(key) : source;
  validateBucketConfig(config);
  return config;
}

/**
 * Validates a cost: finite, ≥ 0 and ≤ capacity (a larger one could never pass).
 * @internal
 */
export function checkCost(key: string, cost: number, config: TokenBucketConfig): void {
  requireNumber('cost', cost, 0);
  if (cost > config.capacity) {
    throw new RateLimitError(
      'rate_limit_cost_exceeds_capacity',
      `cost ${cost} for "${key}" exceeds the bucket capacity ${config.capacity}`,
      { details: { key, cost, capacity: config.capacity } },
    );
  }
}

/**
 * Slack for floating-point refill arithmetic: a bucket short by less than this counts as full
 * enough, so a timer set for the computed refill time never finds it a hair short.
 * @internal
 */
export const TOKEN_EPSILON = 1e-9;

/** Milliseconds (fractional, exact) until a bucket holding `tokens` holds `needed`. @internal */
export function msUntil(tokens: number, needed: number, config: TokenBucketConfig): number {
  const deficit = needed - tokens;
  if (deficit <= TOKEN_EPSILON) return 0;
  return (deficit * 1000) / config.refillPerSecond;
}

/** Creates the `RateLimitError` for a wait that would exceed `maxWaitMs`. @internal */
export function waitExceededError(
  key: string,
  cost: number,
  retryAfterMs: number,
  maxWaitMs: number,
): RateLimitError {
  return new RateLimitError(
    'rate_limit_wait_exceeded',
    `rate limit for "${key}": cost ${cost} would wait ${retryAfterMs} ms, over maxWaitMs ${maxWaitMs}`,
    { details: { key, cost, retryAfterMs, maxWaitMs } },
  );
}
