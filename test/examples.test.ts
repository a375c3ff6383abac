import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startOpenAIFixture, type LMFixture } from './fixtures/index.js';
import { runExample } from './helpers/run-example.js';

// The two offline runs are independent processes: run them side by side to halve the wall time.
describe.concurrent('examples in DummyLM mode (no env)', () => {
  it('qa.ts answers, evaluates and says it runs on DummyLM', async () => {
    const out = await runExample('qa.ts');
    expect(out).toContain('LM: DummyLM');
    expect(out).toContain('A: Paris');
    expect(out).toContain('Average Metric: 2 / 3 (66.7%)');
    expect(out).toContain('score: 66.67%  LM calls: 3');
  }, 60_000);

  it('math-cot-bootstrap.ts optimizes, saves, reloads and renders identical prompts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dspex-examples-'));
    const out = await runExample('math-cot-bootstrap.ts', { DSPEX_OUT: dir });
    expect(out).toContain('LM: DummyLM');
    expect(out).toMatch(/before: 66\.67%/);
    expect(out).toMatch(/optimized: 3 bootstrapped demos after 3 attempts/);
    expect(out).toContain('reloaded program renders identical prompts: true');
    const saved = JSON.parse(readFileSync(join(dir, 'math-cot.json'), 'utf8')) as Record<
      string,
      { demos: unknown[] }
    >;
    expect(saved['predict']?.demos).toHaveLength(4);
  }, 60_000);
});

describe('examples against an OpenAI-compatible endpoint', () => {
  let fixture: LMFixture;
  beforeAll(async () => {
    fixture = await startOpenAIFixture();
  });
  afterAll(async () => {
    await fixture.close();
  });

  // Both examples choose their LM with the same lmFromEnv, so one run covers the env path.
  it('qa.ts uses OPENAI_BASE_URL / OPENAI_API_KEY / DSPEX_MODEL', async () => {
    const env = {
      OPENAI_BASE_URL: fixture.url,
      OPENAI_API_KEY: 'test-key',
      DSPEX_MODEL: 'fixture-model',
    };
    const qa = await runExample('qa.ts', env);
    expect(qa).toContain(`LM: OpenAI-compatible model fixture-model at ${fixture.url}`);
    expect(qa).toContain('LM calls: 3');
    // 1 single question + 3 evaluated; the repeated first question is a response-cache hit.
    expect(fixture.requests).toHaveLength(3);
    expect(
      fixture.requests.every((r) => (r.body as { model?: string }).model === 'fixture-model'),
    ).toBe(true);
  }, 60_000);
});
