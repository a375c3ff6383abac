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

/** Nesting beyond which {@link isJsonValue} gives up (the schema then decides, as before). */
const JSON_CHECK_DEPTH = 64;

/**
 * Whether `value` is a JSON value as `z.json()` accepts it (strings, finite numbers, booleans,
 * null, arrays and plain objects of them), checked without copying. Errs on the side of no: a
 * value it refuses is then parsed by the schema, which names what is wrong. @internal
 */
export function isJsonValue(value: unknown, depth = 0): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (depth >= JSON_CHECK_DEPTH) return false;
      if (Array.isArray(value)) {
        for (const v of value) if (!isJsonValue(v, depth + 1)) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) return false;
      for (const key in value)
        if (!isJsonValue((value as Record<string, unknown>)[key], depth + 1)) return false;
      return true;
    }
    default:
      return false;
  }
}

/** How {@link parseWithJsonFields} checks a JSON field: any JSON value, or a JSON object. */
export interface JsonFieldSpec {
  readonly kind: 'value' | 'object';
  readonly required: boolean;
}

function isJsonField(value: unknown, spec: JsonFieldSpec): boolean {
  if (value === undefined) return !spec.required;
  if (
    spec.kind === 'object' &&
    (value === null || typeof value !== 'object' || Array.isArray(value))
  )
    return false;
  return isJsonValue(value);
}

/**
 * Parses an input object whose `json` fields are free JSON trees (an execution's inputs, outputs,
 * usage, trace): the other fields with `shallow` (the schema without the JSON fields), the JSON
 * fields checked by {@link isJsonValue} and kept as given, not copied by a schema walk (the store
 * serializes the record once, right after). Anything that does not pass that way is parsed by the
 * whole `schema`, so errors are exactly {@link parseInput}'s. @internal
 */
export function parseWithJsonFields<T>(
  schema: z.ZodType<T>,
  shallow: z.ZodType,
  json: Readonly<Record<string, JsonFieldSpec>>,
  value: unknown,
  what: string,
): T {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const given = value as Record<string, unknown>;
    const rest: Record<string, unknown> = {};
    for (const key of Object.keys(given)) if (!(key in json)) rest[key] = given[key];
    const jsonOk = Object.entries(json).every(([key, spec]) => isJsonField(given[key], spec));
    const parsed = jsonOk ? shallow.safeParse(rest) : undefined;
    if (parsed?.success === true) {
      const out = { ...(parsed.data as Record<string, unknown>) };
      for (const key of Object.keys(json)) if (given[key] !== undefined) out[key] = given[key];
      return out as T;
    }
  }
  return parseInput(schema, value, what);
}
