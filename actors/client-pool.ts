import type { Redis } from 'ioredis';
import { setup } from 'xstate';
import { z } from 'zod';
import type { LM } from '../src/lm/types.js';
import {
  CircuitBreaker,
  ConcurrencyLimiter,
  Guard,
  MemoryRateLimiter,
  RedisRateLimiter,
  perMinuteBucket,
  type CircuitBreakerConfig,
  type CircuitState,
  type CircuitStateChange,
  type Clock,
  type RateLimiter,
} from '../src/resilience/index.js';
import {
  PooledLM,
  poolKey,
  type PoolHandle,
  type PooledCallDefaults,
  type PooledCallReport,
} from '../services/pooled-lm.js';
import { parseMessage, replyOk } from '../services/protocol.js';

import { CLIENT_POOL } from '../services/names.js';

export { CLIENT_POOL };

/** Limits of one `provider:model` key (the runtime config's `limits` entries). */
export interface KeyLimits {
  concurrency?: number | undefined;
  rpm?: number | undefined;
  tpm?: number | undefined;
}

/** Options of {@link ClientPool}. */
export interface ClientPoolOptions {
  /** Limits by `provider:model`, or `provider:*` for every model of a provider. */
  limits?: Record<string, KeyLimits>;
  /** Circuit breaker settings (default: 5 consecutive failures, 30 s open, 1 probe). */
  breaker?: CircuitBreakerConfig;
  /** In Redis mode the rpm/tpm buckets live in Redis, so limits hold across nodes. */
  redis?: Redis;
  /** Key prefix of the Redis buckets (default `dspex:ratelimit:`). */
  redisKeyPrefix?: string;
  clock?: Clock;
  /** Options set on every pooled call that does not set them (timeout, size cap, attempts). */
  callDefaults?: PooledCallDefaults;
  /** Observer of every pooled call. */
  onCall?: (call: PooledCallReport) => void;
  /** Observer of circuit state changes. */
  onCircuitChange?: (change: CircuitStateChange) => void;
}

/** One key of {@link ClientPoolSnapshot}. */
export interface PoolKeySnapshot {
  key: string;
  inFlight: number;
  queued: number;
  limit: number | null;
  circuit: CircuitState;
  consecutiveFailures: number;
  calls: number;
  errors: number;
}

/** What `inspect()` shows of the pool. */
export interface ClientPoolSnapshot {
  keys: PoolKeySnapshot[];
}

/** Unlimited concurrency, as a finite number the limiter accepts. */
const UNLIMITED = 1_000_000;

/**
 * The pool's state (guards, breaker, limiters, counters), owned by the runtime and shared by every
 * pooled LM, so the circuit state survives a restart of the client-pool actor and calls never
 * queue behind the actor's mailbox.
 */
export class ClientPool implements PoolHandle {
  readonly breaker: CircuitBreaker;
  private readonly concurrency: ConcurrencyLimiter;
  private readonly guards = new Map<string, Guard>();
  private readonly counters = new Map<string, { calls: number; errors: number }>();
  private readonly unsubscribeBreaker: () => void;

  readonly callDefaults: PooledCallDefaults | undefined;

  constructor(private readonly options: ClientPoolOptions = {}) {
    this.callDefaults = options.callDefaults;
    this.breaker = new CircuitBreaker({
      ...(options.breaker === undefined ? {} : { config: options.breaker }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    });
    this.concurrency = new ConcurrencyLimiter({
      limit: (key) => this.limitsOf(key).concurrency ?? UNLIMITED,
    });
    this.unsubscribeBreaker = this.breaker.subscribe((c) => options.onCircuitChange?.(c));
  }

  /** The limits of a key: `provider:model`, else `provider:*`, else none. */
  limitsOf(key: string): KeyLimits {
    const limits = this.options.limits ?? {};
    const provider = key.slice(0, key.indexOf(':'));
    return limits[key] ?? limits[`${provider}:*`] ?? {};
  }

  /** Wraps `lm` so its calls go through this pool (already pooled LMs are unwrapped first). */
  lmFor(lm: LM): PooledLM {
    return new PooledLM(lm instanceof PooledLM ? lm.inner : lm, this);
  }

  guardFor(key: string): Guard {
    let guard = this.guards.get(key);
    if (guard === undefined) {
      const limits = this.limitsOf(key);
      guard = new Guard({
        breaker: this.breaker,
        concurrency: this.concurrency,
        ...(limits.rpm === undefined ? {} : { requests: this.limiter(limits.rpm, 'rpm') }),
        ...(limits.tpm === undefined ? {} : { tokens: this.limiter(limits.tpm, 'tpm') }),
      });
      this.guards.set(key, guard);
    }
    return guard;
  }

  report(call: PooledCallReport): void {
    const c = this.counters.get(call.key) ?? { calls: 0, errors: 0 };
    c.calls++;
    if (call.outcome === 'error') c.errors++;
    this.counters.set(call.key, c);
    this.options.onCall?.(call);
  }

  snapshot(): ClientPoolSnapshot {
    const slots = new Map(this.concurrency.snapshot().map((s) => [s.key, s]));
    const circuits = new Map(this.breaker.snapshot().map((s) => [s.key, s]));
    const keys = new Set([...this.counters.keys(), ...slots.keys(), ...circuits.keys()]);
    return {
      keys: [...keys].sort().map((key) => {
        const limit = this.limitsOf(key).concurrency;
        return {
          key,
          inFlight: slots.get(key)?.inFlight ?? 0,
          queued: slots.get(key)?.queued ?? 0,
          limit: limit ?? null,
          circuit: circuits.get(key)?.state ?? 'closed',
          consecutiveFailures: circuits.get(key)?.consecutiveFailures ?? 0,
          calls: this.counters.get(key)?.calls ?? 0,
          errors: this.counters.get(key)?.errors ?? 0,
        };
      }),
    };
  }

  /** Stops observing the breaker. */
  close(): void {
    this.unsubscribeBreaker();
  }

  private limiter(perMinute: number, kind: 'rpm' | 'tpm'): RateLimiter {
    const bucket = perMinuteBucket(perMinute);
    const clock = this.options.clock === undefined ? {} : { clock: this.options.clock };
    if (this.options.redis === undefined) return new MemoryRateLimiter({ bucket, ...clock });
    return new RedisRateLimiter({
      redis: this.options.redis,
      bucket,
      keyPrefix: `${this.options.redisKeyPrefix ?? 'dspex:ratelimit:'}${kind}:`,
      ...clock,
    });
  }
}

const lmSchema = z.custom<LM>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as LM).complete === 'function' &&
    typeof (v as LM).provider === 'string' &&
    typeof (v as LM).model === 'string',
  'expected an LM',
);

/** Messages of the client pool. */
export const clientPoolMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('acquire'), lm: lmSchema }),
  z.object({ type: z.literal('snapshot') }),
]);
/** A client pool message. */
export type ClientPoolMessage = z.infer<typeof clientPoolMessage>;

/**
 * The client-pool actor: hands out pooled LMs (`acquire` → a {@link PooledLM} keyed
 * `provider:model`) and answers `snapshot` (in-flight, queued, circuit state per key).
 *
 * @example
 * ```ts
 * const lm = await callActor<LM>(kernel, CLIENT_POOL, { type: 'acquire', lm: openai({ model }) });
 * ```
 */
export const clientPoolMachine = setup({
  types: { input: {} as { pool: ClientPool }, context: {} as { pool: ClientPool } },
}).createMachine({
  id: 'client-pool',
  context: ({ input }) => ({ pool: input.pool }),
  initial: 'serving',
  states: {
    serving: {
      on: {
        '*': {
          actions: ({ context, event }) => {
            const msg = parseMessage(clientPoolMessage, event, CLIENT_POOL);
            if (msg === undefined) return;
            if (msg.type === 'acquire') replyOk(event, context.pool.lmFor(msg.lm));
            else replyOk(event, context.pool.snapshot());
          },
        },
      },
    },
  },
});

export { poolKey };
