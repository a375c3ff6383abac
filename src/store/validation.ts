import type { z } from 'zod';
import { StoreError } from './store-error.js';

function issuesOf(error: z.ZodError): { path: string; code: string; message: string }[] {
  return error.issues.map((i) => ({
    path: i.path.map(String).join('.'),
    code: i.code,
    message: i.message,
  }));
}

/** Parses a caller's argument; `invalid_input` naming each offending path otherwise. @internal */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = issuesOf(result.error);
  const summary = issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ');
  throw new StoreError('invalid_input', `invalid ${what}: ${summary}`, {
    details: { what, issues },
  });
}

/** Parses a stored value; `corrupt_record` if it no longer matches its schema. @internal */
export function parseStored<T>(schema: z.ZodType<T>, json: string, key: string): T {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (cause) {
    throw new StoreError('corrupt_record', `stored value of ${key} is not JSON`, {
      cause,
      details: { key },
    });
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new StoreError('corrupt_record', `stored value of ${key} does not match its schema`, {
    details: { key, issues: issuesOf(result.error) },
  });
}

/**
 * `value` without its `undefined` fields, so spreading a patch over a record never erases a stored
 * field (`{ outputs: undefined }` means "not given", not "delete"). @internal
 */
export function definedFields<T extends object>(
  value: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
