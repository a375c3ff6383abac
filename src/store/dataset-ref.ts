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
