import { describe, expect, it } from 'vitest';
import {
  CircuitBreaker,
  ConcurrencyLimiter,
  Guard,
  ManualClock,
  MemoryRateLimiter,
  type GuardCallContext,
} from '../../src/resilience/index.js';
import { DspexError, isDspexError } from '../../src/errors/index.js';

const serverError = (): DspexError => new DspexError('server', 'HTTP 503', { retryable: true });

function setup(options: { limit?: number; rpm?: number; tpm?: number; threshold?: number } = {}) {
  const clock = new ManualClock(0);
  const breaker = new CircuitBreaker({
    clock,
    config: { failureThreshold: options.threshold ?? 2, resetTimeoutMs: 10_000 },
  });
  const concurrency = new ConcurrencyLimiter({ limit: options.limit ?? 2 });
  const requests = new MemoryRateLimiter({
    clock,
    bucket: { capacity: options.rpm ?? 10, refillPerSecond: 1 },
    maxWaitMs: 5_000,
  });
  const tokens = new MemoryRateLimiter({
    clock,
    bucket: { capacity: options.tpm ?? 1_000, refillPerSecond: 100 },
    maxWaitMs: 5_000,
  });
  const guard = new Guard({ breaker, concurrency, requests, tokens });
  return { clock, breaker, concurrency, requests, tokens, guard };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('Guard', () => {
  it('runs_the_call_taking_one_request_and_the_estimated_tokens', async () => {
    const { guard, requests, tokens, concurrency } = setup();
    let inFlightDuringCall = 0;
    const result = await guard.run(
      'k',
      async () => {
        inFlightDuringCall = concurrency.inFlight('k');
        return 'answer';
      },
      { estimatedTokens: 300 },
    );
    expect(result).toBe('answer');
    expect(inFlightDuringCall).toBe(1);
    expect(concurrency.inFlight('k')).toBe(0);
    expect(requests.available('k')).toBe(9);
    expect(tokens.available('k')).toBe(700);
  });

  it('refunds_the_surplus_when_the_call_used_fewer_tokens_than_estimated', async () => {
    const { guard, tokens } = setup();
    await guard.run('k', async (ctx) => ctx.reportTokens(120), { estimatedTokens: 300 });
    expect(tokens.available('k')).toBe(880);
  });

  it('debits_the_shortfall_when_the_call_used_more_tokens_than_estimated', async () => {
    const { guard, tokens } = setup();
    await guard.run('k', async (ctx) => ctx.reportTokens(1_400), { estimatedTokens: 300 });
    expect(tokens.available('k')).toBe(-400);
    // The debt is waited out by the next caller: 400 + 100 tokens at 100/s.
    expect(tokens.tryAcquire('k', 100)).toEqual({ ok: false, retryInMs: 5_000 });
  });

  it('settles_reported_tokens_on_failure_too', async () => {
    const { guard, tokens } = setup();
    await guard
      .run(
        'k',
        async (ctx) => {
          ctx.reportTokens(0);
          throw serverError();
        },
        { estimatedTokens: 300 },
      )
      .catch(() => undefined);
    expect(tokens.available('k')).toBe(1_000);
  });

  it('counts_call_failures_on_the_breaker_and_refuses_once_open', async () => {
    const { guard, breaker, requests, concurrency } = setup();
    for (let i = 0; i < 2; i++) {
      await guard.run('k', () => Promise.reject(serverError())).catch(() => undefined);
    }
    expect(breaker.state('k')).toBe('open');
    const before = requests.available('k');
    let called = false;
    const e = await rejection(guard.run('k', async () => (called = true)));
    expect(isDspexError(e, 'circuit_open')).toBe(true);
    expect(called).toBe(false);
    // Refused before anything was taken.
    expect(requests.available('k')).toBe(before);
    expect(concurrency.inFlight('k')).toBe(0);
  });

  it('a_rate_limit_refusal_gives_everything_back_and_does_not_count_as_a_failure', async () => {
    const { guard, breaker, requests, concurrency } = setup({ tpm: 1_000, threshold: 1 });
    await guard.run('k', async () => 'x', { estimatedTokens: 1_000 });
    // 1 000 more tokens need 10 s; the call accepts 1 s.
    const e = await rejection(
      guard.run('k', async () => 'y', { estimatedTokens: 1_000, maxWaitMs: 1_000 }),
    );
    expect(isDspexError(e, 'rate_limit_wait_exceeded')).toBe(true);
    expect(requests.available('k')).toBe(9);
    expect(concurrency.inFlight('k')).toBe(0);
    expect(breaker.state('k')).toBe('closed');
    expect(breaker.snapshot()[0]?.probesInFlight).toBe(0);
  });

  it('waits_for_a_concurrency_slot_before_taking_any_budget', async () => {
    const { guard, requests, clock } = setup({ limit: 1 });
    let finishFirst: () => void = () => undefined;
    const first = guard.run('k', () => new Promise<void>((r) => (finishFirst = r)));
    await clock.advance(0);
    const second = guard.run('k', async () => 'second');
    await clock.advance(0);
    // The second call is queued for the slot and has not spent a request yet.
    expect(requests.available('k')).toBe(9);
    finishFirst();
    await first;
    expect(await second).toBe('second');
    expect(requests.available('k')).toBe(8);
  });

  it('waits_for_the_request_bucket_then_calls', async () => {
    const { guard, clock } = setup({ rpm: 1 });
    await guard.run('k', async () => 'first');
    let calledAt: number | undefined;
    const second = guard.run('k', async () => (calledAt = clock.now()));
    await clock.advance(1_000);
    await second;
    expect(calledAt).toBe(1_000);
  });

  it('aborting_while_queued_rejects_and_takes_nothing', async () => {
    const { guard, requests, tokens, clock } = setup({ rpm: 1 });
    await guard.run('k', async () => 'first');
    const ctl = new AbortController();
    const waiting = guard.run('k', async () => 'never', {
      signal: ctl.signal,
      estimatedTokens: 50,
    });
    await clock.advance(10);
    ctl.abort();
    const e = await rejection(waiting);
    expect(isDspexError(e, 'aborted')).toBe(true);
    expect(tokens.available('k')).toBe(1_000);
    await clock.advance(990);
    expect(requests.tryAcquire('k', 1)).toEqual({ ok: true });
  });

  it('a_call_queued_while_the_circuit_opened_is_refused_without_running', async () => {
    const { guard, clock, breaker } = setup({ limit: 1, threshold: 1 });
    let failFirst: (e: unknown) => void = () => undefined;
    const first = guard.run('k', () => new Promise<never>((_, reject) => (failFirst = reject)));
    await clock.advance(0);
    let called = false;
    const queued = guard.run('k', async () => (called = true));
    await clock.advance(0);
    failFirst(serverError());
    await first.catch(() => undefined);
    expect(breaker.state('k')).toBe('open');
    const e = await rejection(queued);
    expect(isDspexError(e, 'circuit_open')).toBe(true);
    expect(called).toBe(false);
  });

  it('a_half_open_probe_success_through_the_guard_closes_the_circuit', async () => {
    const { guard, clock, breaker } = setup({ threshold: 1 });
    await guard.run('k', () => Promise.reject(serverError())).catch(() => undefined);
    await clock.advance(10_000);
    expect(breaker.state('k')).toBe('half_open');
    expect(await guard.run('k', async () => 'probe')).toBe('probe');
    expect(breaker.state('k')).toBe('closed');
  });

  it('passes_the_signal_to_the_call', async () => {
    const { guard } = setup();
    const ctl = new AbortController();
    let seen: GuardCallContext['signal'];
    await guard.run('k', async (ctx) => (seen = ctx.signal), { signal: ctl.signal });
    expect(seen).toBe(ctl.signal);
  });

  it('without_rate_limits_holds_a_free_slot_and_reports_to_the_breaker_as_a_queued_call_would', async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({
      clock,
      config: { failureThreshold: 2, resetTimeoutMs: 10_000 },
    });
    const concurrency = new ConcurrencyLimiter({ limit: 1 });
    const guard = new Guard({ breaker, concurrency });
    let finishFirst: () => void = () => undefined;
    const first = guard.run('k', () => new Promise<void>((r) => (finishFirst = r)));
    expect(concurrency.inFlight('k')).toBe(1);
    // The slot is taken: the second call waits for it (the queued path) and runs after.
    const second = guard.run('k', async () => 'second');
    expect(concurrency.queued('k')).toBe(1);
    finishFirst();
    await first;
    expect(await second).toBe('second');
    expect(concurrency.inFlight('k')).toBe(0);
    // A synchronous throw and a rejection both count as failures and free the slot.
    const boom = (): Promise<never> => {
      throw serverError();
    };
    expect(isDspexError(await rejection(guard.run('k', boom)), 'server')).toBe(true);
    expect(concurrency.inFlight('k')).toBe(0);
    await guard.run('k', () => Promise.reject(serverError())).catch(() => undefined);
    expect(breaker.state('k')).toBe('open');
    const refused = await rejection(guard.run('k', async () => 'never'));
    expect(isDspexError(refused, 'circuit_open')).toBe(true);
    expect(concurrency.inFlight('k')).toBe(0);
  });

  it('works_with_only_some_parts', async () => {
    const guard = new Guard({ concurrency: new ConcurrencyLimiter({ limit: 1 }) });
    expect(await guard.run('k', async () => 42, { estimatedTokens: 10 })).toBe(42);
  });
});
