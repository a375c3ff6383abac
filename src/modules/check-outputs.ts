import type { ZodType } from 'zod';
import { ChatAdapter } from '../adapters/index.js';
import type { FieldOptions, Signature } from '../signatures/index.js';
import { ModuleError } from './errors.js';
import { injectingAdapter, type InjectedInputs } from './injecting-adapter.js';
import { Module, type CallOptions } from './module.js';
import type { Predictor, TraceEntry } from './parameter.js';
import type { Prediction } from './prediction.js';
import { context, currentSettings } from './settings.js';

/**
 * A check on a module's outputs: a zod schema the prediction's fields must satisfy (refinements
 * included; each issue's message is the feedback), or a function returning a message when the
 * outputs are wrong (`true`, `undefined`, `null` or `''` mean fine; `false` fails with a generic
 * message).
 */
export type OutputCheck =
  | ZodType
  | ((
      prediction: Prediction,
      inputs: Record<string, unknown>,
    ) =>
      | string
      | boolean
      | null
      | undefined
      | void
      | Promise<string | boolean | null | undefined | void>);

/** Options of {@link CheckOutputs}. */
export interface CheckOutputsOptions {
  /** The checks, all run on every attempt. */
  checks: readonly OutputCheck[];
  /** Retries after the first failed attempt (default 2, so at most 3 attempts). */
  maxRetries?: number;
}

/** DSPy's `Retry` field texts. */
const FEEDBACK_FIELD = { prefix: 'Instructions:', desc: 'Some instructions you must satisfy' };

/**
 * Output assertions (what `dspy.Assert`/`dspy.Suggest` did before DSPy removed them): runs a
 * module, checks its prediction, and when a check fails runs it again with the failed answer and
 * the messages in the prompt, up to `maxRetries` times; then throws a
 * `ModuleError('output_check_failed')` listing every message of every attempt.
 *
 * A retry reaches the predictor that produced the failed answer (the attempt's last Predict call,
 * as DSPy's backtracking did): its signature gets, per output field, an input `past_<field>`
 * (prefix `Previous <Prefix>:`, desc `past <Prefix> with errors`) holding the failed value, and an
 * input `feedback` (prefix `Instructions:`, desc `Some instructions you must satisfy`) holding the
 * messages one per line — DSPy's `Retry` fields. The wrapped module's predictors are this module's,
 * so optimizers see and save them.
 *
 * @example
 * ```ts
 * const qa = new CheckOutputs(new Predict('question -> answer'), {
 *   checks: [
 *     (pred) => (String(pred.answer).length <= 20 ? undefined : 'Answer in at most 20 characters.'),
 *     z.object({ answer: z.string().refine((a) => !a.includes('?'), 'Do not answer with a question.') }),
 *   ],
 *   maxRetries: 2,
 * });
 * ```
 */
export class CheckOutputs extends Module {
  readonly module: Module;
  readonly checks: readonly OutputCheck[];
  readonly maxRetries: number;

  constructor(module: Module, options: CheckOutputsOptions) {
    super();
    const maxRetries = options.maxRetries ?? 2;
    if (!Number.isInteger(maxRetries) || maxRetries < 0) {
      throw new ModuleError(
        'invalid_argument',
        `maxRetries must be a non-negative integer, got ${maxRetries}.`,
        { details: { maxRetries } },
      );
    }
    this.module = module;
    this.checks = [...options.checks];
    this.maxRetries = maxRetries;
  }

  override async forward(
    inputs: Record<string, unknown>,
    options?: CallOptions,
  ): Promise<Prediction> {
    const outerTrace = currentSettings().trace;
    const failures: { messages: string[]; outputs: Record<string, unknown> }[] = [];
    let retry: { predictor: Predictor; injected: InjectedInputs } | undefined;
    for (let attempt = 0; attempt <= this.maxRetries; attempt++) {
      const trace: TraceEntry[] = [];
      const run = (): Promise<Prediction> => this.module.call(inputs, options);
      const prediction = await context({ trace }, () => {
        if (retry === undefined) return run();
        const { predictor, injected } = retry;
        const adapter = currentSettings().adapter ?? new ChatAdapter();
        return context(
          {
            adapter: injectingAdapter(adapter, (sig: Signature) =>
              sig === predictor.signature ? injected : undefined,
            ),
          },
          run,
        );
      });
      const messages = await this.failedMessages(prediction, inputs);
      if (messages.length === 0) {
        outerTrace?.push(...trace);
        return prediction;
      }
      failures.push({ messages, outputs: prediction.toDict() });
      const last = trace[trace.length - 1];
      if (last === undefined) break; // no predictor to retry: the module did not call an LM
      retry = { predictor: last.predictor, injected: retryInputs(last, messages) };
    }
    const all = failures.flatMap((f) => f.messages);
    throw new ModuleError(
      'output_check_failed',
      `Output checks failed after ${failures.length} attempt(s): ${all.join('; ')}`,
      { details: { attempts: failures } },
    );
  }

  /** Every check's failure message for one prediction (empty when all pass). */
  private async failedMessages(
    prediction: Prediction,
    inputs: Record<string, unknown>,
  ): Promise<string[]> {
    const messages: string[] = [];
    for (const [i, check] of this.checks.entries()) {
      if (typeof check === 'function') {
        const result = await check(prediction, inputs);
        if (result === false) messages.push(`Output check ${i + 1} failed.`);
        else if (typeof result === 'string' && result !== '') messages.push(result);
      } else {
        const parsed = await check.safeParseAsync(prediction.toDict());
        if (!parsed.success) {
          for (const issue of parsed.error.issues) {
            const where = issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
            messages.push(`${where}${issue.message}`);
          }
        }
      }
    }
    return messages;
  }
}

/** DSPy's `Retry` inputs: `past_<field>` per output of the failed call, then `feedback`. */
function retryInputs(entry: TraceEntry, messages: readonly string[]): InjectedInputs {
  const out: [string, FieldOptions, unknown][] = [];
  for (const f of entry.predictor.signature.outputFields) {
    const actualPrefix = `${f.prefix.split(':')[0] ?? ''}:`;
    out.push([
      `past_${f.name}`,
      {
        type: f.type,
        prefix: `Previous ${actualPrefix}`,
        desc: `past ${actualPrefix.slice(0, -1)} with errors`,
      },
      entry.prediction.get(f.name),
    ]);
  }
  out.push(['feedback', FEEDBACK_FIELD, messages.join('\n')]);
  return out;
}
