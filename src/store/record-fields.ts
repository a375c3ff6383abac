import { z } from 'zod';

/** Any JSON value. Records hold program state, inputs, outputs and traces as opaque JSON. */
export const jsonValueSchema = z.json();
/** A JSON value (what survives `JSON.stringify` → `JSON.parse` unchanged). */
export type JsonValue = z.infer<typeof jsonValueSchema>;

/** A JSON object (inputs, params, examples). */
export const jsonObjectSchema = z.record(z.string(), jsonValueSchema);
/** A JSON object. */
export type JsonObject = z.infer<typeof jsonObjectSchema>;

/** An ISO-8601 UTC timestamp, as produced by `new Date(ms).toISOString()`. */
export const timestampSchema = z.iso.datetime();

/** A record key part: non-empty, bounded, no control characters. */
export const nameSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[^\p{Cc}]+$/u, 'must not contain control characters');

/** Optimistic-concurrency counter: 1 at creation, +1 on every write. */
export const revisionSchema = z.number().int().min(1);

/** A failure recorded on an execution or run: stable code plus a readable message. */
export const recordedErrorSchema = z
  .object({
    code: z.string().min(1),
    message: z.string(),
    retryable: z.boolean().optional(),
    details: jsonValueSchema.optional(),
  })
  .strict();
/** A failure recorded on an execution or run. */
export type RecordedError = z.infer<typeof recordedErrorSchema>;
