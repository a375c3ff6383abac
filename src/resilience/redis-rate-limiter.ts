import type { Redis } from 'ioredis';
import { systemClock, type TimerClock as Clock } from '../time/index.js';
import {
  DEFAULT_MAX_WAIT_MS,
  type AcquireOptions,
  type RateLimiter,
  type TryAcquireResult,
} from './rate-limiter.js';
import { ResilienceError, abortedError, requireNumber } from './resilience-error.js';
import { TOKEN_BUCKET_LUA, TOKEN_BUCKET_SHA } from './redis-token-bucket-script.js';
import {
  bucketFor,
  checkCost,
  type BucketConfigSource,
  type TokenBucketConfig,
} from './token-bucket.js';
import { FifoWaitQueue } from './wait-queue.js';

/** Options of {@link RedisRateLimiter}. */
export interface RedisRateLimiterOptions {
  /** An ioredis connection (the limiter does not close it). */
  readonly redis: Redis;
  /** Bucket per key: one config for all keys, or a function of the key. Every node must agree. */
  readonly bucket: BucketConfigSource;
  /** Prefix of the bucket keys in Redis. Default `dspex:ratelimit:`. */
  readonly keyPrefix?: string;
  /** Longest wait `acquire` accepts before rejecting with `rate_limit_wait_exceeded`. Default 60 000. */
  readonly maxWaitMs?: number;
  /**
   * Extra random delay added to each poll, as a fraction of the bucket's `retryInMs`, so waiters
   * on many nodes do not poll in lockstep. Default 0.1.
   */
  readonly jitter?: number;
  /** Smallest delay between polls of one key, in ms. Default 5. */
  readonly minPollMs?: number;
  /**
   * Largest delay between polls, in ms, so a refund made on another node is noticed. Default 1 000.
   */
  readonly maxPollMs?: number;
  /** Random source in [0, 1) for jitter. Default `Math.random`. */
  readonly random?: () => number;
  /** Clock for poll timers and deadlines (the bucket itself uses Redis `TIME`). */
  readonly clock?: Clock;
}

/** One answer of the bucket script. */
interface ScriptReply {
  readonly admitted: boolean;
  readonly retryInMs: number;
  readonly tokens: number;
}

/**
 * A token-bucket {@link RateLimiter} whose buckets live in Redis, so the limits hold across every
 * node sharing the Redis. Each operation is one `EVALSHA` of an atomic Lua script that refills from
 * Redis `TIME` and takes in the same step, so concurrent nodes can never both spend the same token.
 *
 * Waiting is polling: the head waiter of a key (FIFO per key within this instance) sleeps for the
 * `retryInMs` the script returned, plus jitter, then tries again. Waiters on different nodes are
 * not ordered against each other. If Redis cannot be reached the call fails closed with
 * `limiter_unavailable`.
 *
 * @example
 * ```ts
 * const tpm = new RedisRateLimiter({ redis, bucket: perMinuteBucket(150_000) });
 * await tpm.acquire('openai:gpt-4o-mini', estimatedTokens, { signal });
 * ```
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly maxWaitMs: number;
  private readonly queue: FifoWaitQueue;

  constructor(private readonly options: RedisRateLimiterOptions) {
    this.redis = options.redis;
    this.prefix = options.keyPrefix ?? 'dspex:ratelimit:';
    this.maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    requireNumber('maxWaitMs', this.maxWaitMs, 0);
    const jitter = options.jitter ?? 0.1;
    const minPollMs = options.minPollMs ?? 5;
    const maxPollMs = options.maxPollMs ?? 1000;
    requireNumber('jitter', jitter, 0);
    requireNumber('minPollMs', minPollMs, 0);
    requireNumber('maxPollMs', maxPollMs, minPollMs);
    const random = options.random ?? Math.random;
    if (typeof options.bucket !== 'function') bucketFor(options.bucket, '*');
    this.queue = new FifoWaitQueue({
      clock: options.clock ?? systemClock,
      attempt: (key, cost) => this.take(key, cost),
      giveBack: (key, cost) => this.refund(key, cost),
      pollDelay: (ms) => Math.min(maxPollMs, Math.max(minPollMs, ms * (1 + jitter * random()))),
      rejectAtDeadline: true,
      estimateWaitMs: (key, cost) => Math.ceil((cost * 1000) / this.config(key).refillPerSecond),
    });
  }

  async acquire(key: string, cost: number, options: AcquireOptions = {}): Promise<void> {
    checkCost(key, cost, this.config(key));
    const maxWaitMs = options.maxWaitMs ?? this.maxWaitMs;
    requireNumber('maxWaitMs', maxWaitMs, 0);
    if (options.signal?.aborted) throw abortedError(key, options.signal);
    return this.queue.enqueue(key, cost, { signal: options.signal, maxWaitMs });
  }

  async tryAcquire(key: string, cost: number): Promise<TryAcquireResult> {
    checkCost(key, cost, this.config(key));
    if (this.queue.has(key)) {
      // Waiters of this instance come first; tell the caller roughly when the queue drains.
      const queued = this.queue.queuedCost(key) + cost;
      return {
        ok: false,
        retryInMs: Math.ceil((queued * 1000) / this.config(key).refillPerSecond),
      };
    }
    return this.take(key, cost);
  }

  async refund(key: string, cost: number): Promise<void> {
    requireNumber('cost', cost, 0);
    await this.run(key, cost, 'refund');
    this.queue.kick(key);
  }

  async debit(key: string, cost: number): Promise<void> {
    requireNumber('cost', cost, 0);
    await this.run(key, cost, 'debit');
  }

  /** Tokens the key's shared bucket holds now (negative while in debt). For inspection and tests. */
  async available(key: string): Promise<number> {
    return (await this.run(key, 0, 'peek')).tokens;
  }

  /** The Redis key holding `key`'s bucket. */
  redisKey(key: string): string {
    return this.prefix + key;
  }

  private async take(key: string, cost: number): Promise<TryAcquireResult> {
    const reply = await this.run(key, cost, 'take');
    return reply.admitted ? { ok: true } : { ok: false, retryInMs: reply.retryInMs };
  }

  private config(key: string): TokenBucketConfig {
    return bucketFor(this.options.bucket, key);
  }

  private async run(
    key: string,
    cost: number,
    op: 'take' | 'refund' | 'debit' | 'peek',
  ): Promise<ScriptReply> {
    const { capacity, refillPerSecond } = this.config(key);
    const args = [this.redisKey(key), capacity, refillPerSecond, cost, op];
    let raw: unknown;
    try {
      try {
        raw = await this.redis.evalsha(TOKEN_BUCKET_SHA, 1, ...args);
      } catch (e) {
        // First use on this server (or after a SCRIPT FLUSH / restart): load it by sending it once.
        if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw e;
        raw = await this.redis.eval(TOKEN_BUCKET_LUA, 1, ...args);
      }
    } catch (e) {
      throw new ResilienceError('limiter_unavailable', `rate limiter backend failed for "${key}"`, {
        cause: e,
        details: { key, op },
      });
    }
    const [admitted, retryInMs, tokens] = raw as [number, number, string];
    return { admitted: admitted === 1, retryInMs, tokens: Number(tokens) };
  }
}
