import { describe, expect, it } from 'vitest';

import { rolloutLm } from '../../src/optimizers/rollout-lm.js';
import { RuleLM } from './rule-lm.js';

describe('rolloutLm', () => {
  it('sends requests at temperature 1.0 with the rollout id, the request’s own id winning', async () => {
    const lm = new RuleLM(() => ({ answer: 'x' }));
    const rolled = rolloutLm(lm, 2);
    expect(rolled.params.temperature).toBe(1);
    await rolled.complete({ messages: [{ role: 'user', content: 'hi' }] });
    await rolled.complete({ messages: [{ role: 'user', content: 'hi' }], rolloutId: 'mine' });
    expect(lm.requests.map((r) => [r.temperature, r.rolloutId])).toEqual([
      [1, 2],
      [1, 'mine'],
    ]);
  });

  it('keeps the rollout id through copy()', async () => {
    const lm = new RuleLM(() => ({ answer: 'x' }));
    const copied = rolloutLm(lm, 3).copy({ maxTokens: 5 });
    await copied.complete({ messages: [{ role: 'user', content: 'hi' }] });
    expect(lm.requests[0]).toMatchObject({ rolloutId: 3, temperature: 1, maxTokens: 5 });
    expect(copied.model).toBe('rule');
  });
});
