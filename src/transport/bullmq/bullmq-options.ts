import type { RedisOptions } from 'ioredis';
import { TransportError } from '../errors.js';

/**
 * Options of {@link BullMQTransport}. The stall settings are tuned so that a job whose node died
 * (process killed, lock no longer renewed) is picked up by another node within 5 s; BullMQ's own
 * defaults (30 s lock, 30 s check) take about 50 s (reference/runtime.md §4.2).
 *
 * Worst case from a node's death to another node taking its job ≈ `lockDuration` (the lock must
 * expire) + `stalledInterval` (the next check marks it) + `stalledInterval` (a check may have just
 * run on the dead node): 2 000 + 1 000 + 1 000 = 4 000 ms with the defaults; typical 1.7-2.8 s.
 * The cost of short locks: an event loop blocked longer than `lockDuration` loses its locks and
 * the job runs twice. Raise `lockDuration` for CPU-heavy handlers (or run them off the main thread).
 */
export interface BullMQTransportOptions {
  /** Redis URL (`redis://[user:pass@]host:port[/db]`, `rediss://` for TLS). Default `redis://127.0.0.1:6379`. */
  readonly url?: string;
  /** Extra ioredis options merged over those parsed from `url`. */
  readonly redis?: RedisOptions;
  /** BullMQ key prefix. Default `dspex` (so `new Queue('dspex-run', { prefix: 'dspex' })` feeds the same queue). */
  readonly prefix?: string;
  /** Job lock TTL in ms; renewed every `lockDuration / 2` while the handler runs. Default 2 000 (BullMQ: 30 000). */
  readonly lockDuration?: number;
  /** How often each worker looks for stalled jobs, ms. Default 1 000 (BullMQ: 30 000). */
  readonly stalledInterval?: number;
  /**
   * Stalls a job survives before it is failed ("job stalled more than allowable limit"). Default 2
   * (BullMQ: 1), so a stage survives two node deaths.
   */
  readonly maxStalledCount?: number;
  /** Upper bound of the reconnect backoff, ms (100 ms, 200 ms, … up to this). Default 1 000. */
  readonly reconnectMaxDelay?: number;
  /** How long pipeline run records live in Redis, seconds. Default 7 days. */
  readonly runTtlSeconds?: number;
}

/** The tuned defaults of {@link BullMQTransportOptions}. */
export const BULLMQ_TRANSPORT_DEFAULTS = {
  url: 'redis://127.0.0.1:6379',
  prefix: 'dspex',
  lockDuration: 2_000,
  stalledInterval: 1_000,
  maxStalledCount: 2,
  reconnectMaxDelay: 1_000,
  runTtlSeconds: 7 * 24 * 3600,
} as const;

/** Options with defaults applied and validated. */
export type ResolvedBullMQOptions = Required<Omit<BullMQTransportOptions, 'redis'>> & {
  readonly redis: RedisOptions;
};

/** Applies the defaults and rejects invalid values with `invalid_options` naming them. */
export function resolveBullMQOptions(options: BullMQTransportOptions): ResolvedBullMQOptions {
  const resolved = { ...BULLMQ_TRANSPORT_DEFAULTS, redis: {}, ...stripUndefined(options) };
  for (const key of [
    'lockDuration',
    'stalledInterval',
    'reconnectMaxDelay',
    'runTtlSeconds',
  ] as const) {
    const value = resolved[key];
    if (!Number.isInteger(value) || value <= 0) {
      throw new TransportError(
        'invalid_options',
        `${key} must be a positive integer, got ${String(value)}`,
        {
          details: { [key]: value },
        },
      );
    }
  }
  if (!Number.isInteger(resolved.maxStalledCount) || resolved.maxStalledCount < 0) {
    throw new TransportError('invalid_options', `maxStalledCount must be an integer >= 0`, {
      details: { maxStalledCount: resolved.maxStalledCount },
    });
  }
  if (resolved.prefix.length === 0) {
    throw new TransportError('invalid_options', 'prefix must not be empty', {
      details: { prefix: resolved.prefix },
    });
  }
  return resolved;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** ioredis options from a Redis URL, so BullMQ can create its own connections from them. */
export function redisOptionsFromUrl(url: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new TransportError('invalid_options', `invalid Redis URL ${JSON.stringify(url)}`, {
      cause,
      details: { url },
    });
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new TransportError('invalid_options', `Redis URL must start with redis:// or rediss://`, {
      details: { url: `${parsed.protocol}//${parsed.host}` },
    });
  }
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  return {
    host: parsed.hostname,
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    db,
    ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
