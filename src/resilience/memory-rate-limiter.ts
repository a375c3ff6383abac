import { systemClock, type TimerClock as Clock } from '../time/index.js';
import {
  DEFAULT_MAX_WAIT_MS,
  type AcquireOptions,
  type RateLimiter,
  type TryAcquireResult,
} from './rate-limiter.js';
import { abortedError, requireNumber } from './resilience-error.js';
import {
  TOKEN_EPSILON,
  bucketFor,
  checkCost,
  msUntil,
  waitExceededError,
  type BucketConfigSource,
  type TokenBucketConfig,
} from './token-bucket.js';
import { FifoWaitQueue } from './wait-queue.js';

/** Options of {@link MemoryRateLimiter}. */
export interface MemoryRateLimiterOptions {
  /** Bucket per key: one config for all keys, or a function of the key. */
  readonly bucket: BucketConfigSource;
  /** Longest wait `acquire` accepts before rejecting with `rate_limit_wait_exceeded`. Default 60 000. */
  readonly maxWaitMs?: number;
  /** Clock and timers. Default {@link systemClock}; tests pass a {@link ManualClock}. */
  readonly clock?: Clock;
}

interface Bucket {
  readonly config: TokenBucketConfig;
  tokens: number;
  updatedAt: number;
}

/**
 * A token-bucket {@link RateLimiter} inside one process. Buckets refill lazily from the clock (no
 * background timers); a waiter sleeps exactly until its tokens have accrued. Because the whole
 * queue is known, `acquire` predicts the wait on entry and rejects at once when it would exceed
 * `maxWaitMs`.
 *
 * @example
 * ```ts
 * const rpm = new MemoryRateLimiter({ bucket: perMinuteBucket(500) });
 * await rpm.acquire('openai:gpt-4o-mini', 1);
 * ```
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly clock: Clock;
  private readonly maxWaitMs: number;
  private readonly queue: FifoWaitQueue;

  constructor(private readonly options: MemoryRateLimiterOptions) {
    this.clock = options.clock ?? systemClock;
    this.maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    requireNumber('maxWaitMs', this.maxWaitMs, 0);
    if (typeof options.bucket !== 'function') bucketFor(options.bucket, '*');
    this.queue = new FifoWaitQueue({
      clock: this.clock,
      attempt: (key, cost) => this.take(key, cost),
      giveBack: (key, cost) => this.refund(key, cost),
      pollDelay: (ms) => ms,
      rejectAtDeadline: false,
      estimateWaitMs: (key, cost) =>
        Math.ceil(msUntil(this.refill(key).tokens, cost, this.bucket(key).config)),
    });
  }

  acquire(key: string, cost: number, options: AcquireOptions = {}): Promise<void> {
    try {
      const bucket = this.bucket(key);
      checkCost(key, cost, bucket.config);
      const maxWaitMs = options.maxWaitMs ?? this.maxWaitMs;
      if (options.signal?.aborted) throw abortedError(key, options.signal);
      if (!this.queue.has(key) && this.take(key, cost).ok) return Promise.resolve();
      const waitMs = msUntil(
        this.refill(key).tokens,
        this.queue.queuedCost(key) + cost,
        bucket.config,
      );
      if (waitMs > maxWaitMs) throw waitExceededError(key, cost, Math.ceil(waitMs), maxWaitMs);
      return this.queue.enqueue(key, cost, { signal: options.signal, maxWaitMs });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  tryAcquire(key: string, cost: number): TryAcquireResult {
    const bucket = this.bucket(key);
    checkCost(key, cost, bucket.config);
    if (this.queue.has(key)) {
      const waitMs = msUntil(
        this.refill(key).tokens,
        this.queue.queuedCost(key) + cost,
        bucket.config,
      );
      return { ok: false, retryInMs: Math.ceil(waitMs) };
    }
    const result = this.take(key, cost);
    return result.ok ? result : { ok: false, retryInMs: Math.ceil(result.retryInMs) };
  }

  refund(key: string, cost: number): void {
    requireNumber('cost', cost, 0);
    const bucket = this.refill(key);
    bucket.tokens = Math.min(bucket.config.capacity, bucket.tokens + cost);
    this.queue.kick(key);
  }

  debit(key: string, cost: number): void {
    requireNumber('cost', cost, 0);
    this.refill(key).tokens -= cost;
  }

  /** Tokens the key's bucket holds now (negative while in debt). For inspection and tests. */
  available(key: string): number {
    return this.refill(key).tokens;
  }

  /** Takes from the bucket if it holds enough, ignoring the queue; the refusal carries exact ms. */
  private take(key: string, cost: number): TryAcquireResult {
    const bucket = this.refill(key);
    if (bucket.tokens + TOKEN_EPSILON >= cost) {
      bucket.tokens -= cost;
      return { ok: true };
    }
    return { ok: false, retryInMs: msUntil(bucket.tokens, cost, bucket.config) };
  }

  private bucket(key: string): Bucket {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      const config = bucketFor(this.options.bucket, key);
      bucket = { config, tokens: config.capacity, updatedAt: this.clock.now() };
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  private refill(key: string): Bucket {
    const bucket = this.bucket(key);
    const now = this.clock.now();
    const elapsed = now - bucket.updatedAt;
    if (elapsed > 0) {
      const { capacity, refillPerSecond } = bucket.config;
      bucket.tokens = Math.min(capacity, bucket.tokens + (elapsed * refillPerSecond) / 1000);
      bucket.updatedAt = now;
    }
    return bucket;
  }
}
