/**
 * Programs module of the dashboard's end-to-end test (config `programs`): `qa` answers through the
 * OpenAI-compatible fixture at OPENAI_BASE_URL (official SDK), `crash` is a bug (a plain
 * TypeError), so its program worker crashes and its supervisor reports it.
 */
import { Module, Predict, configure, openai, type Prediction } from 'dspex';

configure({
  lm: openai({
    model: 'gpt-4o-mini',
    apiKey: process.env.OPENAI_API_KEY ?? 'test-key',
    baseURL: process.env.OPENAI_BASE_URL ?? 'http://127.0.0.1:9',
    cache: false,
  }),
});

/** A program with a bug: it throws a plain TypeError, not an LM failure. */
class CrashingProgram extends Module {
  async forward(): Promise<Prediction> {
    throw new TypeError('dashboard test: cannot read properties of undefined (reading "x")');
  }
}

export default {
  qa: new Predict('question -> answer'),
  crash: new CrashingProgram(),
};
