/**
 * The simulated LMs of the quality benchmark: a deterministic "world" behind an OpenAI-wire
 * fixture. Every answer is a pure function of the request (model, messages, n, rollout), so runs
 * are reproducible at any concurrency. The rules are written to be fair to every optimizer: no
 * optimizer's prompts are recognised; the task model reacts only to what a prompt contains.
 *
 * Task model. Each example has a hidden difficulty d in [0, 1). The model answers correctly when
 * `skill + noise > d`, where skill = base (per task and model size) + reasoning bonus (when the
 * signature has a `reasoning` output) + 0.04 per correct demo (up to 4; -0.04 per wrong one) +
 * 0.02 per demo with reasoning − the pitfalls of the example, and noise (±0.05) depends on the
 * example and the whole prompt, so a new prompt re-rolls close calls. A task has rules (its
 * pitfalls): each applies to the examples whose input shows it (ordinal dates, "but" reviews,
 * "dozen" problems; one rule may apply to all) and costs them its weight unless the instructions
 * state the rule; a correct demo of an example the rule applies to halves the cost (the model sees
 * the case handled, without being told why). Generic phrases ("carefully", "expert") help a
 * little, "as briefly as possible" hurts.
 * Independently, the answer has the dataset's format only if the prompt reveals it (an instruction
 * phrase naming the format, or any demo); otherwise 60% of answers come out in a natural but wrong
 * format ("The answer is 12.", "positive", "March 5, 2021").
 *
 * Prompt model. Proposers only know what they are shown: the dataset summarizer sees examples
 * (answers included) and reports the format, and — with a probability that grows with model
 * size — each of the task's rules; the MIPRO instruction proposer phrases what its inputs (dataset
 * description, task demos, tip) reveal; COPRO's proposers see only the instruction and attempts,
 * so they offer generic advice (some of it harmful) and recombine the best-scored attempts.
 * SIMBA's feedback and GEPA's reflection see particular examples: they learn what the metric's
 * feedback states (the expected answer shows the format; a named rule is a rule learnt) and
 * otherwise notice a rule of the examples they see with the model-size odds.
 *
 * Why four tasks. In the first three, a task has one or two rules and four correct demos add
 * +0.16 to +0.24 skill while cutting the cost of the rules they show; instructions add no general
 * skill. So an optimizer that tunes only instructions (GEPA) cannot beat one that picks demos
 * (BootstrapFewShot) there, however well it reflects. The fourth task, `tickets`, is modelled on
 * the benchmarks where GEPA's paper reports its gains (IFBench, HoVer): many constraints, each
 * concerning a small share of inputs. A support desk routes tickets by a house table of ten
 * rules, each concerning a tenth of the tickets; four demos can show at most four of them, while
 * instructions can state all ten. The rules are in the same terms as the other tasks' (weight,
 * halved by a demo of the case), so every optimizer meets the same world; only the shape of the
 * task differs. Its wrong format is a sentence ("The billing team"), which "only the final
 * answer" fixes.
 */
import { formatChatAnswer } from '../../src/lm/chat-format.js';
import { Example } from '../../src/modules/example.js';
import { PythonRandom } from '../../src/optimizers/python-random.js';

/** A pitfall of a task: examples whose input matches `applies` are harder unless it is stated. */
export interface SimRule {
  /** Which inputs the rule concerns (a user can tell from the text, as the metric's feedback does). */
  applies: RegExp;
  /** Instruction text that states the rule. */
  phrase: RegExp;
  /** The rule in words (what an observer or the feedback says). */
  fact: string;
  /** Skill lost on the examples it applies to while unstated (halved by a demo of such a case). */
  weight: number;
}

/** A task of the benchmark. */
export interface SimTask {
  name: string;
  /** The program's signature and module kind. */
  signature: string;
  cot: boolean;
  input: string;
  output: string;
  /** Base skill of the small model; the large one adds 0.3. */
  baseSkill: number;
  /** Skill added when the signature asks for reasoning. */
  reasoningBonus: number;
  /** Instruction text that reveals the answer format. */
  formatPhrase: RegExp;
  /** The task's pitfalls. */
  rules: readonly SimRule[];
  /** What an observer of labeled data can say about the answers' format. */
  facts: { format: string };
  /** Key naming the task in an example repr (`'problem':`). */
  marker: string;
  /** Example i: input text, correct answer, the same in a wrong format, a wrong answer. */
  make(rng: PythonRandom): { input: string; answer: string; natural: string; wrong: string };
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const ITEMS = ['apples', 'books', 'coins', 'marbles', 'stamps', 'pencils'];
const GOOD = ['great sound', 'fast delivery', 'lovely design', 'solid build', 'friendly support'];
const BAD = [
  'the battery died',
  'it arrived broken',
  'the app crashes',
  'support never replied',
  'it is too loud',
];
const PRODUCTS = [
  'speaker',
  'phone',
  'kettle',
  'lamp',
  'keyboard',
  'camera',
  'blender',
  'watch',
  'router',
  'drone',
];
const OPENERS = ['About', 'My review of', 'Two weeks with', 'Notes on'];
/**
 * The support desk's house routing table (the tickets task): each kind of ticket, a phrase that
 * shows it, where the house sends it and where a model would guess it goes.
 */
const TICKET_KINDS = [
  {
    shows: 'a refund for',
    text: 'I would like a refund for my',
    queue: 'billing',
    guess: 'returns',
    fact: 'Refund requests go to billing, not returns.',
    phrase: /refund requests go to billing/i,
  },
  {
    shows: 'password reset',
    text: 'the password reset link for my account expired, it was about my',
    queue: 'identity',
    guess: 'support',
    fact: 'Password reset problems go to identity.',
    phrase: /password reset problems go to identity/i,
  },
  {
    shows: 'has not shipped',
    text: 'my order has not shipped yet, I am waiting for the',
    queue: 'logistics',
    guess: 'sales',
    fact: 'Orders that have not shipped go to logistics.',
    phrase: /not shipped go to logistics/i,
  },
  {
    shows: 'arrived damaged',
    text: 'the parcel arrived damaged, inside was my',
    queue: 'carrier',
    guess: 'returns',
    fact: 'Parcels that arrived damaged go to carrier (the courier pays), not returns.',
    phrase: /arrived damaged go to carrier/i,
  },
  {
    shows: 'VAT number',
    text: 'the VAT number on the invoice is wrong for the',
    queue: 'finance',
    guess: 'billing',
    fact: 'Wrong VAT numbers on invoices go to finance, not billing.',
    phrase: /VAT numbers? .*go to finance/i,
  },
  {
    shows: 'delete my data',
    text: 'please delete my data, I no longer use the',
    queue: 'privacy',
    guess: 'support',
    fact: 'Requests to delete personal data go to privacy.',
    phrase: /delete personal data go to privacy/i,
  },
  {
    shows: 'units for our',
    text: 'we need 500 units for our offices of the',
    queue: 'partners',
    guess: 'sales',
    fact: 'Bulk orders (hundreds of units) go to partners, not sales.',
    phrase: /bulk orders .*go to partners/i,
  },
  {
    shows: 'API returns',
    text: 'the API returns error 500 whenever we sync the',
    queue: 'platform',
    guess: 'support',
    fact: 'API errors go to platform.',
    phrase: /API errors go to platform/i,
  },
  {
    shows: 'screen reader',
    text: 'the screen reader skips the checkout page when I buy the',
    queue: 'design',
    guess: 'support',
    fact: 'Screen reader and accessibility issues go to design.',
    phrase: /accessibility issues go to design/i,
  },
  {
    shows: 'my lawyer',
    text: 'my lawyer will contact you about the',
    queue: 'legal',
    guess: 'support',
    fact: 'Tickets that mention a lawyer go to legal.',
    phrase: /mention a lawyer go to legal/i,
  },
] as const;
const CUSTOMERS = [
  'Ana',
  'Ben',
  'Chen',
  'Dara',
  'Eli',
  'Fay',
  'Gus',
  'Hana',
  'Ivo',
  'Jun',
  'Kai',
  'Lea',
];
/** Every queue name a ticket's answer may take. */
export const TICKET_QUEUES = [...new Set(TICKET_KINDS.flatMap((k) => [k.queue, k.guess]))];
const pad = (n: number): string => String(n).padStart(2, '0');
const ordinal = (n: number): string =>
  `${n}${n % 10 === 1 && n !== 11 ? 'st' : n % 10 === 2 && n !== 12 ? 'nd' : n % 10 === 3 && n !== 13 ? 'rd' : 'th'}`;

/**
 * The tasks: multi-step arithmetic (CoT), sentiment with a house label set, date extraction, and
 * support-ticket routing by a ten-rule house table.
 */
export const TASKS: readonly SimTask[] = [
  {
    name: 'arithmetic',
    signature: 'problem -> answer',
    cot: true,
    input: 'problem',
    output: 'answer',
    baseSkill: 0.5,
    reasoningBonus: 0.2,
    formatPhrase: /only the final (answer|number)|plain integer/i,
    rules: [
      {
        applies: /./,
        phrase: /step by step/i,
        fact: 'Each problem takes several arithmetic steps; work through them step by step.',
        weight: 0.15,
      },
      {
        applies: /dozen/,
        phrase: /dozen (means|is) 12/i,
        fact: 'A dozen means 12 items: convert dozens to items before adding.',
        weight: 0.3,
      },
    ],
    facts: { format: 'Answers are plain integers with no units or words.' },
    marker: "'problem':",
    make(rng) {
      const a = rng.randint(12, 89);
      const dozens = rng.random() < 0.4 ? rng.randint(2, 6) : 0;
      const b = dozens > 0 ? 12 * dozens : rng.randint(12, 89);
      const c = rng.randint(3, 40);
      const what = rng.choice(ITEMS);
      const answer = a + b - c;
      const more = dozens > 0 ? `${dozens} dozen` : String(b);
      return {
        input: `Sam has ${a} ${what}, gets ${more} more and gives away ${c}. How many ${what} does Sam have now?`,
        answer: String(answer),
        natural: `The answer is ${answer} ${what}.`,
        wrong: String(answer + rng.choice([-10, -1, 1, 10])),
      };
    },
  },
  {
    name: 'sentiment',
    signature: 'review -> label',
    cot: false,
    input: 'review',
    output: 'label',
    baseSkill: 0.6,
    reasoningBonus: 0.05,
    formatPhrase: /pos, neg,? (or|and) mixed/i,
    rules: [
      {
        applies: /\bbut\b/,
        phrase: /\bbut\b.*mixed|mixed.*\bbut\b/i,
        fact: "Reviews that weigh praise against a complaint with 'but' are labelled mixed.",
        weight: 0.3,
      },
      {
        applies: /\bnot (bad|terrible|awful)\b/,
        phrase: /not bad.*\bpos\b|negated complaint/i,
        fact: "A negated complaint such as 'not bad at all' is praise: label it pos.",
        weight: 0.3,
      },
    ],
    facts: { format: 'Labels are one of pos, neg or mixed.' },
    marker: "'review':",
    make(rng) {
      const kind = rng.choice(['pos', 'neg', 'mixed']);
      const negated = kind === 'pos' && rng.random() < 0.5;
      const g = rng.choice(GOOD);
      const b = rng.choice(BAD);
      const product = rng.choice(PRODUCTS);
      const opener = rng.choice(OPENERS);
      const input =
        kind === 'pos'
          ? negated
            ? `${opener} this ${product}: ${rng.choice(['not bad', 'not terrible', 'not awful'])} at all, ${g}.`
            : `${opener} this ${product}: ${g}.`
          : kind === 'neg'
            ? `${opener} this ${product}, ${b}.`
            : `${opener} this ${product}. I like the ${g}, but ${b}.`;
      const natural = { pos: 'positive', neg: 'negative', mixed: 'neutral' }[kind]!;
      return { input, answer: kind, natural, wrong: kind === 'mixed' ? 'neg' : 'mixed' };
    },
  },
  {
    name: 'dates',
    signature: 'text -> date',
    cot: false,
    input: 'text',
    output: 'date',
    baseSkill: 0.7,
    reasoningBonus: 0.05,
    formatPhrase: /YYYY-MM-DD|ISO 8601/i,
    rules: [
      {
        applies: /\d(st|nd|rd|th) of /,
        phrase: /ordinal/i,
        fact: "Ordinal days ('the 5th of March') name the day: drop the suffix.",
        weight: 0.3,
      },
      {
        applies: /to \d{1,2} [A-Z]/,
        phrase: /day before the month|day-month order/i,
        fact: "Some texts put the day before the month ('5 March 2021'): do not swap day and month.",
        weight: 0.3,
      },
    ],
    facts: { format: 'Dates are written as YYYY-MM-DD.' },
    marker: "'text':",
    make(rng) {
      const y = rng.randint(1990, 2030);
      const m = rng.randint(1, 12);
      const d = rng.randint(1, 28);
      const style = rng.randint(0, 2);
      const when =
        style === 0
          ? `${MONTHS[m - 1]} ${d}, ${y}`
          : style === 1
            ? `the ${ordinal(d)} of ${MONTHS[m - 1]} ${y}`
            : `${d} ${MONTHS[m - 1]} ${y}`;
      return {
        input: `The meeting was moved to ${when} after a long discussion.`,
        answer: `${y}-${pad(m)}-${pad(d)}`,
        natural: `${MONTHS[m - 1]} ${d}, ${y}`,
        wrong: `${y}-${pad(d > 12 ? m : d)}-${pad(d > 12 ? d - 1 : m)}`,
      };
    },
  },
  {
    // IFBench/HoVer-style: ten house rules, each concerning a tenth of the tickets. Four demos show
    // at most four of them; instructions can state all ten (where GEPA's reflection is strong).
    name: 'tickets',
    signature: 'ticket -> queue',
    cot: false,
    input: 'ticket',
    output: 'queue',
    baseSkill: 0.75,
    reasoningBonus: 0.05,
    // The wrong format is a sentence ("The billing team"): asking for the bare answer fixes it.
    formatPhrase: /single lowercase queue name|only the final answer/i,
    rules: TICKET_KINDS.map((k) => ({
      applies: new RegExp(k.shows),
      phrase: k.phrase,
      fact: k.fact,
      weight: 0.5,
    })),
    facts: { format: 'Answers are a single lowercase queue name, such as billing.' },
    marker: "'ticket':",
    make(rng) {
      const kind = rng.choice(TICKET_KINDS);
      const input = `${rng.choice(CUSTOMERS)} writes: ${kind.text} ${rng.choice(PRODUCTS)} (order ${rng.randint(100, 999)}).`;
      return {
        input,
        answer: kind.queue,
        natural: `The ${kind.queue} team`,
        wrong: kind.guess,
      };
    },
  },
];

interface Truth {
  task: SimTask;
  answer: string;
  natural: string;
  wrong: string;
}

/** A hash of the parts (FNV-1a, then Murmur3's finalizer), as a float in [0, 1). */
export function hash01(...parts: (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const ch of parts.join('\u0001')) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // Murmur3's finalizer, so a change in the last character moves every bit.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

/** The datasets of one task: train, val, test (disjoint inputs), seeded. */
export function datasets(
  task: SimTask,
  sizes = { train: 40, val: 40, test: 100 },
): Record<'train' | 'val' | 'test', Example[]> {
  const rng = new PythonRandom(`quality:${task.name}`);
  const seen = new Set<string>();
  const draw = (n: number): Example[] => {
    const out: Example[] = [];
    for (let attempts = 0; out.length < n; attempts++) {
      if (attempts > 100 * n) throw new Error(`task ${task.name} cannot make ${n} distinct inputs`);
      const e = task.make(rng);
      if (seen.has(e.input)) continue;
      seen.add(e.input);
      TRUTH.set(e.input, { task, answer: e.answer, natural: e.natural, wrong: e.wrong });
      out.push(
        new Example({ [task.input]: e.input, [task.output]: e.answer }).withInputs(task.input),
      );
    }
    return out;
  };
  return { train: draw(sizes.train), val: draw(sizes.val), test: draw(sizes.test) };
}

const TRUTH = new Map<string, Truth>();
const SEEN = new Map<string, number>();

/** Forgets the sampling counts (call between optimizer runs so each starts from the same state). */
export function resetSampling(): void {
  SEEN.clear();
}

interface ChatMessage {
  role: string;
  content: string;
}

/** `[[ ## name ## ]]` sections of a ChatAdapter message. */
function sections(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /\[\[ ## (\w+) ## \]\]\n([\s\S]*?)(?=\n\n\[\[ ## |\n\nRespond with|$)/g;
  for (const m of text.matchAll(re)) out[m[1]!] = m[2]!.trim();
  return out;
}

function outputFields(system: string): string[] {
  const block =
    system.split('Your output fields are:')[1]?.split('All interactions will be structured')[0] ??
    '';
  return [...block.matchAll(/^\d+\. `(\w+)`/gm)].map((m) => m[1]!);
}

function instructionsOf(system: string): string {
  return system.split('In adhering to this structure, your objective is:')[1]?.trim() ?? '';
}

const GENERIC = [
  'Think step by step.',
  'Give only the final answer, nothing else.',
  'Read the input carefully.',
  'You are an expert in this domain.',
  'Answer as briefly as possible, without explanation.',
  'Double-check your work before answering.',
];

/** Skill effects of instruction phrases that are not task-specific. */
function genericEffect(instructions: string): number {
  let e = 0;
  if (/carefully|double-check/i.test(instructions)) e += 0.03;
  if (/expert/i.test(instructions)) e += 0.02;
  if (/as briefly as possible|without explanation/i.test(instructions)) e -= 0.12;
  return e;
}

/** The task model's reply to one request. */
function taskAnswer(model: string, messages: ChatMessage[]): Record<string, string> {
  const system = messages[0]?.content ?? '';
  const last = messages[messages.length - 1]!;
  const inputs = sections(last.content);
  const fields = outputFields(system);
  const input = Object.values(inputs)[0] ?? '';
  const truth = TRUTH.get(input);
  const out: Record<string, string> = {};
  if (truth === undefined) {
    for (const f of fields) out[f] = 'unknown';
    return out;
  }
  const { task } = truth;
  const instructions = instructionsOf(system);
  let skill = task.baseSkill + (model.includes('large') ? 0.3 : 0);
  if (fields.includes('reasoning')) skill += task.reasoningBonus;
  skill += genericEffect(instructions);
  let formatKnown = task.formatPhrase.test(instructions);
  let good = 0;
  let bad = 0;
  let reasoned = 0;
  const shown: string[] = [];
  for (let i = 1; i + 1 < messages.length; i += 2) {
    const demoIn = Object.values(sections(messages[i]!.content))[0] ?? '';
    const demoOut = sections(messages[i + 1]!.content);
    const demoTruth = TRUTH.get(demoIn);
    if (demoTruth === undefined) continue;
    formatKnown = true;
    if (demoOut[task.output] === demoTruth.answer) {
      good++;
      shown.push(demoIn);
    } else bad++;
    if ((demoOut.reasoning ?? '') !== '') reasoned++;
  }
  skill += 0.04 * Math.min(good, 4) - 0.04 * Math.min(bad, 4) + 0.02 * Math.min(reasoned, 4);
  for (const rule of task.rules) {
    if (!rule.applies.test(input) || rule.phrase.test(instructions)) continue;
    skill -= shown.some((d) => rule.applies.test(d)) ? rule.weight / 2 : rule.weight;
  }
  const difficulty = hash01('difficulty', input);
  const noise = 0.1 * (hash01('noise', input, instructions, messages.length, good) - 0.5);
  const knows = skill + noise > difficulty;
  const formatted = formatKnown || hash01('format', input) >= 0.6;
  let answer = knows ? truth.answer : truth.wrong;
  if (!formatted) answer = knows ? truth.natural : `${truth.wrong} (approximately)`;
  if (fields.includes('reasoning'))
    out.reasoning = knows
      ? `Working through "${input.slice(0, 40)}..." carefully.`
      : 'A quick guess.';
  out[task.output] = answer;
  return out;
}

function taskFromText(text: string): SimTask | undefined {
  return TASKS.find(
    (t) =>
      text.includes(t.marker) ||
      text.includes(`${t.output[0]!.toUpperCase()}${t.output.slice(1)}:`) ||
      text.includes(`\`${t.input}\``),
  );
}

/** The prompt model's reply to one request (choice `choice` of `n`). */
function proposerAnswer(
  model: string,
  messages: ChatMessage[],
  choice: number,
  salt: string,
): Record<string, string> | undefined {
  const system = messages[0]?.content ?? '';
  const fields = outputFields(system);
  const user = messages[messages.length - 1]!.content;
  const inputs = sections(user);
  const large = model.includes('large');
  const insightChance = large ? 0.8 : 0.4;
  if (fields.includes('observations')) {
    const task = taskFromText(inputs.examples ?? '');
    if (task === undefined) return { observations: 'The examples are short texts.' };
    const examples = inputs.examples ?? '';
    const notes = [task.facts.format];
    task.rules.forEach((rule, r) => {
      if (
        rule.applies.test(examples) &&
        hash01('observe', task.name, examples, salt, r) < insightChance
      )
        notes.push(rule.fact);
    });
    return { observations: notes.join(' ') };
  }
  if (fields.includes('module_advice')) {
    // SIMBA's OfferFeedback: contrasting a better and a worse trajectory shows the better one's
    // output format (when it scored higher) and, with the usual odds, the rules of its example.
    const better = inputs.better_program_outputs ?? '';
    const task = TASKS.find(
      (t) =>
        (inputs.better_program_trajectory ?? '').includes(`"${t.input}"`) ||
        better.includes(`"${t.output}"`),
    );
    const advice: string[] = [];
    if (task !== undefined) {
      if (Number(inputs.better_reward_value) > Number(inputs.worse_reward_value))
        advice.push(task.facts.format);
      const example = inputs.program_inputs ?? '';
      task.rules.forEach((rule, r) => {
        if (rule.applies.test(example) && hash01('advise', salt, choice, r) < insightChance)
          advice.push(rule.fact);
      });
    }
    let names: string[] = [];
    try {
      names = JSON.parse(inputs.module_names ?? '[]') as string[];
    } catch {
      names = [];
    }
    const text = advice.length > 0 ? advice.join(' ') : 'Be careful.';
    return {
      discussion: 'The better run answered in the expected form.',
      module_advice: JSON.stringify(Object.fromEntries(names.map((n) => [n, text]))),
    };
  }
  if (fields.includes('summary')) return { summary: inputs.observations ?? '' };
  if (fields.includes('program_description'))
    return {
      program_description:
        'It maps each input to the requested output field with one language model call.',
    };
  if (fields.includes('module_description'))
    return { module_description: 'The single predictor that produces the final answer.' };
  if (
    fields.includes('proposed_instruction') &&
    'basic_instruction' in inputs &&
    !('attempted_instructions' in inputs) &&
    !fields.includes('proposed_prefix_for_output_field')
  ) {
    // MIPRO's GenerateSingleModuleInstruction: phrase what the inputs reveal.
    const seen = `${inputs.dataset_description ?? ''}\n${inputs.task_demos ?? ''}`;
    const task =
      TASKS.find(
        (t) => seen.includes(t.facts.format) || t.rules.some((r) => seen.includes(r.fact)),
      ) ?? taskFromDemos(inputs.task_demos ?? '');
    const parts = [inputs.basic_instruction ?? ''];
    if (task !== undefined) {
      const formatVisible =
        seen.includes(task.facts.format) ||
        (inputs.task_demos ?? '').includes(
          `${task.output[0]!.toUpperCase()}${task.output.slice(1)}:`,
        );
      if (formatVisible && hash01('fmt', salt, choice) < 0.75) parts.push(task.facts.format);
      task.rules.forEach((rule, r) => {
        if (seen.includes(rule.fact) && hash01('ins', salt, choice, r) < 0.75)
          parts.push(rule.fact);
      });
    }
    parts.push(GENERIC[Math.floor(hash01('generic', salt, choice) * GENERIC.length)]!);
    if ((inputs.tip ?? '').includes('persona')) parts.unshift('You are a meticulous analyst.');
    return { proposed_instruction: `Proposed Instruction: ${parts.join(' ')}` };
  }
  if (fields.includes('proposed_prefix_for_output_field')) {
    const attempts = inputs.attempted_instructions;
    if (attempts === undefined) {
      // COPRO's first round: only the instruction is known.
      const a = GENERIC[Math.floor(hash01('copro0', salt, choice) * GENERIC.length)]!;
      const b = GENERIC[Math.floor(hash01('copro1', salt, choice) * GENERIC.length)]!;
      const parts = [
        inputs.basic_instruction ?? '',
        a,
        ...(b !== a && hash01('two', salt, choice) < 0.5 ? [b] : []),
      ];
      return { proposed_instruction: parts.join(' '), proposed_prefix_for_output_field: 'Answer:' };
    }
    // Later rounds: start from the best attempt (listed last), add or drop one generic phrase.
    const instructions = [...attempts.matchAll(/Instruction #\d+: (.*)/g)].map((m) =>
      m[1]!.replace(/»$/, ''),
    );
    const best = instructions[instructions.length - 1] ?? '';
    const pick = GENERIC[Math.floor(hash01('coproN', salt, choice) * GENERIC.length)]!;
    const next = best.includes(pick) ? best.replace(` ${pick}`, '') : `${best} ${pick}`;
    return { proposed_instruction: next, proposed_prefix_for_output_field: 'Answer:' };
  }
  return undefined;
}

/**
 * GEPA's reflection prompt (a plain prompt, answered in a ``` block): the reflecting model sees
 * the current instruction and examples with the program's outputs and the metric's feedback. It
 * learns the format when the feedback states expected answers, a rule the feedback states, and
 * otherwise a rule of the examples it sees with the same model-size odds as the dataset summarizer.
 */
function reflect(model: string, messages: ChatMessage[], salt: string): string | undefined {
  const text = messages.map((m) => m.content).join('\n');
  if (
    !text.includes(
      'I provided an assistant with the following instructions to perform a task for me:',
    )
  )
    return undefined;
  const current = /```\n([\s\S]*?)\n```/.exec(text)?.[1] ?? '';
  const task = TASKS.find((t) => text.includes(`### ${t.input}`));
  const parts = [current];
  if (task !== undefined) {
    if (/The correct \w+ is|[Ee]xpected /.test(text) && !task.formatPhrase.test(current))
      parts.push(task.facts.format);
    const chance = model.includes('large') ? 0.8 : 0.4;
    const examples = text.split('```').slice(2).join('\n');
    task.rules.forEach((rule, r) => {
      if (rule.phrase.test(current)) return;
      if (examples.includes(rule.fact)) parts.push(rule.fact);
      else if (rule.applies.test(examples) && hash01('reflect', salt, r) < chance)
        parts.push(rule.fact);
    });
  }
  return `\`\`\`\n${parts.join(' ')}\n\`\`\``;
}

function taskFromDemos(demos: string): SimTask | undefined {
  return TASKS.find((t) => demos.includes(`${t.input[0]!.toUpperCase()}${t.input.slice(1)}:`));
}

/**
 * The fixture handler: a ChatAdapter reply (one text per choice) for any request. With
 * `stateless`, a repeated request gets the same reply (no sampling counter): what a test needs
 * when processes that may die make the requests, so a replayed run meets the same world.
 */
export function simulate(
  body: {
    model: string;
    messages: ChatMessage[];
    n?: number;
    temperature?: number;
  },
  options: { stateless?: boolean } = {},
): string[] {
  const n = body.n ?? 1;
  const messages = body.messages.map((m) => ({
    role: m.role,
    content: typeof m.content === 'string' ? m.content : '',
  }));
  // Sampling: the k-th identical proposer request gets the k-th sample (proposers run one
  // request at a time, so k is deterministic); task answers do not depend on it.
  const digest = `${body.model}:${String(body.temperature ?? '')}:${JSON.stringify(messages)}`;
  const seen = options.stateless === true ? 1 : (SEEN.get(digest) ?? 0) + 1;
  SEEN.set(digest, seen);
  const salt = `${hash01(digest)}:${seen}`;
  return Array.from({ length: n }, (_, choice) => {
    const reflection = reflect(body.model, messages, `${salt}:${choice}`);
    if (reflection !== undefined) return reflection;
    const proposal = proposerAnswer(body.model, messages, choice, salt);
    return formatChatAnswer(proposal ?? taskAnswer(body.model, messages));
  });
}
