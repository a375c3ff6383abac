/**
 * Chooses the LM of the examples: any OpenAI-compatible endpoint when OPENAI_BASE_URL,
 * OPENAI_API_KEY or DSPEX_MODEL is set (model from DSPEX_MODEL, default gpt-4o-mini), otherwise a
 * scripted DummyLM so the examples always run offline.
 */
import { DummyLM, openai, type DummyAnswer, type LM } from 'dspex';

export interface ExampleLm {
  lm: LM;
  /** True when the scripted DummyLM is used. */
  dummy: boolean;
  describe: string;
}

export function lmFromEnv(script: Readonly<Record<string, DummyAnswer>>): ExampleLm {
  const env = process.env;
  const configured = [env['OPENAI_BASE_URL'], env['OPENAI_API_KEY'], env['DSPEX_MODEL']].some(
    (v) => v !== undefined && v !== '',
  );
  if (configured) {
    const model = env['DSPEX_MODEL'] ?? 'gpt-4o-mini';
    const baseURL = env['OPENAI_BASE_URL'];
    return {
      lm: openai({
        model,
        apiKey: env['OPENAI_API_KEY'] ?? 'not-needed',
        ...(baseURL ? { baseURL } : {}),
      }),
      dummy: false,
      describe: `OpenAI-compatible model ${model}${baseURL ? ` at ${baseURL}` : ''}`,
    };
  }
  return {
    lm: new DummyLM(script),
    dummy: true,
    describe:
      'DummyLM (no OPENAI_BASE_URL / OPENAI_API_KEY / DSPEX_MODEL set): answers are scripted, not generated',
  };
}
