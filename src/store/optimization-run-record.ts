import { z } from 'zod';
import { defineLifecycle } from './lifecycle.js';
import {
  jsonObjectSchema,
  jsonValueSchema,
  nameSchema,
  recordedErrorSchema,
  revisionSchema,
  timestampSchema,
} from './record-fields.js';
import { datasetLinkSchema } from './dataset-record.js';

/** Optimization run statuses. */
export const optimizationRunStatusSchema = z.enum([
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
]);
/** An optimization run status. */
export type OptimizationRunStatus = z.infer<typeof optimizationRunStatusSchema>;

/**
 * Optimization run lifecycle: `queued → running → succeeded | failed | cancelled`; a queued run may
 * also be cancelled or fail before it starts. The last three are final.
 */
export const OPTIMIZATION_RUN_LIFECYCLE = defineLifecycle<OptimizationRunStatus>(
  'optimizationRun',
  ['queued', 'running'],
  {
    queued: ['running', 'failed', 'cancelled'],
    running: ['succeeded', 'failed', 'cancelled'],
    succeeded: [],
    failed: [],
    cancelled: [],
  },
);

/** Work done out of work planned (`total` 0 while unknown). */
export const runProgressSchema = z
  .object({ done: z.number().int().min(0), total: z.number().int().min(0) })
  .strict();
/** Progress of a run. */
export type RunProgress = z.infer<typeof runProgressSchema>;

/** One scored step of a run's search. */
export const runHistoryEntrySchema = z
  .object({ step: z.number().int().min(0), score: z.number(), at: timestampSchema })
  .strict();
/** One scored step of a run. */
export type RunHistoryEntry = z.infer<typeof runHistoryEntrySchema>;

/** What a run has spent so far: LM calls (task and prompt model together), metric calls, dollars. */
export const runSpendSchema = z
  .object({
    lmCalls: z.number().int().min(0),
    metricCalls: z.number().int().min(0),
    usd: z.number().min(0),
  })
  .strict();
/** What a run has spent so far. */
export type RunSpend = z.infer<typeof runSpendSchema>;

/**
 * An optimization run. The checkpoint itself (opaque, possibly large) is stored beside the record
 * and read with `loadCheckpoint`, so progress updates never rewrite it; `checkpointAt` says when it
 * was last saved.
 */
export const optimizationRunSchema = z
  .object({
    id: nameSchema,
    program: nameSchema,
    optimizer: nameSchema,
    params: jsonObjectSchema,
    /** The dataset version the trainset came from (`dspex optimize --dataset`). */
    dataset: datasetLinkSchema.optional(),
    /** The dataset version the valset came from. */
    valDataset: datasetLinkSchema.optional(),
    status: optimizationRunStatusSchema,
    progress: runProgressSchema,
    bestScore: z.number().nullable(),
    history: z.array(runHistoryEntrySchema),
    /** Spend so far (absent until the optimizer reports it). */
    spend: runSpendSchema.optional(),
    checkpointAt: timestampSchema.nullable(),
    /** What the run produced (e.g. the optimized program state or the version it published). */
    result: jsonValueSchema.optional(),
    error: recordedErrorSchema.optional(),
    startedAt: timestampSchema.optional(),
    finishedAt: timestampSchema.optional(),
    revision: revisionSchema,
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
  })
  .strict();
/** An optimization run record. */
export type OptimizationRun = z.infer<typeof optimizationRunSchema>;

/** Input of `optimizationRuns.create`. */
export const optimizationRunCreateSchema = z
  .object({
    id: nameSchema.optional(),
    program: nameSchema,
    optimizer: nameSchema,
    params: jsonObjectSchema.optional(),
    dataset: datasetLinkSchema.optional(),
    valDataset: datasetLinkSchema.optional(),
    status: z.enum(['queued', 'running']).optional(),
    progress: runProgressSchema.optional(),
  })
  .strict();
/** Input of `optimizationRuns.create`. */
export type OptimizationRunCreate = z.infer<typeof optimizationRunCreateSchema>;

/**
 * Input of `optimizationRuns.update`. `appendHistory` entries are appended to the stored history
 * (so two writers never lose each other's steps); `at` defaults to the store clock. A `cancelled`
 * run still takes a patch without `status` that sets only `result`, `bestScore` and `spend`: the
 * best program found before the cancel took effect.
 */
export const optimizationRunPatchSchema = z
  .object({
    status: optimizationRunStatusSchema.optional(),
    progress: runProgressSchema.optional(),
    bestScore: z.number().nullable().optional(),
    spend: runSpendSchema.optional(),
    appendHistory: z
      .array(runHistoryEntrySchema.extend({ at: timestampSchema.optional() }))
      .optional(),
    result: jsonValueSchema.optional(),
    error: recordedErrorSchema.optional(),
    /** The dataset versions a job resolved by name (a raw `dspex-optimize` job naming them). */
    dataset: datasetLinkSchema.optional(),
    valDataset: datasetLinkSchema.optional(),
  })
  .strict();
/** Input of `optimizationRuns.update`. */
export type OptimizationRunPatch = z.infer<typeof optimizationRunPatchSchema>;
