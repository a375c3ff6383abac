import { describe, expect, it } from 'vitest';
import { ManualClock, MemoryRateLimiter, perMinuteBucket } from '../../src/resilience/index.js';
import { isDspexError } from '../../src/errors/index.js';
import { describeRateLimiterConformance } from './rate-limiter-conformance.js';

describeRateLimiterConformance('MemoryRateLimiter (fake clock)', async (bucket, options = {}) => {
  const clock = new ManualClock(1_000);
  const limiter = new MemoryRateLimiter({ bucket, clock, ...options });
  return { limiter, elapse: (ms) => clock.advance(ms), close: async () => undefined };
});

describe('MemoryRateLimiter', () => {
  it('wakes_a_waiter_exactly_when_its_tokens_have_accrued', async () => {
    const clock = new ManualClock(0);
    const limiter = new MemoryRateLimiter({ bucket: { capacity: 10, refillPerSecond: 10 }, clock });
    await limiter.acquire('k', 10);
    let admittedAt: number | undefined;
    const waiting = limiter.acquire('k', 5).then(() => (admittedAt = clock.now()));
    await clock.advance(499);
    expect(admittedAt).toBeUndefined();
    await clock.advance(1);
    await waiting;
    expect(admittedAt).toBe(500);
  });

  it('predicts_the_queue_wait_and_rejects_on_entry', async () => {
    const clock = new ManualClock(0);
    const limiter = new MemoryRateLimiter({
      bucket: { capacity: 10, refillPerSecond: 10 },
      clock,
      maxWaitMs: 1_000,
    });
    await limiter.acquire('k', 10);
    const first = limiter.acquire('k', 8); // ready at 800 ms
    let error: unknown;
    // 8 queued + 3 = 11 tokens = 1 100 ms > 1 000 ms, though alone it would wait only 300 ms.
    await limiter.acquire('k', 3).catch((e: unknown) => (error = e));
    expect(isDspexError(error, 'rate_limit_wait_exceeded')).toBe(true);
    expect(isDspexError(error) && error.details['retryAfterMs']).toBe(1_100);
    await clock.advance(800);
    await first;
  });

  it('per_minute_bucket_spends_a_minute_budget_as_a_burst_then_budget_over_sixty_per_second', async () => {
    const clock = new ManualClock(0);
    const limiter = new MemoryRateLimiter({ bucket: perMinuteBucket(600), clock });
    expect(limiter.tryAcquire('k', 600)).toEqual({ ok: true });
    expect(limiter.tryAcquire('k', 1)).toEqual({ ok: false, retryInMs: 100 });
    await clock.advance(1_000);
    expect(limiter.tryAcquire('k', 10)).toEqual({ ok: true });
    expect(limiter.tryAcquire('k', 1).ok).toBe(false);
  });

  it('per_minute_bucket_burst_option_caps_the_burst', () => {
    const limiter = new MemoryRateLimiter({
      bucket: perMinuteBucket(600, { burst: 20 }),
      clock: new ManualClock(0),
    });
    expect(limiter.tryAcquire('k', 20)).toEqual({ ok: true });
    expect(limiter.tryAcquire('k', 1).ok).toBe(false);
  });

  it('rejects_an_invalid_bucket_config_naming_the_field', () => {
    let error: unknown;
    try {
      new MemoryRateLimiter({ bucket: { capacity: 10, refillPerSecond: 0 } });
    } catch (e) {
      error = e;
    }
    expect(isDspexError(error, 'invalid_argument')).toBe(true);
    expect(isDspexError(error) && error.details).toEqual({ refillPerSecond: 0 });
  });

  it('leaves_no_timer_behind_once_the_queue_is_empty', async () => {
    const clock = new ManualClock(0);
    const limiter = new MemoryRateLimiter({ bucket: { capacity: 2, refillPerSecond: 1 }, clock });
    await limiter.acquire('k', 2);
    const ctl = new AbortController();
    const waiting = limiter.acquire('k', 2, { signal: ctl.signal }).catch(() => 'aborted');
    await clock.advance(0);
    expect(clock.pendingTimers).toBe(1);
    ctl.abort();
    expect(await waiting).toBe('aborted');
    await clock.advance(0);
    expect(clock.pendingTimers).toBe(0);
  });
});
