import OpenAI from 'openai';
import { openai } from '../../src/lm/index.js';
import { Predict, type Prediction } from '../../src/modules/index.js';
import { qaMessages } from './prompt.js';

/** What a variant needs to build its client. */
export interface BenchContext {
  /** Base URL of the OpenAI fixture (echo mode). */
  baseURL: string;
  model: string;
}

/**
 * One way of making an LM call. `setup` builds the client once; `call(i)` makes call number `i`
 * and must throw if the answer is wrong (so a fast-but-broken variant cannot win).
 */
export interface Variant {
  name: string;
  setup(ctx: BenchContext): Promise<(i: number) => Promise<void>>;
}

function expectAnswer(text: string | null | undefined): void {
  if (text === null || text === undefined || !text.includes('[[ ## answer ## ]]')) {
    throw new Error(`unexpected completion: ${String(text).slice(0, 80)}`);
  }
}

/** The baseline: the raw `openai` SDK with the same messages and a minimal parse. */
export const sdkVariant: Variant = {
  name: 'sdk',
  setup: async ({ baseURL, model }) => {
    const client = new OpenAI({ apiKey: 'bench', baseURL, maxRetries: 0 });
    return async (i) => {
      const res = await client.chat.completions.create({
        model,
        messages: qaMessages(`question ${i}`),
      });
      expectAnswer(res.choices[0]?.message.content);
    };
  },
};

/** dspex's LM layer: `lm.complete` (retries, deadline, usage, cost, history, callbacks), cache off. */
export const lmVariant: Variant = {
  name: 'dspex-lm',
  setup: async ({ baseURL, model }) => {
    const lm = openai({ model, apiKey: 'bench', baseURL, cache: false });
    return async (i) => {
      const res = await lm.complete({ messages: qaMessages(`question ${i}`) });
      expectAnswer(res.choices[0]?.text);
    };
  },
};

/** A `Predict('question -> answer')` variant (cache off) run by `run` (`call` or `forward`). */
function predictorVariant(
  name: string,
  run: (qa: Predict, inputs: Record<string, unknown>) => Promise<Prediction>,
): Variant {
  return {
    name,
    setup: async ({ baseURL, model }) => {
      const qa = new Predict('question -> answer');
      qa.lm = openai({ model, apiKey: 'bench', baseURL, cache: false });
      return async (i) => {
        const pred = await run(qa, { question: `question ${i}` });
        if (typeof pred.get('answer') !== 'string') throw new Error('no answer parsed');
      };
    },
  };
}

/**
 * A whole prediction: `Predict('question -> answer')` formats DSPy's ChatAdapter prompt, calls the
 * LM (cache off) and parses the answer back, with usage tracking and callbacks as in production.
 */
export const predictVariant = predictorVariant('dspex-predict', (qa, inputs) => qa.call(inputs));

/**
 * The same prediction through `forward()` directly: no callbacks, no usage scope. Its gap to
 * `dspex-predict` is what `call()` adds (issue 8: `call` ≥ 0.9× the SDK, as `forward`).
 */
export const forwardVariant = predictorVariant('dspex-forward', (qa, inputs) => qa.forward(inputs));

/** The variants run, baseline first. To add one, write a `Variant` and append it here. */
export const VARIANTS: Variant[] = [sdkVariant, lmVariant, predictVariant, forwardVariant];
