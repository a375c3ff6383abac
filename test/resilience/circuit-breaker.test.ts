import { describe, expect, it } from 'vitest';
import {
  CircuitBreaker,
  CircuitOpenError,
  ManualClock,
  type CircuitBreakerConfig,
  type CircuitStateChange,
} from '../../src/resilience/index.js';
import { DspexError, isDspexError } from '../../src/errors/index.js';

const serverError = (): DspexError => new DspexError('server', 'HTTP 503', { retryable: true });
const badRequest = (): DspexError =>
  new DspexError('bad_request', 'HTTP 400', { retryable: false });

const CONFIG: CircuitBreakerConfig = {
  failureThreshold: 3,
  resetTimeoutMs: 10_000,
  halfOpenMaxProbes: 1,
};

function setup(config: CircuitBreakerConfig = CONFIG): {
  clock: ManualClock;
  breaker: CircuitBreaker;
  changes: CircuitStateChange[];
} {
  const clock = new ManualClock(0);
  const breaker = new CircuitBreaker({ config, clock });
  const changes: CircuitStateChange[] = [];
  breaker.subscribe((c) => changes.push(c));
  return { clock, breaker, changes };
}

const ok = (): Promise<string> => Promise.resolve('ok');
const fail = (e: unknown) => (): Promise<never> => Promise.reject(e);

async function failTimes(
  breaker: CircuitBreaker,
  key: string,
  n: number,
  e: unknown = serverError(),
): Promise<void> {
  for (let i = 0; i < n; i++) await breaker.execute(key, fail(e)).catch(() => undefined);
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('CircuitBreaker', () => {
  it('closed_stays_closed_below_the_failure_threshold', async () => {
    const { breaker } = setup();
    await failTimes(breaker, 'k', 2);
    expect(breaker.state('k')).toBe('closed');
    expect(await breaker.execute('k', ok)).toBe('ok');
  });

  it('closed_opens_after_threshold_consecutive_counted_failures', async () => {
    const { breaker, changes } = setup();
    await failTimes(breaker, 'k', 3);
    expect(breaker.state('k')).toBe('open');
    expect(changes).toEqual([{ key: 'k', from: 'closed', to: 'open', at: 0, failures: 3 }]);
  });

  it('a_success_resets_the_consecutive_failure_count', async () => {
    const { breaker } = setup();
    await failTimes(breaker, 'k', 2);
    await breaker.execute('k', ok);
    await failTimes(breaker, 'k', 2);
    expect(breaker.state('k')).toBe('closed');
  });

  it('non_retryable_errors_do_not_count_by_default', async () => {
    const { breaker } = setup();
    await failTimes(breaker, 'k', 10, badRequest());
    await failTimes(breaker, 'k', 10, new Error('plain error'));
    expect(breaker.state('k')).toBe('closed');
  });

  it('non_counting_errors_are_neutral_and_do_not_reset_the_streak', async () => {
    const { breaker } = setup();
    await failTimes(breaker, 'k', 2);
    await failTimes(breaker, 'k', 1, badRequest());
    await failTimes(breaker, 'k', 1);
    expect(breaker.state('k')).toBe('open');
  });

  it('a_custom_is_failure_predicate_decides_what_counts', async () => {
    const breaker = new CircuitBreaker({
      config: CONFIG,
      clock: new ManualClock(0),
      isFailure: (e) => isDspexError(e, 'bad_request'),
    });
    await failTimes(breaker, 'k', 3, serverError());
    expect(breaker.state('k')).toBe('closed');
    await failTimes(breaker, 'k', 3, badRequest());
    expect(breaker.state('k')).toBe('open');
  });

  it('open_rejects_at_once_with_circuit_open_and_retry_after', async () => {
    const { breaker, clock } = setup();
    await failTimes(breaker, 'k', 3);
    await clock.advance(4_000);
    let called = false;
    const e = await rejection(breaker.execute('k', async () => (called = true)));
    expect(called).toBe(false);
    expect(e).toBeInstanceOf(CircuitOpenError);
    expect(isDspexError(e, 'circuit_open')).toBe(true);
    expect(isDspexError(e) && e.retryable).toBe(true);
    expect(e instanceof CircuitOpenError && e.retryAfterMs).toBe(6_000);
  });

  it('open_half_opens_after_the_reset_timeout', async () => {
    const { breaker, clock, changes } = setup();
    await failTimes(breaker, 'k', 3);
    await clock.advance(9_999);
    expect(breaker.state('k')).toBe('open');
    await clock.advance(1);
    expect(breaker.state('k')).toBe('half_open');
    expect(changes.map((c) => `${c.from}>${c.to}@${c.at}`)).toEqual([
      'closed>open@0',
      'open>half_open@10000',
    ]);
  });

  it('half_open_admits_at_most_half_open_max_probes_at_once', async () => {
    const { breaker, clock } = setup({ ...CONFIG, halfOpenMaxProbes: 2 });
    await failTimes(breaker, 'k', 3);
    await clock.advance(10_000);
    const first = breaker.enter('k');
    breaker.enter('k');
    const e = (() => {
      try {
        breaker.enter('k');
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(isDspexError(e, 'circuit_open')).toBe(true);
    expect(isDspexError(e) && e.details['state']).toBe('half_open');
    // A neutral outcome frees the probe slot without deciding anything.
    first.release();
    expect(() => breaker.enter('k')).not.toThrow();
    expect(breaker.state('k')).toBe('half_open');
  });

  it('half_open_probe_success_closes_the_circuit', async () => {
    const { breaker, clock, changes } = setup();
    await failTimes(breaker, 'k', 3);
    await clock.advance(10_000);
    expect(await breaker.execute('k', ok)).toBe('ok');
    expect(breaker.state('k')).toBe('closed');
    expect(changes.at(-1)).toMatchObject({ from: 'half_open', to: 'closed' });
    // Closed again with a fresh streak: two failures do not re-open it.
    await failTimes(breaker, 'k', 2);
    expect(breaker.state('k')).toBe('closed');
  });

  it('half_open_probe_failure_reopens_and_restarts_the_timer', async () => {
    const { breaker, clock } = setup();
    await failTimes(breaker, 'k', 3);
    await clock.advance(12_000);
    await failTimes(breaker, 'k', 1);
    expect(breaker.state('k')).toBe('open');
    const e = await rejection(breaker.execute('k', ok));
    expect(e instanceof CircuitOpenError && e.retryAfterMs).toBe(10_000);
    await clock.advance(10_000);
    expect(breaker.state('k')).toBe('half_open');
  });

  it('outcomes_of_calls_admitted_before_a_state_change_are_ignored', async () => {
    const { breaker, clock } = setup();
    const slow = breaker.enter('k');
    await failTimes(breaker, 'k', 3);
    slow.success(); // started while closed, finished after the circuit opened
    expect(breaker.state('k')).toBe('open');
    expect(slow.current).toBe(false);
    await clock.advance(10_000);
    const probe = breaker.enter('k');
    slow.failure(serverError());
    expect(breaker.state('k')).toBe('half_open');
    probe.success();
    expect(breaker.state('k')).toBe('closed');
  });

  it('a_permit_reports_one_outcome_only', async () => {
    const { breaker } = setup();
    const permit = breaker.enter('k');
    permit.failure(serverError());
    permit.failure(serverError());
    permit.failure(serverError());
    expect(breaker.snapshot()).toEqual([
      { key: 'k', state: 'closed', consecutiveFailures: 1, probesInFlight: 0 },
    ]);
  });

  it('keys_have_independent_circuits', async () => {
    const { breaker } = setup();
    await failTimes(breaker, 'a', 3);
    expect(breaker.state('a')).toBe('open');
    expect(await breaker.execute('b', ok)).toBe('ok');
  });

  it('per_key_config', async () => {
    const breaker = new CircuitBreaker({
      clock: new ManualClock(0),
      config: (key) =>
        key.startsWith('openai:') ? { failureThreshold: 1 } : { failureThreshold: 4 },
    });
    await failTimes(breaker, 'openai:gpt-4o-mini', 1);
    await failTimes(breaker, 'gemini:flash', 3);
    expect(breaker.state('openai:gpt-4o-mini')).toBe('open');
    expect(breaker.state('gemini:flash')).toBe('closed');
  });

  it('snapshot_lists_every_key_with_its_state', async () => {
    const { breaker, clock } = setup();
    await failTimes(breaker, 'b', 3);
    await failTimes(breaker, 'a', 1);
    await clock.advance(1_000);
    expect(breaker.snapshot()).toEqual([
      { key: 'a', state: 'closed', consecutiveFailures: 1, probesInFlight: 0 },
      { key: 'b', state: 'open', consecutiveFailures: 3, probesInFlight: 0, halfOpenAt: 10_000 },
    ]);
  });

  it('unsubscribed_listeners_hear_nothing_and_a_throwing_listener_breaks_nothing', async () => {
    const { breaker } = setup();
    const heard: string[] = [];
    const off = breaker.subscribe((c) => heard.push(c.to));
    breaker.subscribe(() => {
      throw new Error('broken metrics');
    });
    off();
    await failTimes(breaker, 'k', 3);
    expect(heard).toEqual([]);
    expect(breaker.state('k')).toBe('open');
  });

  it('execute_passes_the_result_and_rethrows_the_callers_error', async () => {
    const { breaker } = setup();
    expect(await breaker.execute('k', ok)).toBe('ok');
    const err = badRequest();
    expect(await rejection(breaker.execute('k', fail(err)))).toBe(err);
  });

  it.each([
    [{ failureThreshold: 0 }, 'failureThreshold'],
    [{ resetTimeoutMs: -1 }, 'resetTimeoutMs'],
    [{ halfOpenMaxProbes: 0 }, 'halfOpenMaxProbes'],
  ])('rejects_invalid_config_%o_naming_%s', (config, field) => {
    let error: unknown;
    try {
      new CircuitBreaker({ config });
    } catch (e) {
      error = e;
    }
    expect(isDspexError(error, 'invalid_argument')).toBe(true);
    expect(isDspexError(error) && Object.keys(error.details)).toEqual([field]);
  });
});
