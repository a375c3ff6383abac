/**
 * A simulated LM task in which every variable of issue 10 matters, served through the OpenAI wire
 * protocol by the test fixture: the program calls the real `openai` SDK, the fixture decides each
 * answer from the request (model, temperature, system message, demo turns) and reports token usage
 * from the prompt and answer lengths, so cost comes out of the LM layer's own pricing.
 *
 * Task: "What is item N?" → `code-XYZ` (a fixed 3-digit code per item). Each item has a difficulty
 * in [0, 1); a configuration answers an item right when its skill beats the difficulty (plus a
 * little configuration-specific noise, so quality is not a pure threshold) — harder items are
 * missed first, as in item-response models:
 * - model: sim-small / sim-medium / sim-large (skill 0.30 / 0.55 / 0.85; prices ×1 / ×5 / ×30;
 *   latency 4 / 10 / 25 ms per call when real delays are on);
 * - strategy: ChainOfThought adds 0.15 / 0.10 on small / medium models and costs the large one
 *   0.03, and writes a reasoning text (more output tokens, more latency);
 * - temperature: 1.0 costs 0.10 on the small model, 0.05 on the others;
 * - instructions: the careful instruction adds 0.08 (longer prompt);
 * - demos: 4 demos add 0.10 / 0.06 / 0 on small / medium / large (longer prompt).
 */
import { formatChatAnswer } from '../../src/lm/chat-format.js';
import { openai } from '../../src/lm/index.js';
import {
  ChainOfThought,
  Example,
  Module,
  Predict,
  StrategyModule,
  type Prediction,
} from '../../src/modules/index.js';
import { v, type ModelInfo } from '../../src/variables/index.js';
import type { FixtureReply } from '../fixtures/fixture-reply.js';
import type { FixtureHandler } from '../fixtures/fixture-server.js';

/** The three simulated models, priced in USD per 1M tokens. */
export const SIM_MODELS: Readonly<Record<string, ModelInfo>> = {
  'sim-small': {
    provider: 'openai',
    price: { input: 0.1, output: 0.4 },
    contextWindow: 16_000,
    capabilities: [],
  },
  'sim-medium': {
    provider: 'openai',
    price: { input: 0.5, output: 2 },
    contextWindow: 64_000,
    capabilities: ['tools'],
  },
  'sim-large': {
    provider: 'openai',
    price: { input: 3, output: 12 },
    contextWindow: 128_000,
    capabilities: ['tools', 'reasoning'],
  },
};

const SKILL: Record<string, number> = { 'sim-small': 0.3, 'sim-medium': 0.55, 'sim-large': 0.85 };
const DELAY_MS: Record<string, number> = { 'sim-small': 4, 'sim-medium': 10, 'sim-large': 25 };

/** The two instruction candidates. */
export const INSTRUCTIONS = [
  'Given the question, answer with the item code.',
  'Look the item up carefully, check it twice, and answer with its exact code only.',
];

function fnv(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  // murmur3's finaliser: FNV alone leaves similar strings ("item 101", "item 102") close together.
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/** The right answer for item `n`. */
export function codeFor(n: number): string {
  return `code-${String((n * 37 + 11) % 1000).padStart(3, '0')}`;
}

/** Items `from`..`from+count-1` as examples with the question marked as input. */
export function items(count: number, from = 1): Example[] {
  return Array.from({ length: count }, (_, i) =>
    new Example({ question: `What is item ${from + i}?`, answer: codeFor(from + i) }).withInputs(
      'question',
    ),
  );
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content.map((p) => (p as { text?: string }).text ?? '').join('');
  return '';
}

/** What the simulated model knows about a request, read from its wire body. */
export function readRequest(body: Record<string, unknown> | undefined): {
  model: string;
  temperature: number;
  cot: boolean;
  careful: boolean;
  demos: number;
  item: number;
} {
  const messages = (body?.['messages'] ?? []) as { role: string; content: unknown }[];
  const system = textOf(messages.find((m) => m.role === 'system')?.content);
  const users = messages.filter((m) => m.role === 'user');
  const last = textOf(users[users.length - 1]?.content);
  const item = Number(/What is item (\d+)\?/.exec(last)?.[1] ?? 0);
  return {
    model: String(body?.['model'] ?? ''),
    temperature: Number(body?.['temperature'] ?? 0),
    cot: system.includes('`reasoning`'),
    careful: system.includes('carefully'),
    demos: users.length - 1,
    item,
  };
}

/** Probability-like skill of a configuration (what the header describes). */
export function skillOf(r: ReturnType<typeof readRequest>): number {
  const size = r.model === 'sim-small' ? 0 : r.model === 'sim-medium' ? 1 : 2;
  let s = SKILL[r.model] ?? 0;
  if (r.cot) s += [0.15, 0.1, -0.03][size]!;
  if (r.temperature > 0.5) s -= [0.1, 0.05, 0.05][size]!;
  if (r.careful) s += 0.08;
  if (r.demos >= 4) s += [0.1, 0.06, 0][size]!;
  return s;
}

/** What the simulated proposer answers: instructions, some asking for care (the task rewards it). */
export const PROPOSALS = [
  'Answer with the item code.',
  'Look the item up carefully and give its exact code only.',
  'Reply with the code of the item in the question.',
  'Work carefully: find the item, then answer with its code.',
];

const PROPOSER_FIELDS = ['observations', 'summary', 'program_description', 'module_description'];

/**
 * The reply of the simulated prompt model to a MIPROv2 proposer request (by the output field it is
 * asked for; an instruction picked by the request's hash), or `undefined` for any other request.
 */
export function proposerReply(
  body: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  const messages = (body?.['messages'] ?? []) as { role: string; content: unknown }[];
  const system = textOf(messages.find((m) => m.role === 'system')?.content);
  const outputs = system.split('Your output fields are:')[1] ?? '';
  for (const field of PROPOSER_FIELDS)
    if (outputs.includes(`\`${field}\``)) return { [field]: 'Questions about numbered items.' };
  if (!outputs.includes('`proposed_instruction`')) return undefined;
  const all = JSON.stringify(messages);
  let h = 0;
  for (let i = 0; i < all.length; i++) h = (h * 31 + all.charCodeAt(i)) >>> 0;
  return { proposed_instruction: PROPOSALS[h % PROPOSALS.length] };
}

/**
 * The fixture handler of the task. With `delays`, each reply waits its model's latency (plus 0.05
 * ms per output character); `onCall` sees each call's simulated latency (for a virtual clock).
 * With `proposer`, MIPROv2's proposer requests get {@link proposerReply} (one fixture serves the
 * task and the prompt model).
 */
export function simulatedHandler(
  options: { delays?: boolean; onCall?: (latencyMs: number) => void; proposer?: boolean } = {},
): FixtureHandler {
  return (req): FixtureReply => {
    const proposal =
      options.proposer === true ? proposerReply(req.body as Record<string, unknown>) : undefined;
    if (proposal !== undefined) return { text: formatChatAnswer(proposal) };
    const r = readRequest(req.body as Record<string, unknown>);
    const difficulty = 0.96 * fnv(`item ${r.item}`) + 0.04 * fnv(`${JSON.stringify(r)}`);
    const right = skillOf(r) > difficulty;
    const answer = right ? codeFor(r.item) : codeFor(r.item + 500);
    const fields: Record<string, unknown> = r.cot
      ? {
          reasoning: `Item ${r.item} is listed in the catalogue; recalling its entry and the code format before answering.`,
          answer,
        }
      : { answer };
    const text = formatChatAnswer(fields);
    const latency = (DELAY_MS[r.model] ?? 0) + 0.05 * text.length;
    options.onCall?.(latency);
    return { text, ...(options.delays === true ? { delayMs: latency } : {}) };
  };
}

/**
 * The program: one answer module whose strategy, model, temperature, instructions and demo
 * count are variables (3 × 2 × 2 × 2 × 2 = 48 configurations; `space` narrows models and
 * temperatures for smaller tests).
 */
export class SimQA extends Module {
  readonly answer: StrategyModule;

  constructor(
    baseURL: string,
    demoPool: readonly Example[],
    space: {
      models?: readonly string[];
      temperatures?: readonly number[];
      /** Instruction candidates (default {@link INSTRUCTIONS}). */
      instructions?: readonly string[];
      /** Demos as demo sets (candidates `[[]]`, to be filled by bootstrapping) instead of a count. */
      demoSets?: boolean;
    } = {},
  ) {
    super();
    const models = Object.fromEntries(
      Object.entries(SIM_MODELS).filter(([name]) => space.models?.includes(name) ?? true),
    );
    const model = v.model({
      models,
      lm: (name, info) =>
        openai({
          model: name,
          apiKey: 'sim',
          baseURL,
          cache: false,
          retry: { maxAttempts: 1 },
          prices: { [name]: info.price },
        }),
    });
    this.answer = new StrategyModule(
      v.reasoningStrategy({ name: 'strategy', strategies: { Predict, ChainOfThought } }),
      'question -> answer',
      {
        lm: model,
        temperature: v.temperature({ grid: space.temperatures ?? [0, 1], default: 0 }),
        instructions: v.instructions({ candidates: space.instructions ?? INSTRUCTIONS }),
        demos:
          space.demoSets === true
            ? v.demoSets<Example>({ candidates: [[]] })
            : v.numDemos({ pool: demoPool, counts: [0, 4] }),
      },
    );
  }

  override forward(inputs: Record<string, unknown>): Promise<Prediction> {
    return this.answer.call(inputs);
  }
}

/** Exact match on the answer field. */
export function answerMatches(example: Example, prediction: Prediction): boolean {
  return String(prediction.get('answer') ?? '').trim() === example.get('answer');
}
