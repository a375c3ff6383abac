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

/** What {@link jsonWalk} returns for a value that is not JSON. */
const NOT_JSON: unique symbol = Symbol('not JSON');

/**
 * `value` itself (`copy` false) or a copy of it (`copy` true) when it is a JSON value that reads
 * back from its JSON unchanged, else {@link NOT_JSON}: the one walk behind {@link isJsonValue}
 * and the copies {@link parseWithJsonFields} keeps (checking and copying in one pass).
 */
function jsonWalk(value: unknown, copy: boolean, depth: number): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      // -0 is written as 0: it would not read back as given.
      return Number.isFinite(value) && !Object.is(value, -0) ? value : NOT_JSON;
    case 'object': {
      if (value === null) return value;
      if (depth >= JSON_CHECK_DEPTH) return NOT_JSON;
      if (Array.isArray(value)) {
        const out: unknown[] | undefined = copy ? [] : undefined;
        for (const item of value) {
          const v = jsonWalk(item, copy, depth + 1);
          if (v === NOT_JSON) return NOT_JSON;
          out?.push(v);
        }
        return out ?? value;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) return NOT_JSON;
      const out: Record<string, unknown> | undefined = copy ? {} : undefined;
      for (const key in value) {
        const v = jsonWalk((value as Record<string, unknown>)[key], copy, depth + 1);
        if (v === NOT_JSON) return NOT_JSON;
        if (out === undefined) continue;
        // An own `__proto__` key (JSON.parse makes them) stays a key, as JSON.parse would keep it.
        if (key === '__proto__')
          Object.defineProperty(out, key, {
            value: v,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        else out[key] = v;
      }
      return out ?? value;
    }
    default:
      return NOT_JSON;
  }
}

/**
 * Whether `value` is a JSON value as `z.json()` accepts it (strings, finite numbers, booleans,
 * null, arrays and plain objects of them) that also reads back from its JSON unchanged (no `-0`,
 * which JSON writes as `0`), checked without copying. Errs on the side of no: a value it refuses
 * is then parsed by the schema, which names what is wrong. @internal
 */
export function isJsonValue(value: unknown): boolean {
  return jsonWalk(value, false, 0) !== NOT_JSON;
}

/** How {@link parseWithJsonFields} checks a JSON field: any JSON value, or a JSON object. */
export interface JsonFieldSpec {
  readonly kind: 'value' | 'object';
  readonly required: boolean;
}

/** A copy of a JSON field's value (`undefined` when absent), or {@link NOT_JSON}. */
function jsonFieldCopy(value: unknown, spec: JsonFieldSpec): unknown {
  if (value === undefined) return spec.required ? NOT_JSON : undefined;
  if (
    spec.kind === 'object' &&
    (value === null || typeof value !== 'object' || Array.isArray(value))
  )
    return NOT_JSON;
  return jsonWalk(value, true, 0);
}

/**
 * Parses an input object whose `json` fields are free JSON trees (an execution's inputs, outputs,
 * usage, trace): the other fields with `shallow` (the schema without the JSON fields), the JSON
 * fields checked and copied in one walk (not by a zod walk: the store serializes the record once,
 * right after, and keeps the copies as the record it returns, so later changes to the caller's
 * objects do not leak in). Anything that does not pass that way is parsed by the whole `schema`,
 * so errors are exactly {@link parseInput}'s, and its JSON fields are then copied through JSON:
 * either way they read back from their JSON unchanged. @internal
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
    for (const key in given) if (!(key in json)) rest[key] = given[key];
    const copies: Record<string, unknown> = {};
    let jsonOk = true;
    for (const key in json) {
      const copy = jsonFieldCopy(given[key], json[key] as JsonFieldSpec);
      if (copy === NOT_JSON) {
        jsonOk = false;
        break;
      }
      if (copy !== undefined) copies[key] = copy;
    }
    const parsed = jsonOk ? shallow.safeParse(rest) : undefined;
    // Object.assign onto the parse's own fresh object: a spread followed by new keys costs
    // microseconds in V8 (each added key makes a new map), Object.assign a fraction of that.
    if (parsed?.success === true) return Object.assign(parsed.data as object, copies) as T;
  }
  const parsed = parseInput(schema, value, what) as Record<string, unknown>;
  for (const key in json)
    if (parsed[key] !== undefined) parsed[key] = JSON.parse(JSON.stringify(parsed[key]));
  return parsed as T;
}
