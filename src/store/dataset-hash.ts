import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every depth and no whitespace: equal data, equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, x: unknown) =>
    x !== null && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(
          Object.entries(x as Record<string, unknown>).sort(([a], [b]) =>
            a < b ? -1 : a > b ? 1 : 0,
          ),
        )
      : x,
  );
}

/**
 * Content hash of a dataset's examples: `sha256:` + the hex SHA-256 of their canonical JSON (keys
 * sorted, no whitespace), so the same examples written with keys in another order hash alike, and
 * a changed value, order or example count changes it.
 *
 * @example
 * ```ts
 * datasetHash([{ q: '1', a: '2' }]) === datasetHash([{ a: '2', q: '1' }]); // true
 * ```
 */
export function datasetHash(examples: readonly unknown[]): string {
  return `sha256:${createHash('sha256').update(canonicalJson(examples)).digest('hex')}`;
}
