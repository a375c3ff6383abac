import {
  resolveDataset,
  StoreError,
  type DatasetLink,
  type JsonObject,
  type Store,
} from '../src/store/index.js';
import type { Module } from '../src/modules/index.js';
import { ActorError } from './actor-error.js';

/** Examples of a dataset version (or one split of it), the link a record keeps, its input keys. */
export interface DatasetSource {
  examples: JsonObject[];
  link: DatasetLink;
  inputKeys?: string[];
}

/**
 * Resolves a request's or job's dataset reference (`name` or `name@version`, optionally one
 * split) against the store every node shares. An unknown dataset, version or split is
 * `unknown_dataset` (not retryable) naming what exists; a malformed reference is `bad_message`.
 *
 * @example
 * ```ts
 * const { examples, link } = await loadDataset(store, 'math@v2', 'dev');
 * ```
 */
export async function loadDataset(
  store: Store,
  ref: string,
  split?: string,
): Promise<DatasetSource> {
  try {
    const { dataset, examples, link } = await resolveDataset(store, ref, split);
    return {
      examples,
      link,
      ...(dataset.inputKeys === undefined ? {} : { inputKeys: dataset.inputKeys }),
    };
  } catch (e) {
    if (!(e instanceof StoreError)) throw e;
    if (e.code === 'not_found')
      throw new ActorError('unknown_dataset', e.message, { cause: e, details: { ...e.details } });
    if (e.code === 'invalid_input')
      throw new ActorError('bad_message', e.message, { cause: e, details: { ...e.details } });
    throw e;
  }
}

/**
 * The examples of a request that takes them inline or from a stored dataset: `dataset` as a name
 * (`name[@version]`, with an optional `split`) is loaded from the store; as a link it is kept
 * beside the inline `examples` it describes. Both an inline set and a dataset name, or neither,
 * is `bad_message` naming `what` (`devset`, `trainset`, `valset`).
 */
export async function requestExamples<E>(
  store: Store,
  request: { examples: readonly E[] | undefined; dataset?: string | DatasetLink; split?: string },
  what: string,
): Promise<{ examples: readonly (E | JsonObject)[]; link?: DatasetLink; inputKeys?: string[] }> {
  const { examples, dataset, split } = request;
  if (typeof dataset === 'string') {
    if (examples !== undefined)
      throw new ActorError('bad_message', `give either a ${what} or a dataset name, not both`);
    return loadDataset(store, dataset, split);
  }
  if (examples === undefined)
    throw new ActorError('bad_message', `the request needs a ${what} or a dataset name`);
  return dataset === undefined ? { examples } : { examples, link: dataset };
}

/** The input fields of a program's first predictor (plain-record examples without `inputKeys`). */
export function firstPredictorInputs(program: Module): string[] | undefined {
  const first = program.namedPredictors()[0]?.[1];
  return first?.signature.inputFields.map((f) => f.name);
}

/**
 * Which fields of a set of examples are inputs, in the one order every caller uses (the runtime's
 * `evaluate` and `optimize`, a job naming a dataset): the request's or job's `inputKeys`, then the
 * dataset's, then the program's first signature inputs.
 */
export function inputKeysFor(
  given: readonly string[] | undefined,
  source: { inputKeys?: string[] },
  program: Module,
): string[] | undefined {
  return given !== undefined ? [...given] : (source.inputKeys ?? firstPredictorInputs(program));
}
