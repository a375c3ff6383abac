import { z } from 'zod';
import { defineLifecycle } from './lifecycle.js';
import { jsonValueSchema, nameSchema, revisionSchema, timestampSchema } from './record-fields.js';

/** Program statuses: `draft` (no version serving) → `active` (serving `activeVersion`) → `archived` (final). */
export const programStatusSchema = z.enum(['draft', 'active', 'archived']);
/** A program status. */
export type ProgramStatus = z.infer<typeof programStatusSchema>;

/**
 * Program lifecycle: `draft → active → archived`; a draft that is never deployed may be archived
 * directly. `archived` is final, so an archived program accepts no new version or activation.
 */
export const PROGRAM_LIFECYCLE = defineLifecycle<ProgramStatus>('program', ['draft'], {
  draft: ['active', 'archived'],
  active: ['archived'],
  archived: [],
});

/** One published version: the optimized program state (opaque JSON, e.g. `module.save()`). */
export const programVersionSchema = z
  .object({
    version: nameSchema,
    state: jsonValueSchema,
    createdAt: timestampSchema,
    note: z.string().optional(),
  })
  .strict();
/** One published version of a program. */
export type ProgramVersion = z.infer<typeof programVersionSchema>;

/** A program record, keyed by `name`. Versions are append-only, in publication order. */
export const programSchema = z
  .object({
    name: nameSchema,
    description: z.string().optional(),
    status: programStatusSchema,
    versions: z.array(programVersionSchema),
    /** The version running daemons serve; `null` until the first activation. */
    activeVersion: nameSchema.nullable(),
    revision: revisionSchema,
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
  })
  .strict();
/** A program record. */
export type Program = z.infer<typeof programSchema>;

/** Input of `programs.create`. A program starts as a `draft` with no versions. */
export const programCreateSchema = z
  .object({ name: nameSchema, description: z.string().optional() })
  .strict();
/** Input of `programs.create`. */
export type ProgramCreate = z.infer<typeof programCreateSchema>;

/**
 * Input of `programs.update`. `status: 'active'` on a draft activates its latest version (use
 * `activate(name, version)` to pick one); `archived` retires it.
 */
export const programPatchSchema = z
  .object({ status: programStatusSchema.optional(), description: z.string().optional() })
  .strict();
/** Input of `programs.update`. */
export type ProgramPatch = z.infer<typeof programPatchSchema>;

/** Input of `programs.publishVersion`. `version` defaults to the next integer (`'1'`, `'2'`, …). */
export const programPublishSchema = z
  .object({ version: nameSchema.optional(), state: jsonValueSchema, note: z.string().optional() })
  .strict();
/** Input of `programs.publishVersion`. */
export type ProgramPublish = z.infer<typeof programPublishSchema>;
