import { z } from 'zod';

/** Name of the built-in job-payload schema of the `dspex-run` queue. */
export const RUN_JOB_SCHEMA = 'dspex-run';

/**
 * Job data of the `dspex-run` queue (DESIGN §5): `{ program, inputs, version?, config? }`.
 * Unknown top-level keys are dropped, so producers may add their own metadata.
 */
export const runJobSchema = z.object({
  program: z.string().min(1, 'program must be a non-empty string'),
  inputs: z.record(z.string(), z.unknown()),
  version: z.string().min(1).optional(),
  config: z.record(z.string(), z.unknown()).optional(),
});

/** Validated `dspex-run` job data. */
export type RunJob = z.infer<typeof runJobSchema>;

/** One zod issue, flattened for replies and job failure reasons. */
export interface SchemaIssue {
  path: string;
  message: string;
}

/** Flattens zod issues (`inputs.question: Invalid input: expected string`). */
export function flattenIssues(error: z.ZodError): SchemaIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

/** The readable one-line reason of a set of issues. */
export function issuesText(issues: readonly SchemaIssue[]): string {
  return issues.map((i) => `${i.path === '' ? '(root)' : i.path}: ${i.message}`).join('; ');
}
