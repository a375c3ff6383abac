import { describe, expect, it } from 'vitest';
import type { RateLimiter, TokenBucketConfig } from '../../src/resilience/index.js';
import { isDspexError } from '../../src/errors/index.js';

/** One limiter under test plus the means to let bucket time pass. */
export interface LimiterHarness {
  readonly limiter: RateLimiter & { available(key: string): number | Promise<number> };
  /** Lets `ms` of bucket time pass (fake time for memory, real time for Redis). */
  elapse(ms: number): Promise<void>;
  close(): Promise<void>;
}

export type HarnessFactory = (
  bucket: TokenBucketConfig | ((key: string) => TokenBucketConfig),
  options?: { maxWaitMs?: number },
) => Promise<LimiterHarness>;

// Slow enough that the few ms between two Redis round trips refill far less than one token
// (20 tokens/s = one per 50 ms), fast enough that a refill takes tens of milliseconds.
const BUCKET = { capacity: 4, refillPerSecond: 20 };
const TOKEN_MS = 50;

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

/** The behaviour every {@link RateLimiter} must have. */
export function describeRateLimiterConformance(name: string, make: HarnessFactory): void {
  describe(`RateLimiter conformance: ${name}`, () => {
    async function withHarness(
      run: (h: LimiterHarness) => Promise<void>,
      bucket: Parameters<HarnessFactory>[0] = BUCKET,
      options?: { maxWaitMs?: number },
    ): Promise<void> {
      const h = await make(bucket, options);
      try {
        await run(h);
      } finally {
        await h.close();
      }
    }

    it('admits_a_full_burst_then_refuses_with_retry_time', () =>
      withHarness(async ({ limiter }) => {
        expect(await limiter.tryAcquire('k', 3)).toEqual({ ok: true });
        expect(await limiter.tryAcquire('k', 1)).toEqual({ ok: true });
        const refused = await limiter.tryAcquire('k', 1);
        expect(refused.ok).toBe(false);
        if (!refused.ok) {
          expect(refused.retryInMs).toBeGreaterThan(0);
          expect(refused.retryInMs).toBeLessThanOrEqual(TOKEN_MS);
        }
      }));

    it('refills_at_the_configured_rate', () =>
      withHarness(async ({ limiter, elapse }) => {
        expect(await limiter.tryAcquire('k', 4)).toEqual({ ok: true });
        await elapse(2 * TOKEN_MS + 10);
        expect(await limiter.tryAcquire('k', 2)).toEqual({ ok: true });
        expect((await limiter.tryAcquire('k', 1)).ok).toBe(false);
      }));

    it('never_holds_more_than_capacity', () =>
      withHarness(async ({ limiter, elapse }) => {
        await elapse(6 * TOKEN_MS);
        expect(await limiter.available('k')).toBeLessThanOrEqual(BUCKET.capacity);
        expect(await limiter.tryAcquire('k', 4)).toEqual({ ok: true });
        expect((await limiter.tryAcquire('k', 1)).ok).toBe(false);
      }));

    it('acquire_resolves_at_once_when_tokens_are_there', () =>
      withHarness(async ({ limiter }) => {
        await limiter.acquire('k', 4);
        expect(await limiter.available('k')).toBeLessThan(1);
      }));

    it('acquire_waits_until_the_bucket_refills', () =>
      withHarness(async ({ limiter, elapse }) => {
        await limiter.acquire('k', 4);
        let done = false;
        const waiting = limiter.acquire('k', 2).then(() => {
          done = true;
        });
        expect(done).toBe(false);
        await elapse(3 * TOKEN_MS);
        await waiting;
        expect(done).toBe(true);
      }));

    it('waiters_of_one_key_are_served_first_in_first_out', () =>
      withHarness(async ({ limiter, elapse }) => {
        await limiter.acquire('k', 4);
        const order: string[] = [];
        const big = limiter.acquire('k', 3).then(() => order.push('big'));
        // After one token's refill a cost of 1 would fit, but the big waiter came first.
        await elapse(TOKEN_MS + 10);
        const small = limiter.acquire('k', 1).then(() => order.push('small'));
        // A tryAcquire must not overtake the queue either.
        expect((await limiter.tryAcquire('k', 1)).ok).toBe(false);
        expect(order).toEqual([]);
        await elapse(4 * TOKEN_MS);
        await Promise.all([big, small]);
        expect(order).toEqual(['big', 'small']);
      }));

    it('rejects_with_rate_limit_wait_exceeded_when_the_wait_is_too_long', () =>
      withHarness(
        async ({ limiter }) => {
          await limiter.acquire('k', 4);
          const e = await rejection(limiter.acquire('k', 4));
          expect(isDspexError(e, 'rate_limit_wait_exceeded')).toBe(true);
          expect(isDspexError(e) && e.retryable).toBe(true);
          expect(isDspexError(e) && e.details['retryAfterMs']).toBeGreaterThan(TOKEN_MS);
        },
        BUCKET,
        { maxWaitMs: TOKEN_MS },
      ));

    it('a_waiter_behind_a_long_queue_is_rejected_within_its_max_wait', () =>
      withHarness(async ({ limiter, elapse }) => {
        await limiter.acquire('k', 4);
        const head = limiter.acquire('k', 4);
        // Alone it would need one token (50 ms); behind the head it needs five (250 ms).
        const behind = rejection(limiter.acquire('k', 1, { maxWaitMs: 2 * TOKEN_MS }));
        await elapse(2 * TOKEN_MS + 20);
        const e = await behind;
        expect(isDspexError(e, 'rate_limit_wait_exceeded')).toBe(true);
        await elapse(3 * TOKEN_MS);
        await head;
      }));

    it('per_call_max_wait_overrides_the_limiter_default', () =>
      withHarness(async ({ limiter }) => {
        await limiter.acquire('k', 4);
        const e = await rejection(limiter.acquire('k', 2, { maxWaitMs: 10 }));
        expect(isDspexError(e, 'rate_limit_wait_exceeded')).toBe(true);
      }));

    it('rejects_a_cost_above_capacity_as_not_retryable', () =>
      withHarness(async ({ limiter }) => {
        const e = await rejection(limiter.acquire('k', 5));
        expect(isDspexError(e, 'rate_limit_cost_exceeds_capacity')).toBe(true);
        expect(isDspexError(e) && e.retryable).toBe(false);
        const t = await rejection(Promise.resolve().then(() => limiter.tryAcquire('k', 5)));
        expect(isDspexError(t, 'rate_limit_cost_exceeds_capacity')).toBe(true);
      }));

    it('rejects_an_invalid_cost', () =>
      withHarness(async ({ limiter }) => {
        for (const cost of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
          const e = await rejection(limiter.acquire('k', cost));
          expect(isDspexError(e, 'invalid_argument')).toBe(true);
        }
      }));

    it('admits_zero_cost_even_when_empty', () =>
      withHarness(async ({ limiter }) => {
        await limiter.acquire('k', 4);
        expect(await limiter.tryAcquire('k', 0)).toEqual({ ok: true });
      }));

    it('an_already_aborted_signal_rejects_with_aborted', () =>
      withHarness(async ({ limiter }) => {
        const ctl = new AbortController();
        ctl.abort(new Error('stop'));
        const e = await rejection(limiter.acquire('k', 1, { signal: ctl.signal }));
        expect(isDspexError(e, 'aborted')).toBe(true);
        expect(await limiter.available('k')).toBeGreaterThan(3.9);
      }));

    it('aborting_a_waiter_rejects_it_and_serves_the_next', () =>
      withHarness(async ({ limiter, elapse }) => {
        await limiter.acquire('k', 4);
        const ctl = new AbortController();
        const first = limiter.acquire('k', 4, { signal: ctl.signal });
        const second = limiter.acquire('k', 1);
        ctl.abort();
        const e = await rejection(first);
        expect(isDspexError(e, 'aborted')).toBe(true);
        await elapse(2 * TOKEN_MS);
        await second;
      }));

    it('keys_have_independent_buckets', () =>
      withHarness(async ({ limiter }) => {
        expect(await limiter.tryAcquire('a', 4)).toEqual({ ok: true });
        expect(await limiter.tryAcquire('b', 4)).toEqual({ ok: true });
        expect((await limiter.tryAcquire('a', 1)).ok).toBe(false);
      }));

    it('per_key_bucket_config', () =>
      withHarness(
        async ({ limiter }) => {
          expect(await limiter.tryAcquire('big', 10)).toEqual({ ok: true });
          const e = await rejection(Promise.resolve().then(() => limiter.tryAcquire('small', 10)));
          expect(isDspexError(e, 'rate_limit_cost_exceeds_capacity')).toBe(true);
        },
        (key) => (key === 'big' ? { capacity: 10, refillPerSecond: 20 } : BUCKET),
      ));

    it('refund_returns_tokens_up_to_capacity', () =>
      withHarness(async ({ limiter }) => {
        await limiter.acquire('k', 4);
        await limiter.refund?.('k', 2);
        expect(await limiter.tryAcquire('k', 2)).toEqual({ ok: true });
        await limiter.refund?.('k', 100);
        expect(await limiter.available('k')).toBeLessThanOrEqual(BUCKET.capacity);
        expect(await limiter.tryAcquire('k', 4)).toEqual({ ok: true });
        expect((await limiter.tryAcquire('k', 1)).ok).toBe(false);
      }));

    it('refund_wakes_a_waiter', () =>
      withHarness(
        async ({ limiter }) => {
          await limiter.acquire('k', 4);
          let done = false;
          const waiting = limiter.acquire('k', 4).then(() => (done = true));
          await Promise.resolve();
          expect(done).toBe(false);
          await limiter.refund?.('k', 4);
          await waiting;
        },
        { capacity: 4, refillPerSecond: 0.01 },
        { maxWaitMs: 1_000_000 },
      ));

    it('debit_puts_the_bucket_in_debt_that_later_calls_wait_out', () =>
      withHarness(async ({ limiter }) => {
        await limiter.debit?.('k', 6);
        expect(await limiter.available('k')).toBeLessThan(-1.5);
        const refused = await limiter.tryAcquire('k', 1);
        expect(refused.ok).toBe(false);
        if (!refused.ok) expect(refused.retryInMs).toBeGreaterThan(2 * TOKEN_MS);
      }));
  });
}
