import { z } from 'zod';
import { datasetLinkSchema } from './dataset-record.js';
import { defineLifecycle } from './lifecycle.js';
import {
  nameSchema,
  recordedErrorSchema,
  revisionSchema,
  timestampSchema,
} from './record-fields.js';

/** Evaluation statuses. */
export const evaluationStatusSchema = z.enum(['running', 'succeeded', 'failed']);
/** An evaluation status. */
export type EvaluationStatus = z.infer<typeof evaluationStatusSchema>;

/** Evaluation lifecycle: `running → succeeded | failed` (both final). */
export const EVALUATION_LIFECYCLE = defineLifecycle<EvaluationStatus>('evaluation', ['running'], {
  running: ['succeeded', 'failed'],
  succeeded: [],
  failed: [],
});

/**
 * Per-example results kept on a record at most (the first ones, in devset order): a record is
 * read whole, so a 100k-example devset must not make every `evals list` page megabytes long.
 * `examplesOmitted` says how many were left out; the counts and the score cover all of them.
 */
export const EVALUATION_EXAMPLES_KEPT = 1000;
/** Longest error reason kept per example (longer ones end with `…`). */
export const EVALUATION_REASON_CHARS = 500;

/** One example's result: its devset index, metric value, and the error it raised (if any). */
export const evaluationExampleSchema = z
  .object({
    index: z.number().int().min(0),
    score: z.number(),
    error: z.string().optional(),
    /** Dollars and latency (ms on the shard's node), when the shard reported them. */
    cost: z.number().min(0).optional(),
    latencyMs: z.number().min(0).optional(),
  })
  .strict();
/** One example's result. */
export type EvaluationExample = z.infer<typeof evaluationExampleSchema>;

/** Examples scored and examples that raised an error. */
export const evaluationCountsSchema = z
  .object({ total: z.number().int().min(0), errors: z.number().int().min(0) })
  .strict();
/** Example counts of an evaluation. */
export type EvaluationCounts = z.infer<typeof evaluationCountsSchema>;

/** What an evaluation spent (summed over its shards). */
export const evaluationSpendSchema = z
  .object({
    lmCalls: z.number().int().min(0),
    promptTokens: z.number().int().min(0),
    completionTokens: z.number().int().min(0),
    usd: z.number().min(0),
  })
  .strict();
/** What an evaluation spent. */
export type EvaluationSpend = z.infer<typeof evaluationSpendSchema>;

/**
 * An evaluation run (`dspex eval`, `POST /v1/evaluations`, `runtime.evaluate`): the program and
 * the optimized version it served, the dataset version when one was named, the metric, and once
 * finished the score (percent, DSPy's `Evaluate` scale), counts, per-example results (the first
 * {@link EVALUATION_EXAMPLES_KEPT}), spend and latency.
 */
export const evaluationSchema = z
  .object({
    id: nameSchema,
    program: nameSchema,
    /** The optimized program version the evaluation served (absent: the declared program). */
    version: nameSchema.optional(),
    dataset: datasetLinkSchema.optional(),
    metric: nameSchema,
    status: evaluationStatusSchema,
    shards: z.number().int().min(1),
    score: z.number().nullable(),
    counts: evaluationCountsSchema,
    examples: z.array(evaluationExampleSchema),
    /** Per-example results left out of `examples` (past {@link EVALUATION_EXAMPLES_KEPT}). */
    examplesOmitted: z.number().int().min(0).optional(),
    spend: evaluationSpendSchema.optional(),
    /** Mean latency of an example, ms (absent when the shards did not report it). */
    meanLatencyMs: z.number().min(0).optional(),
    /** Wall time of the whole evaluation, ms. */
    durationMs: z.number().min(0).optional(),
    /** The node that ran the evaluation (its shards may have run elsewhere). */
    node: z.string().min(1).optional(),
    error: recordedErrorSchema.optional(),
    startedAt: timestampSchema,
    finishedAt: timestampSchema.optional(),
    revision: revisionSchema,
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
  })
  .strict();
/** An evaluation record. */
export type Evaluation = z.infer<typeof evaluationSchema>;

/** Input of `evaluations.create` (a `running` evaluation). */
export const evaluationCreateSchema = z
  .object({
    id: nameSchema.optional(),
    program: nameSchema,
    version: nameSchema.optional(),
    dataset: datasetLinkSchema.optional(),
    metric: nameSchema,
    shards: z.number().int().min(1).optional(),
    node: z.string().min(1).optional(),
  })
  .strict();
/** Input of `evaluations.create`. */
export type EvaluationCreate = z.infer<typeof evaluationCreateSchema>;

/**
 * Input of `evaluations.update`: the outcome. `examples` beyond {@link EVALUATION_EXAMPLES_KEPT}
 * are dropped (counted in `examplesOmitted`) and reasons cut to {@link EVALUATION_REASON_CHARS}.
 */
export const evaluationPatchSchema = z
  .object({
    status: evaluationStatusSchema.optional(),
    score: z.number().nullable().optional(),
    counts: evaluationCountsSchema.optional(),
    examples: z.array(evaluationExampleSchema).optional(),
    spend: evaluationSpendSchema.optional(),
    meanLatencyMs: z.number().min(0).optional(),
    durationMs: z.number().min(0).optional(),
    dataset: datasetLinkSchema.optional(),
    error: recordedErrorSchema.optional(),
  })
  .strict();
/** Input of `evaluations.update`. */
export type EvaluationPatch = z.infer<typeof evaluationPatchSchema>;
