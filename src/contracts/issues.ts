import type { z } from 'zod';

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
