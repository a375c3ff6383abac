import { describe, expect, it } from 'vitest';
import { BULLMQ_TRANSPORT_DEFAULTS, backoffDelay } from '../../src/transport/index.js';
import {
  redisOptionsFromUrl,
  resolveBullMQOptions,
} from '../../src/transport/bullmq/bullmq-options.js';
import { normalizeEnqueueOptions } from '../../src/transport/job-options.js';

describe('backoffDelay', () => {
  it.each([
    [{ type: 'fixed' as const, delay: 300 }, [300, 300, 300]],
    [{ type: 'exponential' as const, delay: 100 }, [100, 200, 400]],
    [undefined, [0, 0, 0]],
  ])('computes_%j_for_attempts_1_to_3', (backoff, expected) => {
    expect([1, 2, 3].map((n) => backoffDelay(backoff, n))).toEqual(expected);
  });
});

describe('normalizeEnqueueOptions', () => {
  it('defaults_to_one_attempt_no_backoff_no_priority_no_delay', () => {
    expect(normalizeEnqueueOptions()).toEqual({ attempts: 1, priority: 0, delay: 0 });
  });

  it('turns_a_numeric_backoff_into_a_fixed_one', () => {
    expect(normalizeEnqueueOptions({ backoff: 50 }).backoff).toEqual({ type: 'fixed', delay: 50 });
  });

  it('names_the_offending_value_in_details', () => {
    expect(() => normalizeEnqueueOptions({ priority: 3_000_000 })).toThrow(
      expect.objectContaining({ code: 'invalid_options', details: { priority: 3_000_000 } }),
    );
  });
});

describe('BullMQ transport options', () => {
  it('tunes_stall_detection_to_recover_a_dead_nodes_job_within_5_seconds', () => {
    const { lockDuration, stalledInterval } = BULLMQ_TRANSPORT_DEFAULTS;
    expect(lockDuration + 2 * stalledInterval).toBeLessThan(5000);
    expect(resolveBullMQOptions({})).toMatchObject({
      prefix: 'dspex',
      lockDuration: 2000,
      stalledInterval: 1000,
      maxStalledCount: 2,
    });
  });

  it('rejects_a_non_positive_lock_duration', () => {
    expect(() => resolveBullMQOptions({ lockDuration: 0 })).toThrow(
      expect.objectContaining({ code: 'invalid_options' }),
    );
  });

  it('parses_redis_urls_with_credentials_db_and_tls', () => {
    expect(redisOptionsFromUrl('rediss://user:p%40ss@cache.example:6380/2')).toEqual({
      host: 'cache.example',
      port: 6380,
      db: 2,
      username: 'user',
      password: 'p@ss',
      tls: {},
    });
    expect(redisOptionsFromUrl('redis://127.0.0.1')).toEqual({
      host: '127.0.0.1',
      port: 6379,
      db: 0,
    });
    expect(() => redisOptionsFromUrl('http://x')).toThrow(
      expect.objectContaining({ code: 'invalid_options' }),
    );
  });
});
