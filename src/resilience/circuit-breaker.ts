import { systemClock, type TimerClock as Clock } from '../time/index.js';
import { CircuitOpenError, requireNumber } from './resilience-error.js';

/** The three states of a key's circuit. */
export type CircuitState = 'closed' | 'open' | 'half_open';

/** Settings of one key's breaker. */
export interface CircuitBreakerConfig {
  /** Consecutive counted failures that open a closed circuit. Default 5. */
  readonly failureThreshold?: number;
  /** Time an open circuit stays open before half-opening, in ms. Default 30 000. */
  readonly resetTimeoutMs?: number;
  /** Probe calls admitted at once while half-open. Default 1. */
  readonly halfOpenMaxProbes?: number;
}

/** Options of {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Settings for every key, or a function of the key (e.g. per provider). */
  readonly config?: CircuitBreakerConfig | ((key: string) => CircuitBreakerConfig);
  /**
   * Which errors count as failures of the protected service. Default ({@link isServiceFailure}):
   * any error with `retryable === true` (5xx, timeouts, network) except a 429 (`rate_limited`); not
   * e.g. `bad_request` or `auth`, which say nothing about the service's health. Errors that do not count are neutral: neither success nor
   * failure.
   */
  readonly isFailure?: (error: unknown) => boolean;
  /** Clock. Default {@link systemClock}. */
  readonly clock?: Clock;
}

/** A state change of one key, for metrics and inspection. */
export interface CircuitStateChange {
  readonly key: string;
  readonly from: CircuitState;
  readonly to: CircuitState;
  /** Clock time of the change. */
  readonly at: number;
  /** Consecutive counted failures when it changed. */
  readonly failures: number;
}

/** One key's circuit, as returned by {@link CircuitBreaker.snapshot}. */
export interface CircuitSnapshot {
  readonly key: string;
  readonly state: CircuitState;
  readonly consecutiveFailures: number;
  readonly probesInFlight: number;
  /** When an open circuit half-opens (clock time); absent unless open. */
  readonly halfOpenAt?: number;
}

/**
 * Admission to one call through the breaker, from {@link CircuitBreaker.enter}. Report exactly one
 * outcome; later reports are ignored.
 */
export interface CircuitPermit {
  /** The call succeeded. */
  success(): void;
  /** The call failed with `error`; it counts only if `isFailure(error)`. */
  failure(error: unknown): void;
  /** The call never reached the service (e.g. aborted while queued): neutral. */
  release(): void;
  /** False once the circuit has changed state since this permit was given. */
  readonly current: boolean;
}

interface Circuit {
  readonly config: Required<CircuitBreakerConfig>;
  state: CircuitState;
  failures: number;
  openedAt: number;
  probes: number;
  /** Bumped on every state change, so outcomes of calls admitted earlier are ignored. */
  epoch: number;
}

const DEFAULTS: Required<CircuitBreakerConfig> = {
  failureThreshold: 5,
  resetTimeoutMs: 30_000,
  halfOpenMaxProbes: 1,
};

/**
 * The default `isFailure`: errors marked retryable (the `DspexError` convention), except rate
 * limiting (`code: 'rate_limited'`, a 429): a provider that asks callers to slow down is up, and a
 * short burst of 429s must not open the circuit for everyone (the limiters and retry hints handle
 * it).
 */
export function isServiceFailure(error: unknown): boolean {
  return isRetryableError(error) && (error as { code?: unknown }).code !== 'rate_limited';
}

/** True for errors marked retryable (the `DspexError` convention). */
export function isRetryableError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { retryable?: unknown }).retryable === true
  );
}

/**
 * A circuit breaker per key. Trips on **consecutive** counted failures (not a rolling failure rate:
 * LM calls per key are few and slow, and a streak is what an outage looks like; one success resets
 * the streak).
 *
 * - closed → open after `failureThreshold` consecutive counted failures;
 * - open: calls reject at once with {@link CircuitOpenError} (`retryAfterMs` until half-open);
 * - after `resetTimeoutMs` → half-open (checked lazily on the next call or snapshot, so the breaker
 *   owns no timers), admitting `halfOpenMaxProbes` probe calls at a time;
 * - a probe success closes it; a probe counted failure re-opens it and restarts the timer.
 *
 * Outcomes of calls admitted before the latest state change are ignored: a slow call started while
 * closed cannot close a circuit that has since opened.
 *
 * @example
 * ```ts
 * const breaker = new CircuitBreaker({ config: { failureThreshold: 3, resetTimeoutMs: 15_000 } });
 * const answer = await breaker.execute('openai:gpt-4o-mini', () => lm.complete(request));
 * ```
 */
export class CircuitBreaker {
  private readonly circuits = new Map<string, Circuit>();
  private readonly listeners = new Set<(change: CircuitStateChange) => void>();
  private readonly clock: Clock;
  private readonly isFailure: (error: unknown) => boolean;

  constructor(private readonly options: CircuitBreakerOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.isFailure = options.isFailure ?? isServiceFailure;
    if (typeof options.config !== 'function') this.resolveConfig('*');
  }

  /** Runs `fn` through the key's circuit; rejects with {@link CircuitOpenError} while open. */
  async execute<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const permit = this.enter(key);
    let result: T;
    try {
      result = await fn();
    } catch (e) {
      permit.failure(e);
      throw e;
    }
    permit.success();
    return result;
  }

  /**
   * Asks to make one call: a permit, or throws {@link CircuitOpenError}. For callers that wrap more
   * than the call itself (see {@link Guard}).
   */
  enter(key: string): CircuitPermit {
    const circuit = this.advance(key);
    if (circuit.state === 'open') {
      const retryAfterMs = Math.max(
        0,
        circuit.openedAt + circuit.config.resetTimeoutMs - this.clock.now(),
      );
      throw new CircuitOpenError(key, Math.ceil(retryAfterMs), { state: 'open' });
    }
    const probe = circuit.state === 'half_open';
    if (probe) {
      if (circuit.probes >= circuit.config.halfOpenMaxProbes) {
        // If the probes in flight fail it re-opens for a full reset timeout: retry no sooner.
        throw new CircuitOpenError(key, circuit.config.resetTimeoutMs, { state: 'half_open' });
      }
      circuit.probes += 1;
    }
    return new Permit(this, key, circuit, probe);
  }

  /** The key's current state (an open circuit past its reset timeout reads as half-open). */
  state(key: string): CircuitState {
    return this.advance(key).state;
  }

  /** Every known key's circuit, sorted by key. */
  snapshot(): CircuitSnapshot[] {
    return [...this.circuits.keys()].sort().map((key) => {
      const c = this.advance(key);
      const base = {
        key,
        state: c.state,
        consecutiveFailures: c.failures,
        probesInFlight: c.probes,
      };
      return c.state === 'open'
        ? { ...base, halfOpenAt: c.openedAt + c.config.resetTimeoutMs }
        : base;
    });
  }

  /** Calls `listener` on every state change; returns the unsubscribe function. */
  subscribe(listener: (change: CircuitStateChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether `error` counts against the circuit (see {@link CircuitBreakerOptions.isFailure}). @internal */
  countsAsFailure(error: unknown): boolean {
    return this.isFailure(error);
  }

  /** A permit's call ended, counted: the circuit moves. @internal */
  settled(key: string, circuit: Circuit, outcome: 'success' | 'failure'): void {
    if (outcome === 'success') this.onSuccess(key, circuit);
    else this.onFailure(key, circuit);
  }

  private onSuccess(key: string, circuit: Circuit): void {
    circuit.failures = 0;
    if (circuit.state === 'half_open') this.transition(key, circuit, 'closed');
  }

  private onFailure(key: string, circuit: Circuit): void {
    circuit.failures += 1;
    if (circuit.state === 'half_open' || circuit.failures >= circuit.config.failureThreshold) {
      this.transition(key, circuit, 'open');
    }
  }

  private transition(key: string, circuit: Circuit, to: CircuitState): void {
    const from = circuit.state;
    circuit.state = to;
    circuit.epoch += 1;
    circuit.probes = 0;
    if (to === 'open') circuit.openedAt = this.clock.now();
    if (to === 'closed') circuit.failures = 0;
    const change = { key, from, to, at: this.clock.now(), failures: circuit.failures };
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // A broken metrics listener must not break the call path.
      }
    }
  }

  /** Gets the key's circuit, half-opening it first if its reset timeout has passed. */
  private advance(key: string): Circuit {
    let circuit = this.circuits.get(key);
    if (circuit === undefined) {
      circuit = {
        config: this.resolveConfig(key),
        state: 'closed',
        failures: 0,
        openedAt: 0,
        probes: 0,
        epoch: 0,
      };
      this.circuits.set(key, circuit);
    }
    if (
      circuit.state === 'open' &&
      this.clock.now() >= circuit.openedAt + circuit.config.resetTimeoutMs
    ) {
      this.transition(key, circuit, 'half_open');
    }
    return circuit;
  }

  private resolveConfig(key: string): Required<CircuitBreakerConfig> {
    const source = this.options.config;
    const config = { ...DEFAULTS, ...(typeof source === 'function' ? source(key) : source) };
    requireNumber('failureThreshold', config.failureThreshold, 1);
    requireNumber('resetTimeoutMs', config.resetTimeoutMs, 0);
    requireNumber('halfOpenMaxProbes', config.halfOpenMaxProbes, 1);
    return config;
  }
}

/** One call's permit: settles once, and only against the circuit epoch it was given in. */
class Permit implements CircuitPermit {
  private settled = false;
  private readonly epoch: number;

  constructor(
    private readonly breaker: CircuitBreaker,
    private readonly key: string,
    private readonly circuit: Circuit,
    private readonly probe: boolean,
  ) {
    this.epoch = circuit.epoch;
  }

  get current(): boolean {
    return this.circuit.epoch === this.epoch;
  }

  success(): void {
    this.settle('success');
  }

  failure(error: unknown): void {
    this.settle(this.breaker.countsAsFailure(error) ? 'failure' : 'neutral');
  }

  release(): void {
    this.settle('neutral');
  }

  private settle(outcome: 'success' | 'failure' | 'neutral'): void {
    if (this.settled) return;
    this.settled = true;
    const { circuit } = this;
    if (circuit.epoch !== this.epoch) return;
    if (this.probe) circuit.probes -= 1;
    if (outcome !== 'neutral') this.breaker.settled(this.key, circuit, outcome);
  }
}
