import { z } from 'zod';
import { jsonObjectSchema, nameSchema, timestampSchema } from './record-fields.js';

/**
 * A dataset version: a named, immutable list of examples. Immutable so that a run or evaluation that
 * names `name@version` is reproducible; changing the examples means creating a new version.
 */
export const datasetSchema = z
  .object({
    name: nameSchema,
    version: nameSchema,
    description: z.string().optional(),
    examples: z.array(jsonObjectSchema),
    createdAt: timestampSchema,
  })
  .strict();
/** A dataset record, keyed by `(name, version)`. */
export type Dataset = z.infer<typeof datasetSchema>;

/** Input of `datasets.create`. */
export const datasetCreateSchema = datasetSchema.omit({ createdAt: true });
/** Input of `datasets.create`. */
export type DatasetCreate = z.infer<typeof datasetCreateSchema>;
