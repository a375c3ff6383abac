import { describe, expect, it } from 'vitest';
import { BaseLM, LMError, type ProviderResult } from '../../src/lm/index.js';
import type { LM, LMParams } from '../../src/lm/types.js';
import { ManualClock } from '../../src/resilience/index.js';
import { ClientPool } from '../../actors/index.js';
import { PooledLM } from '../../services/index.js';

/** A provider whose server is down for the first `failures` calls (a real LM on the shared pipeline). */
class OutageLM extends BaseLM {
  readonly provider = 'outage';
  calls = 0;
  constructor(private failures: number) {
    super('m1', { cache: false, retry: { maxAttempts: 1 } });
  }
  protected async send(): Promise<ProviderResult> {
    this.calls++;
    if (this.failures-- > 0) throw new LMError('server', 'HTTP 500', { details: { status: 500 } });
    return {
      choices: [{ text: 'ok', finishReason: 'stop' }],
      usage: { promptTokens: 3, completionTokens: 1 },
      model: 'm1',
    };
  }
  protected clone(_model: string, _params: LMParams): LM {
    return this;
  }
}

const ask = (lm: LM) => lm.complete({ messages: [{ role: 'user', content: 'hello there' }] });

describe('client pool', () => {
  it('opens_the_circuit_of_a_failing_key_then_half_opens_and_closes_after_a_probe', async () => {
    const clock = new ManualClock();
    const changes: string[] = [];
    const pool = new ClientPool({
      breaker: { failureThreshold: 2, resetTimeoutMs: 1000 },
      clock,
      onCircuitChange: (c) => changes.push(`${c.from}->${c.to}`),
    });
    const inner = new OutageLM(2);
    const lm = pool.lmFor(inner);
    expect(lm).toBeInstanceOf(PooledLM);
    await expect(ask(lm)).rejects.toMatchObject({ code: 'server' });
    await expect(ask(lm)).rejects.toMatchObject({ code: 'server' });
    await expect(ask(lm)).rejects.toMatchObject({ code: 'circuit_open', retryable: true });
    expect(inner.calls).toBe(2);
    expect(pool.snapshot().keys).toEqual([
      expect.objectContaining({ key: 'outage:m1', circuit: 'open', calls: 3, errors: 3 }),
    ]);
    await clock.advance(1000);
    expect((await ask(lm)).choices[0]?.text).toBe('ok');
    expect(changes).toEqual(['closed->open', 'open->half_open', 'half_open->closed']);
  });

  it('limits_concurrency_per_key_and_shows_queued_calls', async () => {
    const pool = new ClientPool({ limits: { 'outage:*': { concurrency: 1 } } });
    const lm = pool.lmFor(new OutageLM(0));
    const both = Promise.all([ask(lm), ask(lm)]);
    expect(pool.snapshot().keys[0]).toMatchObject({
      key: 'outage:m1',
      inFlight: 1,
      queued: 1,
      limit: 1,
    });
    await both;
    expect(pool.snapshot().keys[0]).toMatchObject({ inFlight: 0, queued: 0, calls: 2, errors: 0 });
  });

  it('a_pooled_lm_whose_inner_lm_throws_synchronously_rejects_counts_an_error_and_frees_its_slot', async () => {
    const pool = new ClientPool({ limits: { 'sync:*': { concurrency: 1 } } });
    const broken: LM = {
      provider: 'sync',
      model: 'm1',
      params: {},
      complete: () => {
        throw new TypeError('bug in a custom LM');
      },
    } as unknown as LM;
    const lm = pool.lmFor(broken);
    const call = ask(lm);
    expect(call).toBeInstanceOf(Promise);
    await expect(call).rejects.toThrow('bug in a custom LM');
    await expect(ask(lm)).rejects.toThrow('bug in a custom LM');
    expect(pool.snapshot().keys[0]).toMatchObject({
      key: 'sync:m1',
      inFlight: 0,
      calls: 2,
      errors: 2,
    });
  });
});
