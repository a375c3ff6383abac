/**
 * The example programs module of the dspex daemon (config `programs`): its default export maps
 * program names to Modules (DESIGN §5).
 *
 *   npx dspex start --config examples/dspex.config.json
 *   npx dspex run qa --input '{"question": "What is the capital of France?"}' --config examples/dspex.config.json
 *
 * The LM comes from the environment:
 * - OPENAI_API_KEY or OPENAI_BASE_URL → openai({ model: DSPEX_MODEL ?? 'gpt-4o-mini' }) — any
 *   OpenAI-compatible server works (vLLM, Ollama, llama.cpp, LM Studio: set OPENAI_BASE_URL);
 * - ANTHROPIC_API_KEY → anthropic({ model: DSPEX_MODEL ?? 'claude-3-5-haiku-latest' });
 * - nothing → an offline demo LM (DummyLM) whose answers are canned and labelled as such, so the
 *   daemon starts on a fresh machine with no key.
 */
import {
  ChainOfThought,
  DummyLM,
  Predict,
  anthropic,
  configure,
  openai,
  signature,
  type LM,
} from 'dspex';

/** Prefix of every answer of the offline demo LM, so nobody mistakes it for a model's. */
export const OFFLINE_LABEL =
  '[offline demo LM: set OPENAI_API_KEY, OPENAI_BASE_URL or ANTHROPIC_API_KEY]';

/** The LM chosen from the environment, and a line saying which. */
export function lmFromEnvironment(env: NodeJS.ProcessEnv = process.env): {
  lm: LM;
  describe: string;
  offline: boolean;
} {
  const model = env.DSPEX_MODEL || undefined;
  if (env.OPENAI_API_KEY || env.OPENAI_BASE_URL) {
    const baseURL = env.OPENAI_BASE_URL || undefined;
    const name = model ?? 'gpt-4o-mini';
    return {
      // A local OpenAI-compatible server usually needs no key, but the SDK insists on one.
      lm: openai({
        model: name,
        apiKey: env.OPENAI_API_KEY || 'not-needed',
        ...(baseURL ? { baseURL } : {}),
      }),
      describe: `OpenAI-compatible model ${name}${baseURL ? ` at ${baseURL}` : ''}`,
      offline: false,
    };
  }
  if (env.ANTHROPIC_API_KEY) {
    const name = model ?? 'claude-3-5-haiku-latest';
    return { lm: anthropic({ model: name }), describe: `Anthropic model ${name}`, offline: false };
  }
  // Keyed by the output-field instruction of the ChatAdapter prompt, so each program gets answers
  // of its own shape; the first key found in the prompt wins, so the optimizers' proposer and
  // feedback signatures (MIPROv2, COPRO, SIMBA) come first, then ChainOfThought's. With these, every
  // optimizer `dspex optimize -o …` names runs offline end to end (its proposals are labelled too).
  const lm = new DummyLM(
    {
      '`[[ ## proposed_instruction ## ]]`': {
        proposed_instruction: `${OFFLINE_LABEL} no instruction was proposed.`,
        proposed_prefix_for_output_field: 'Answer:',
      },
      '`[[ ## observations ## ]]`': { observations: `${OFFLINE_LABEL} nothing was observed.` },
      '`[[ ## program_description ## ]]`': {
        program_description: `${OFFLINE_LABEL} the program was not described.`,
      },
      '`[[ ## module_description ## ]]`': {
        module_description: `${OFFLINE_LABEL} the module was not described.`,
      },
      '`[[ ## discussion ## ]]`': {
        discussion: `${OFFLINE_LABEL} no trajectories were compared.`,
        module_advice: {},
      },
      '`[[ ## reasoning ## ]]`': {
        reasoning: `${OFFLINE_LABEL} no reasoning was done.`,
        answer: 0,
      },
      '`[[ ## summary ## ]]`': { summary: `${OFFLINE_LABEL} no summary was written.` },
      '`[[ ## answer ## ]]`': { answer: `${OFFLINE_LABEL} no answer was generated.` },
    },
    { model: 'offline-demo' },
  );
  return {
    lm,
    describe:
      'offline demo LM (canned answers; no OPENAI_API_KEY, OPENAI_BASE_URL or ANTHROPIC_API_KEY set)',
    offline: true,
  };
}

const chosen = lmFromEnvironment();
configure({ lm: chosen.lm });
// stderr: the daemon's stdout carries its banner, and `dspex run` prints only the outputs there.
process.stderr.write(`examples/programs.ts: LM = ${chosen.describe}\n`);

export default {
  qa: new Predict('question -> answer'),
  summarize: new Predict(
    signature('document -> summary', 'Summarize the document in one or two sentences.'),
  ),
  cot_math: new ChainOfThought('question -> answer: float'),
};
