import { describe, expect, it } from 'vitest';
import { LMError, parseRetryAfter, resolveRetry, retryDelay } from '../../src/lm/index.js';
import { withRetries } from '../../src/lm/retry.js';

const headers = (h: Record<string, string>) => ({ get: (k: string) => h[k] ?? null });

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it.each([
    [{ 'retry-after': '3' }, 3000],
    [{ 'retry-after': '0.5' }, 500],
    [{ 'retry-after-ms': '250' }, 250],
    [{ 'retry-after-ms': '250', 'retry-after': '9' }, 250],
    [{ 'retry-after': 'Thu, 01 Jan 2026 00:00:07 GMT' }, 7000],
    [{ 'retry-after': 'Wed, 31 Dec 2025 23:59:00 GMT' }, 0],
    [{ 'retry-after': 'soon' }, undefined],
    [{ 'retry-after-ms': 'x', 'retry-after': '1' }, 1000],
    [{}, undefined],
  ])('%j gives %s ms', (h, expected) => {
    expect(parseRetryAfter(headers(h), now)).toBe(expected);
  });
});

describe('retry policy', () => {
  const err = (code: 'server' | 'rate_limited' | 'bad_request', retryAfterMs?: number) =>
    new LMError(code, 'x', { details: retryAfterMs === undefined ? {} : { retryAfterMs } });

  it('full_jitter_draws_within_the_exponential_ceiling', () => {
    const at = (r: number) =>
      resolveRetry({ random: () => r, baseDelayMs: 100, maxDelayMs: 1000, maxAttempts: 10 });
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(at(0.999999), n, err('server')))).toEqual([
      99, 199, 399, 799, 999,
    ]);
    expect(retryDelay(at(0), 3, err('server'))).toBe(0);
  });

  it('server_hint_is_used_exactly_and_too_long_hints_give_up', () => {
    const p = resolveRetry({ maxRetryAfterMs: 5000 });
    expect(retryDelay(p, 1, err('rate_limited', 4000))).toBe(4000);
    expect(retryDelay(p, 1, err('rate_limited', 6000))).toBeUndefined();
  });

  it('non_retryable_errors_and_the_last_attempt_give_up', () => {
    const p = resolveRetry({ maxAttempts: 2 });
    expect(retryDelay(p, 1, err('bad_request'))).toBeUndefined();
    expect(retryDelay(p, 2, err('server'))).toBeUndefined();
  });

  it('defaults_to_four_attempts', () => {
    expect(resolveRetry(undefined).maxAttempts).toBe(4);
  });

  it('with_retries_runs_until_success_and_reports_each_retry', async () => {
    const seen: number[] = [];
    let calls = 0;
    const policy = resolveRetry({
      sleep: () => Promise.resolve(),
      random: () => 0,
      onRetry: (i) => seen.push(i.attempt),
    });
    const v = await withRetries('p', policy, undefined, () =>
      ++calls < 3 ? Promise.reject(err('server')) : Promise.resolve('ok'),
    );
    expect(v).toBe('ok');
    expect(seen).toEqual([1, 2]);
  });

  it('errors_that_are_not_lm_errors_propagate_at_once', async () => {
    let calls = 0;
    const policy = resolveRetry({ sleep: () => Promise.resolve() });
    await expect(
      withRetries('p', policy, undefined, () => {
        calls++;
        return Promise.reject(new RangeError('bug'));
      }),
    ).rejects.toBeInstanceOf(RangeError);
    expect(calls).toBe(1);
  });

  it('a_first_attempt_that_throws_synchronously_is_a_rejection', async () => {
    const policy = resolveRetry({ sleep: () => Promise.resolve() });
    const run = withRetries('p', policy, undefined, () => {
      throw new RangeError('sync bug');
    });
    expect(run).toBeInstanceOf(Promise);
    await expect(run).rejects.toBeInstanceOf(RangeError);
  });

  it('a_single_allowed_attempt_fails_with_its_error_and_schedules_no_retry', async () => {
    const seen: number[] = [];
    let calls = 0;
    const policy = resolveRetry({ maxAttempts: 1, onRetry: (i) => seen.push(i.attempt) });
    await expect(
      withRetries('p', policy, undefined, () => {
        calls++;
        return Promise.reject(err('server'));
      }),
    ).rejects.toMatchObject({ code: 'server' });
    expect([calls, seen]).toEqual([1, []]);
  });

  it('retries_after_a_failed_first_attempt_until_a_non_retryable_error', async () => {
    const codes: ('server' | 'bad_request')[] = ['server', 'server', 'bad_request'];
    let calls = 0;
    const policy = resolveRetry({ sleep: () => Promise.resolve(), random: () => 0 });
    await expect(
      withRetries('p', policy, undefined, () => Promise.reject(err(codes[calls++] ?? 'server'))),
    ).rejects.toMatchObject({ code: 'bad_request' });
    expect(calls).toBe(3);
  });
});
