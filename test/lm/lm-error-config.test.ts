import { afterEach, describe, expect, it } from 'vitest';
import { DspexError } from '../../src/errors/index.js';
import type { MemoryCache } from '../../src/lm/index.js';
import {
  configureCache,
  DEFAULT_PRICES,
  DummyLM,
  getDefaultCache,
  isLMError,
  LMError,
  setPriceTable,
  type LMErrorCode,
} from '../../src/lm/index.js';

describe('LMError', () => {
  it.each<[LMErrorCode, boolean]>([
    ['rate_limited', true],
    ['timeout', true],
    ['server', true],
    ['network', true],
    ['context_window_exceeded', false],
    ['auth', false],
    ['bad_request', false],
    ['parse', false],
    ['aborted', false],
  ])('%s_is_retryable_%s_by_default', (code, retryable) => {
    const e = new LMError(code, 'm', { details: { provider: 'p', status: 500, retryAfterMs: 10 } });
    expect(e).toBeInstanceOf(DspexError);
    expect(e.retryable).toBe(retryable);
    expect([e.provider, e.status, e.retryAfterMs]).toEqual(['p', 500, 10]);
    expect(isLMError(e, code)).toBe(true);
    expect(e.toJSON()).toMatchObject({ name: 'LMError', code, retryable });
  });

  it('a_provider_may_override_retryability', () => {
    expect(new LMError('server', 'm', { retryable: false }).retryable).toBe(false);
  });
});

describe('process-wide settings', () => {
  afterEach(async () => {
    await configureCache();
    setPriceTable(DEFAULT_PRICES);
  });

  it('configure_cache_can_disable_the_default_cache_for_every_lm', async () => {
    await configureCache({ enabled: false });
    expect(getDefaultCache()).toBeNull();
    const lm = new DummyLM(['a', 'b'], { cache: true });
    await lm.complete({ messages: [{ role: 'user', content: 'q' }] });
    expect((await lm.complete({ messages: [{ role: 'user', content: 'q' }] })).cached).toBe(false);
  });

  it('lms_use_the_default_cache_current_at_call_time', async () => {
    const lm = new DummyLM(['a', 'b'], { cache: true });
    await configureCache({ memoryMaxEntries: 5 });
    await lm.complete({ messages: [{ role: 'user', content: 'q' }] });
    expect((getDefaultCache() as MemoryCache).size).toBe(1);
  });

  it('the_price_table_prices_usage', async () => {
    setPriceTable({ dummy: { input: 1_000_000, output: 0 } });
    const lm = new DummyLM(['a'], { usage: { promptTokens: 3, completionTokens: 1 } });
    expect((await lm.complete({ messages: [{ role: 'user', content: 'q' }] })).usage?.cost).toBe(3);
  });
});
