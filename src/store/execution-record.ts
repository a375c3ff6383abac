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

/** Execution statuses. */
export const executionStatusSchema = z.enum(['pending', 'running', 'succeeded', 'failed']);
/** An execution status. */
export type ExecutionStatus = z.infer<typeof executionStatusSchema>;

/**
 * Execution lifecycle: `pending → running → succeeded | failed`; a pending execution may fail
 * without running (rejected input, cancelled job). An execution may be created `running` when it is
 * recorded as it starts. `succeeded` and `failed` are final.
 */
export const EXECUTION_LIFECYCLE = defineLifecycle<ExecutionStatus>(
  'execution',
  ['pending', 'running'],
  {
    pending: ['running', 'failed'],
    running: ['succeeded', 'failed'],
    succeeded: [],
    failed: [],
  },
);

/** One run of a program on one set of inputs. `startedAt`/`finishedAt`/`durationMs` are set by the store on transitions. */
export const executionSchema = z
  .object({
    id: nameSchema,
    /** Transport job id; at most one execution exists per job id (see `recordOnce`). */
    jobId: nameSchema.optional(),
    program: nameSchema,
    version: nameSchema.optional(),
    inputs: jsonObjectSchema,
    outputs: jsonValueSchema.optional(),
    trace: jsonValueSchema.optional(),
    usage: jsonValueSchema.optional(),
    error: recordedErrorSchema.optional(),
    status: executionStatusSchema,
    /** Node that runs (or last ran) it. */
    node: nameSchema.optional(),
    startedAt: timestampSchema.optional(),
    finishedAt: timestampSchema.optional(),
    durationMs: z.number().min(0).optional(),
    revision: revisionSchema,
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
  })
  .strict();
/** An execution record. */
export type Execution = z.infer<typeof executionSchema>;

/** Input of `executions.create`. `id` defaults to a generated one; `status` to `pending`. */
export const executionCreateSchema = z
  .object({
    id: nameSchema.optional(),
    jobId: nameSchema.optional(),
    program: nameSchema,
    version: nameSchema.optional(),
    inputs: jsonObjectSchema,
    status: z.enum(['pending', 'running']).optional(),
    node: nameSchema.optional(),
  })
  .strict();
/** Input of `executions.create`. */
export type ExecutionCreate = z.infer<typeof executionCreateSchema>;

/**
 * Input of `executions.recordSucceeded`: a job's whole run, written once when it has succeeded.
 * `durationMs` is how long it ran; the store stamps `finishedAt` now and `startedAt` that long ago.
 */
export const executionSucceededSchema = executionCreateSchema
  .omit({ status: true, jobId: true })
  .extend({
    outputs: jsonValueSchema,
    usage: jsonValueSchema.optional(),
    trace: jsonValueSchema.optional(),
    durationMs: z.number().min(0),
  })
  .strict();
/** Input of `executions.recordSucceeded`. */
export type ExecutionSucceeded = z.infer<typeof executionSucceededSchema>;

/**
 * Input of `executions.update`. Reaching `running` stamps `startedAt`; reaching a final status stamps
 * `finishedAt` and `durationMs` (measured from `startedAt` unless given).
 */
export const executionPatchSchema = z
  .object({
    status: executionStatusSchema.optional(),
    version: nameSchema.optional(),
    outputs: jsonValueSchema.optional(),
    trace: jsonValueSchema.optional(),
    usage: jsonValueSchema.optional(),
    error: recordedErrorSchema.optional(),
    node: nameSchema.optional(),
    durationMs: z.number().min(0).optional(),
  })
  .strict();
/** Input of `executions.update`. */
export type ExecutionPatch = z.infer<typeof executionPatchSchema>;
