import { describe, expect, it } from 'vitest';
import programs, { lmFromEnvironment } from '../../examples/programs.js';
import { Module } from '../../src/modules/index.js';

describe('examples/programs.ts', () => {
  it('default-exports qa, summarize and cot_math as Modules', () => {
    expect(Object.keys(programs).sort()).toEqual(['cot_math', 'qa', 'summarize']);
    for (const p of Object.values(programs)) expect(p).toBeInstanceOf(Module);
  });

  it.each([
    [{ OPENAI_API_KEY: 'sk-x' }, 'OpenAI-compatible model gpt-4o-mini', 'openai'],
    [
      { OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1', DSPEX_MODEL: 'llama3.2' },
      'OpenAI-compatible model llama3.2 at http://127.0.0.1:11434/v1',
      'openai',
    ],
    [{ ANTHROPIC_API_KEY: 'sk-ant-x' }, 'Anthropic model claude-3-5-haiku-latest', 'anthropic'],
    [{}, 'offline demo LM', 'dummy'],
  ])('chooses the LM from the environment %j', (env, describe, provider) => {
    const chosen = lmFromEnvironment(env);
    expect(chosen.describe).toContain(describe);
    expect(chosen.offline).toBe(provider === 'dummy');
    expect((chosen.lm as unknown as { provider: string }).provider).toBe(provider);
  });
});
