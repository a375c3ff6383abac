import type { Dataset, DatasetLink } from './dataset-record.js';
import { hashOf } from './dataset-repository.js';
import type { JsonObject } from './record-fields.js';
import type { Store } from './store.js';
import { StoreError } from './store-error.js';

/** A reference to a dataset: `name` (the latest version) or `name@version`. */
export interface DatasetRef {
  name: string;
  version?: string;
}

/**
 * Parses `name[@version]` (the form the CLI and job payloads take). The version follows the last
 * `@`, so a name containing `@` must be given with its version. A bad reference is `invalid_input`.
 *
 * @example
 * ```ts
 * parseDatasetRef('qa@v2'); // { name: 'qa', version: 'v2' }
 * parseDatasetRef('qa'); // { name: 'qa' } — the latest version
 * ```
 */
export function parseDatasetRef(ref: string): DatasetRef {
  const at = ref.lastIndexOf('@');
  const name = at < 0 ? ref : ref.slice(0, at);
  const version = at < 0 ? undefined : ref.slice(at + 1);
  if (name.trim() === '' || version?.trim() === '')
    throw new StoreError(
      'invalid_input',
      `invalid dataset reference ${JSON.stringify(ref)}: expected name or name@version`,
      { details: { ref } },
    );
  return version === undefined ? { name } : { name, version };
}

/** `name@version` (or `name` without a version). */
export function formatDatasetRef(ref: DatasetRef): string {
  return ref.version === undefined ? ref.name : `${ref.name}@${ref.version}`;
}

/** Examples of one dataset version (or of one of its splits) and the link a record keeps. */
export interface ResolvedDataset {
  dataset: Dataset;
  examples: JsonObject[];
  link: DatasetLink;
}

/**
 * Looks up `name[@version]` (the latest version without one) and, with `split`, that split's
 * examples in split order. An unknown dataset, version or split is `not_found` whose message
 * names what exists (`details.known`); a malformed reference is `invalid_input`.
 *
 * @example
 * ```ts
 * const { examples, link } = await resolveDataset(store, 'math@v2', 'dev');
 * link; // { name: 'math', version: 'v2', hash: 'sha256:…', split: 'dev' }
 * ```
 */
export async function resolveDataset(
  store: Store,
  ref: string,
  split?: string,
): Promise<ResolvedDataset> {
  const parsed = parseDatasetRef(ref);
  const dataset = await store.datasets.find(parsed.name, parsed.version);
  if (dataset === undefined) {
    const versions = (await store.datasets.list({ name: parsed.name, limit: 1000, order: 'asc' }))
      .items;
    if (versions.length > 0) {
      const known = versions.map((d) => d.version);
      throw notFound(
        `dataset ${parsed.name} has no version '${parsed.version ?? ''}' (versions: ${known.join(', ')})`,
        { dataset: parsed.name, known },
      );
    }
    const names = [
      ...new Set((await store.datasets.list({ limit: 1000 })).items.map((d) => d.name)),
    ].sort();
    throw notFound(
      `unknown dataset '${parsed.name}' (datasets: ${names.length > 0 ? names.join(', ') : 'none; add one with `dspex datasets add`'})`,
      { dataset: parsed.name, known: names },
    );
  }
  const link: DatasetLink = { name: dataset.name, version: dataset.version, hash: hashOf(dataset) };
  if (split === undefined) return { dataset, examples: dataset.examples, link };
  const selection = dataset.splits?.[split];
  if (selection === undefined) {
    const known = Object.keys(dataset.splits ?? {});
    throw notFound(
      `dataset ${link.name}@${link.version} has no split '${split}' (splits: ${known.length > 0 ? known.join(', ') : 'none'})`,
      { dataset: `${link.name}@${link.version}`, split, known },
    );
  }
  const indices =
    'indices' in selection
      ? selection.indices
      : Array.from({ length: selection.to - selection.from }, (_, i) => selection.from + i);
  return {
    dataset,
    // Splits are validated against the examples when stored.
    examples: indices.map((i) => dataset.examples[i] as JsonObject),
    link: { ...link, split },
  };
}

function notFound(message: string, details: Record<string, unknown>): StoreError {
  return new StoreError('not_found', message, { details: { record: 'dataset', ...details } });
}
