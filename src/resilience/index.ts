export { systemClock, FakeClock as ManualClock } from '../time/index.js';
export type { TimerClock as Clock, TimerHandle } from '../time/index.js';
export { CircuitOpenError, RateLimitError, ResilienceError } from './resilience-error.js';
export type { ResilienceErrorCode } from './resilience-error.js';
export { perMinuteBucket, validateBucketConfig } from './token-bucket.js';
export type {
  BucketConfigSource,
  PerMinuteBucketOptions,
  TokenBucketConfig,
} from './token-bucket.js';
export { DEFAULT_MAX_WAIT_MS } from './rate-limiter.js';
export type { AcquireOptions, RateLimiter, TryAcquireResult } from './rate-limiter.js';
export { MemoryRateLimiter } from './memory-rate-limiter.js';
export type { MemoryRateLimiterOptions } from './memory-rate-limiter.js';
export { RedisRateLimiter } from './redis-rate-limiter.js';
export type { RedisRateLimiterOptions } from './redis-rate-limiter.js';
export { CircuitBreaker, isRetryableError, isServiceFailure } from './circuit-breaker.js';
export type {
  CircuitBreakerConfig,
  CircuitBreakerOptions,
  CircuitPermit,
  CircuitSnapshot,
  CircuitState,
  CircuitStateChange,
} from './circuit-breaker.js';
export { ConcurrencyLimiter } from './concurrency-limiter.js';
export type {
  ConcurrencyLimiterOptions,
  ConcurrencySnapshot,
  ReleaseSlot,
} from './concurrency-limiter.js';
export { Guard } from './guard.js';
export type { GuardCallContext, GuardOptions, GuardRunOptions } from './guard.js';
