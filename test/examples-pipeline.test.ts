import { describe, expect, it } from 'vitest';
import { runExample } from './helpers/run-example.js';

describe('the pipeline example in DummyLM mode (no env)', () => {
  it('triage-pipeline.ts falls back to the larger model and draws the stage graph', async () => {
    const out = await runExample('triage-pipeline.ts');
    expect(out).toContain('LM: DummyLM');
    expect(out).toContain('category: bug (confidence 0.92)');
    expect(out).toContain('reply: Sorry about the crash: a fix ships this week.');
    expect(out).toContain(
      'predictors: classify.attempts[0].module, classify.attempts[1].module, reply',
    );
    expect(out).toContain('n4 -.->|on failure| n5');
  }, 60_000);
});
