import { exampleDataSchema, type ExampleData } from '../src/contracts/index.js';
import { Example } from '../src/modules/index.js';
import { answerExactMatch, answerPassageMatch, type Metric } from '../src/evaluate/index.js';
import { unknownExtension } from '../src/extensions/index.js';
import { ActorError } from './actor-error.js';

// An example as job data is a contract (src/contracts).
export { exampleDataSchema };
export type { ExampleData };

/** Examples → job data. Plain records take `inputKeys` as their inputs. */
export function toExampleData(
  examples: readonly (Example | Record<string, unknown>)[],
  inputKeys?: readonly string[],
): ExampleData[] {
  return examples.map((e, i) => {
    if (e instanceof Example) {
      const inputs = e.inputs().keys();
      if (inputs.length === 0 && inputKeys === undefined)
        throw new ActorError(
          'bad_message',
          `example ${i} has no inputs: call withInputs(...) or pass inputKeys`,
        );
      return {
        data: JSON.parse(JSON.stringify(e.toDict())) as Record<string, unknown>,
        inputs: inputs.length > 0 ? inputs : [...(inputKeys ?? [])],
      };
    }
    if (inputKeys === undefined || inputKeys.length === 0)
      throw new ActorError('bad_message', `example ${i} is a plain object: pass inputKeys`);
    return {
      data: JSON.parse(JSON.stringify(e)) as Record<string, unknown>,
      inputs: [...inputKeys],
    };
  });
}

/** Job data → examples with their inputs marked. */
export function fromExampleData(data: readonly ExampleData[]): Example[] {
  return data.map((d) => new Example(d.data).withInputs(...d.inputs));
}

/** Metrics every node knows by name (so evaluation shards and optimization runs can name them). */
export const BUILTIN_METRICS: Readonly<Record<string, Metric>> = {
  exact_match: answerExactMatch,
  answer_exact_match: answerExactMatch,
  passage_match: answerPassageMatch,
  answer_passage_match: answerPassageMatch,
};

/**
 * The metric named `name` in `metrics` (the node's table), or `unknown_metric` in the registry's
 * words: `unknown metric 'f1' (registered: answer_exact_match, exact_match, …)`.
 */
export function resolveMetric(metrics: ReadonlyMap<string, Metric>, name: string): Metric {
  const metric = metrics.get(name);
  if (metric === undefined) {
    // `local-…` entries are the function metrics of evaluations running now, not names to offer.
    const known = [...metrics.keys()].filter((m) => !m.startsWith('local-')).sort();
    throw new ActorError('unknown_metric', unknownExtension('metrics', name, known).message, {
      details: { metric: name, known },
    });
  }
  return metric;
}
