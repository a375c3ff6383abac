import { isDspexError } from '../errors/index.js';
import { CallAccounting } from '../evaluate/index.js';
import type { LM } from '../lm/index.js';
import type { Module } from '../modules/index.js';
import {
  ChainOfThought,
  Example,
  Predict,
  type ExampleLike,
  type Prediction,
} from '../modules/index.js';
import {
  Signature,
  signature as makeSignature,
  validateValue,
  type Field,
} from '../signatures/index.js';
import { seededRandom, shuffleInPlace } from '../variables/random.js';
import { SynthesizerError } from './errors.js';

/** Options of {@link Synthesizer}. */
export interface SynthesizerOptions {
  /** The task's signature: the fields every generated example has. */
  signature: Signature | string;
  /** A few labelled examples to imitate (style, length, label space); never emitted again. */
  seeds: readonly ExampleLike[];
  /**
   * What the task is. Default: the signature's instructions when they are not DSPy's generic
   * default, else a description the LM writes from the seeds (DSPy's `ExplainTask` step).
   */
  task?: string;
  /** LM of the generator and the default labeler (default: the context's). */
  lm?: LM;
  /** Inputs asked of the LM per generator call, as `n` completions (default 5). */
  batchSize?: number;
  /**
   * Produces the outputs of each generated input. Default: `ChainOfThought` on the signature with
   * the task as instructions and the seeds as demos (DSPy's `GenerateOutputFieldsData`). A
   * program's own module (or a larger model's copy) labels as that program would.
   */
  labeler?: Module;
  /** Seed of the sampling schedule (temperatures, which seeds each call sees). Default 0. */
  seed?: number;
  /** Generator calls at most (default `4 × ceil(n / batchSize)`), so duplicates cannot loop for ever. */
  maxCalls?: number;
}

/** What {@link Synthesizer.generate} returns. */
export interface SynthesisResult {
  /** New labelled examples (input keys set to the signature's inputs), at most `n`. */
  examples: Example[];
  /** Candidates dropped: repeats of a seed or of an earlier example, invalid values, failed calls. */
  rejected: { duplicate: number; invalid: number; failed: number };
  /** LM calls made (generator, labeler, task explanation). */
  lmCalls: number;
  /** Tokens and dollars of those calls (cost 0 when the model's price is unknown). */
  usage: { promptTokens: number; completionTokens: number; cost: number };
}

const GENERATOR_INSTRUCTIONS = `Create new, realistic inputs for the task described in \`task_description\`.
Imitate the kind, style and difficulty of \`seed_examples\`, but make every input original: it must
differ from each seed example and from every input listed in \`avoid\`. Vary topics, wording and
length so that the inputs together cover the task broadly.`;

const EXPLAIN_INSTRUCTIONS = `Analyze the provided examples and write a concise summary of the task they
come from: its general objective and the kind of problem being solved. Do not describe individual
examples.`;

/** A value's identity for deduplication: strings trimmed, lower-cased, whitespace collapsed. */
function normalized(value: unknown): unknown {
  if (typeof value === 'string') return value.trim().toLowerCase().replace(/\s+/g, ' ');
  if (Array.isArray(value)) return value.map(normalized);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, normalized(v)]),
    );
  return value;
}

/**
 * Generates labelled training examples for a signature from a task description and a few seed
 * examples, in DSPy's experimental synthesizer's two steps: a generator writes new inputs (`n`
 * completions per call at a temperature drawn from 0.7–1.05, shown the seeds and the inputs made
 * so far to avoid), then a labeler (ChainOfThought with the seeds as demos, or your program)
 * produces their outputs. Every example is validated against the signature's field types and
 * deduplicated (against the seeds and each other, case and whitespace insensitive); the LM calls,
 * tokens and cost are reported.
 *
 * @example
 * ```ts
 * const synth = new Synthesizer({
 *   signature: 'question -> answer',
 *   task: 'Answer short trivia questions about world capitals.',
 *   seeds: [{ question: 'Capital of France?', answer: 'Paris' }],
 * });
 * const { examples, lmCalls, usage } = await synth.generate(50);
 * ```
 */
export class Synthesizer {
  readonly signature: Signature;
  readonly seeds: readonly Example[];
  readonly batchSize: number;
  readonly #options: SynthesizerOptions;

  constructor(options: SynthesizerOptions) {
    this.signature =
      typeof options.signature === 'string' ? makeSignature(options.signature) : options.signature;
    const inputs = this.signature.inputFields.map((f) => f.name);
    this.seeds = options.seeds.map((s) =>
      (s instanceof Example ? s : new Example(s)).withInputs(...inputs),
    );
    if (this.seeds.length === 0)
      throw new SynthesizerError(
        'invalid_options',
        'the synthesizer needs at least one seed example',
      );
    for (const [i, seed] of this.seeds.entries()) {
      const missing = this.signature.fields.filter((f) => !seed.has(f.name)).map((f) => f.name);
      if (missing.length > 0)
        throw new SynthesizerError(
          'invalid_options',
          `seed example ${i + 1} lacks the field(s) ${missing.join(', ')} of the signature`,
          { details: { seed: i, missing } },
        );
    }
    this.batchSize = options.batchSize ?? 5;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1)
      throw new SynthesizerError(
        'invalid_options',
        `batchSize must be a positive integer, got ${this.batchSize}`,
      );
    this.#options = options;
  }

  /** Generates up to `n` new labelled examples (fewer when the call budget runs out). */
  async generate(n: number): Promise<SynthesisResult> {
    if (!Number.isInteger(n) || n < 1)
      throw new SynthesizerError('invalid_options', `n must be a positive integer, got ${n}`);
    // Every LM call of the run is counted, failed ones (an unparsable answer) included.
    const accounting = new CallAccounting();
    const made = await accounting.run(() => this.#generate(n));
    const stats = accounting.stats();
    const usage = { promptTokens: 0, completionTokens: 0, cost: 0 };
    for (const t of Object.values(stats.usage)) {
      usage.promptTokens += t.promptTokens;
      usage.completionTokens += t.completionTokens;
      usage.cost += t.cost;
    }
    return { ...made, lmCalls: stats.lmCalls, usage };
  }

  async #generate(n: number): Promise<Pick<SynthesisResult, 'examples' | 'rejected'>> {
    const lmOption = this.#options.lm === undefined ? {} : { lm: this.#options.lm };
    const task = await this.#task(lmOption);
    const generator = new Predict(this.#generatorSignature(), lmOption);
    const labeler = this.#options.labeler ?? this.#defaultLabeler(task, lmOption);
    const random = seededRandom(this.#options.seed ?? 0);
    const seen = new Set(this.seeds.map((s) => this.#key(s.toDict())));
    const examples: Example[] = [];
    const rejected = { duplicate: 0, invalid: 0, failed: 0 };
    const maxCalls = this.#options.maxCalls ?? 4 * Math.ceil(n / this.batchSize);
    for (let call = 0; call < maxCalls && examples.length < n; call++) {
      const shown = shuffleInPlace(random, [...this.seeds]).slice(0, 3);
      const temperature = Math.round((0.7 + 0.35 * random()) * 100) / 100;
      const asked = Math.min(this.batchSize, n - examples.length);
      let batch: Prediction;
      try {
        batch = await generator.call(
          {
            task_description: task,
            seed_examples: shown.map((s) => JSON.stringify(s.inputs().toDict())).join('\n'),
            avoid: examples.slice(-20).map((e) => JSON.stringify(e.inputs().toDict())),
          },
          {
            config: {
              n: Math.min(this.batchSize, n - examples.length),
              temperature,
              rolloutId: call,
            },
          },
        );
      } catch {
        rejected.failed++;
        continue;
      }
      // A provider may return more choices than asked: label no more than needed.
      const candidates = [...batch.completions].slice(0, asked).map((c) => c.toDict());
      const labelled = await Promise.all(
        candidates.map(async (inputs) => {
          const key = this.#key(inputs);
          if (seen.has(key)) return 'duplicate' as const;
          seen.add(key);
          try {
            return { inputs, outputs: (await labeler.call(inputs)).toDict() };
          } catch (error) {
            // A label the signature refuses (e.g. out of its bounds) fails the parse: invalid.
            return isDspexError(error, 'adapter_parse')
              ? ('invalid' as const)
              : ('failed' as const);
          }
        }),
      );
      for (const item of labelled) {
        if (typeof item === 'string') {
          rejected[item]++;
          continue;
        }
        const example = this.#validated({ ...item.inputs, ...item.outputs });
        if (example === undefined) rejected.invalid++;
        else if (examples.length < n) examples.push(example);
      }
    }
    return { examples, rejected };
  }

  async #task(lmOption: { lm?: LM }): Promise<string> {
    if (this.#options.task !== undefined && this.#options.task.trim() !== '')
      return this.#options.task;
    // Instructions '' give DSPy's generic default ("Given the fields …"), which says nothing of the task.
    const generic = new Signature('', this.signature.fields).instructions;
    if (this.signature.instructions !== generic) return this.signature.instructions;
    const explain = new Predict(
      makeSignature('examples -> explanation', EXPLAIN_INSTRUCTIONS),
      lmOption,
    );
    const examples = this.seeds.map((s) => JSON.stringify(s.toDict())).join('\n');
    const { explanation } = (await explain.call({ examples })) as Prediction & {
      explanation: unknown;
    };
    return String(explanation);
  }

  /** `task_description, seed_examples, avoid -> <the signature's input fields>`. */
  #generatorSignature(): Signature {
    const head = makeSignature(
      'task_description: str, seed_examples: str, avoid: list[str] -> unused',
    )
      .withUpdatedFields('task_description', { desc: 'what the task is' })
      .withUpdatedFields('seed_examples', {
        desc: 'example inputs (JSON, one per line) to imitate, not copy',
      })
      .withUpdatedFields('avoid', { desc: 'inputs already made (JSON); make something different' });
    const outputs: Field[] = this.signature.inputFields.map((f) => ({ ...f, kind: 'output' }));
    return new Signature(GENERATOR_INSTRUCTIONS, [...head.inputFields, ...outputs]);
  }

  #defaultLabeler(task: string, lmOption: { lm?: LM }): Module {
    const cot = new ChainOfThought(this.signature.withInstructions(task), lmOption);
    cot.predict.demos = [...this.seeds];
    return cot;
  }

  #key(record: Record<string, unknown>): string {
    return JSON.stringify(
      normalized(
        Object.fromEntries(this.signature.inputFields.map((f) => [f.name, record[f.name]])),
      ),
    );
  }

  /** The example restricted to the signature's fields, each valid for its type; else undefined. */
  #validated(record: Record<string, unknown>): Example | undefined {
    const data: Record<string, unknown> = {};
    for (const f of this.signature.fields) {
      const value = record[f.name];
      if (
        value === undefined ||
        value === null ||
        (typeof value === 'string' && value.trim() === '')
      )
        return undefined;
      try {
        data[f.name] = validateValue(value, f.type);
      } catch {
        return undefined;
      }
    }
    return new Example(data).withInputs(...this.signature.inputFields.map((f) => f.name));
  }
}
