import { z } from 'zod';
import { jsonObjectSchema, nameSchema, timestampSchema } from './record-fields.js';

/**
 * A named split of a dataset version: an index range `[from, to)` (e.g. the first 80 examples) or
 * an explicit list of indices (e.g. a seeded split computed when the version was added).
 */
export const datasetSplitSchema = z.union([
  z
    .object({ from: z.number().int().min(0), to: z.number().int().min(0) })
    .strict()
    .refine((s) => s.from <= s.to, 'from must not exceed to'),
  z.object({ indices: z.array(z.number().int().min(0)) }).strict(),
]);
/** A named split of a dataset version. */
export type DatasetSplit = z.infer<typeof datasetSplitSchema>;

/** `sha256:<64 hex>`: the content hash of a version's examples (see `datasetHash`). */
export const datasetHashSchema = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected sha256:<hex>');

/**
 * A dataset version: a named, immutable list of examples. Immutable so that a run or evaluation that
 * names `name@version` is reproducible; changing the examples means creating a new version.
 * `hash`, `inputKeys`, `source` and `splits` are optional so records written before they existed
 * still read (a missing hash is computed from the examples when needed).
 */
export const datasetSchema = z
  .object({
    name: nameSchema,
    version: nameSchema,
    description: z.string().optional(),
    examples: z.array(jsonObjectSchema),
    /** Content hash of `examples` (sha256 of their canonical JSON). */
    hash: datasetHashSchema.optional(),
    /** Which fields of each example are inputs (the rest are labels). */
    inputKeys: z.array(z.string().min(1)).min(1).optional(),
    /** File the examples came from (its base name). */
    source: z.string().min(1).optional(),
    /** Named splits (`train`, `dev`, `test`, …) over the examples. */
    splits: z.record(nameSchema, datasetSplitSchema).optional(),
    createdAt: timestampSchema,
  })
  .strict();
/** A dataset record, keyed by `(name, version)`. */
export type Dataset = z.infer<typeof datasetSchema>;

/** Input of `datasets.create` (`hash` is computed by the store). */
export const datasetCreateSchema = datasetSchema
  .omit({ createdAt: true, hash: true })
  .superRefine((d, ctx) => {
    for (const [name, split] of Object.entries(d.splits ?? {})) {
      const indices = 'indices' in split ? split.indices : [split.to - 1];
      const beyond = indices.find((i) => i >= d.examples.length);
      if ('from' in split ? split.to > d.examples.length : beyond !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['splits', name],
          message: `split ${JSON.stringify(name)} reaches index ${'from' in split ? split.to - 1 : beyond} but there are ${d.examples.length} examples`,
        });
    }
  });
/** Input of `datasets.create`. */
export type DatasetCreate = z.input<typeof datasetCreateSchema>;

/** Input of `datasets.add`: like {@link DatasetCreate}, but the version is optional (`v1`, `v2`, …). */
export type DatasetAdd = Omit<DatasetCreate, 'version'> & { version?: string };

/** What `datasets.add` did: stored a new version, or found one with the same examples (same hash). */
export interface DatasetAddResult {
  dataset: Dataset;
  created: boolean;
}

/**
 * The dataset version a run or evaluation used: `name@version` and the content hash, so a result
 * can be traced to the exact examples even if the version is later deleted and recreated.
 */
export const datasetLinkSchema = z
  .object({
    name: nameSchema,
    version: nameSchema,
    hash: datasetHashSchema,
    /** The split used, when only one split of the version was. */
    split: nameSchema.optional(),
  })
  .strict();
/** The dataset version a run or evaluation used. */
export type DatasetLink = z.infer<typeof datasetLinkSchema>;
