import type { FieldType } from './field-type.js';
import { SignatureError } from './errors.js';
import { isPyTuple, pyRepr } from './python-format.js';
import { pythonTypeName } from './type-name.js';

/** One reason a value does not fit a type, with where it sits inside the value. */
interface Issue {
  path: (string | number)[];
  /** Pydantic's error type (`int_parsing`, `missing`, …). */
  type: string;
  message: string;
  input: unknown;
}

class Invalid extends Error {
  constructor(readonly issues: Issue[]) {
    super(issues.map((i) => i.message).join('; '));
  }
}

function fail(type: string, message: string, input: unknown): never {
  throw new Invalid([{ path: [], type, message, input }]);
}

const TRUE_STRINGS = new Set(['1', 'on', 't', 'true', 'y', 'yes']);
const FALSE_STRINGS = new Set(['0', 'off', 'f', 'false', 'n', 'no']);

function toInt(v: unknown): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return v;
    if (!Number.isFinite(v)) fail('finite_number', 'Input should be a finite number', v);
    fail(
      'int_from_float',
      'Input should be a valid integer, got a number with a fractional part',
      v,
    );
  }
  if (typeof v === 'string') {
    const s = v.trim().replaceAll('_', '');
    if (/^[-+]?\d+$/.test(s)) return Number(s);
    if (/^[-+]?\d+\.0*$/.test(s)) return Number(s);
    fail('int_parsing', 'Input should be a valid integer, unable to parse string as an integer', v);
  }
  return fail('int_type', 'Input should be a valid integer', v);
}

function toFloat(v: unknown): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const s = v.trim().replaceAll('_', '').toLowerCase();
    if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/.test(s)) return Number(s);
    if (/^[-+]?(inf|infinity)$/.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
    if (s === 'nan') return NaN;
    fail('float_parsing', 'Input should be a valid number, unable to parse string as a number', v);
  }
  return fail('float_type', 'Input should be a valid number', v);
}

function toBool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number' && (v === 0 || v === 1)) return v === 1;
  if (typeof v === 'number' && Number.isInteger(v)) {
    fail('bool_parsing', 'Input should be a valid boolean, unable to interpret input', v);
  }
  if (typeof v === 'string') {
    const s = v.toLowerCase();
    if (TRUE_STRINGS.has(s)) return true;
    if (FALSE_STRINGS.has(s)) return false;
    fail('bool_parsing', 'Input should be a valid boolean, unable to interpret input', v);
  }
  return fail('bool_type', 'Input should be a valid boolean', v);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Set);
}

function asArray(v: unknown, what: string): unknown[] {
  if (Array.isArray(v)) return v;
  if (v instanceof Set) return [...v];
  return fail(`${what}_type`, `Input should be a valid ${what}`, v);
}

function literalMatches(a: unknown, b: unknown): boolean {
  return a === b;
}

/** Validates every element, collecting issues with their positions. */
function each<T>(
  items: [string | number, unknown, FieldType | undefined][],
  build: (out: [string | number, unknown][]) => T,
): T {
  const out: [string | number, unknown][] = [];
  const issues: Issue[] = [];
  for (const [key, value, type] of items) {
    try {
      out.push([key, type ? validate(value, type) : value]);
    } catch (e) {
      if (!(e instanceof Invalid)) throw e;
      for (const issue of e.issues) issues.push({ ...issue, path: [key, ...issue.path] });
    }
  }
  if (issues.length > 0) throw new Invalid(issues);
  return build(out);
}

/**
 * The name pydantic-core gives a type's validator, which heads its ValidationError and labels
 * union members: `list[int]`, `dict[str,int]`, `nullable[float]`, `union[int,str]`,
 * `literal['a','b']`, `tuple[int, bool]`, `list[any]` for a bare `list`.
 */
export function pydanticTitle(t: FieldType): string {
  switch (t.kind) {
    case 'str':
    case 'int':
    case 'float':
    case 'bool':
    case 'any':
    case 'none':
      return t.kind;
    case 'list':
    case 'set':
      return `${t.kind}[${t.item ? pydanticTitle(t.item) : 'any'}]`;
    case 'tuple':
      return t.items ? `tuple[${t.items.map(pydanticTitle).join(', ')}]` : 'tuple[any, ...]';
    case 'dict':
      return `dict[${t.key ? pydanticTitle(t.key) : 'any'},${t.value ? pydanticTitle(t.value) : 'any'}]`;
    case 'literal':
      return `literal[${t.values.map(pyRepr).join(',')}]`;
    case 'union': {
      const rest = t.members.filter((m) => m.kind !== 'none');
      const inner =
        rest.length === 1
          ? pydanticTitle(rest[0] as FieldType)
          : `union[${rest.map(pydanticTitle).join(',')}]`;
      return rest.length < t.members.length ? `nullable[${inner}]` : inner;
    }
    case 'history':
      return 'History';
    case 'enum':
    case 'model':
      return t.name;
  }
}

/** Pydantic's "smart" union: an exact-kind member first, then the first member that validates. */
function validateUnion(v: unknown, members: readonly FieldType[]): unknown {
  const exact = members.find((m) => exactKind(v, m));
  if (exact) {
    try {
      return validate(v, exact);
    } catch {
      // fall through to lax matching in declaration order
    }
  }
  const issues: Issue[] = [];
  for (const m of members) {
    try {
      return validate(v, m);
    } catch (e) {
      if (!(e instanceof Invalid)) throw e;
      issues.push(...e.issues.map((i) => ({ ...i, path: [pydanticTitle(m), ...i.path] })));
    }
  }
  throw new Invalid(issues);
}

function exactKind(v: unknown, t: FieldType): boolean {
  switch (t.kind) {
    case 'str':
      return typeof v === 'string';
    case 'int':
      return typeof v === 'number' && Number.isInteger(v);
    case 'float':
      return typeof v === 'number';
    case 'bool':
      return typeof v === 'boolean';
    case 'none':
      return v === null || v === undefined;
    case 'list':
    case 'tuple':
    case 'set':
      return Array.isArray(v);
    case 'dict':
    case 'model':
    case 'history':
      return isRecord(v);
    case 'literal':
      return t.values.some((x) => literalMatches(v, x));
    case 'enum':
      return t.members.some(([, x]) => x === v);
    default:
      return false;
  }
}

function validate(v: unknown, t: FieldType): unknown {
  const value = validateShape(v, t);
  if (t.zod) {
    const result = t.zod.safeParse(value);
    if (!result.success) {
      fail('value_error', result.error.issues.map((i) => i.message).join('; '), value);
    }
    return result.data;
  }
  return value;
}

function validateShape(v: unknown, t: FieldType): unknown {
  switch (t.kind) {
    case 'any':
      return v;
    case 'str':
      return typeof v === 'string' ? v : fail('string_type', 'Input should be a valid string', v);
    case 'int':
      return toInt(v);
    case 'float':
      return toFloat(v);
    case 'bool':
      return toBool(v);
    case 'none':
      return v === null || v === undefined
        ? null
        : fail('none_required', 'Input should be None', v);
    case 'enum': {
      if (t.members.some(([, x]) => x === v)) return v;
      const shown = t.members.map(([, x]) => pyRepr(x));
      const expected =
        shown.length > 1
          ? `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]}`
          : shown[0];
      return fail('enum', `Input should be ${expected}`, v);
    }
    case 'literal': {
      const hit = t.values.find((x) => literalMatches(v, x));
      if (hit !== undefined) return hit;
      const shown = t.values.map(pyRepr);
      const expected =
        shown.length > 1
          ? `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]}`
          : shown[0];
      return fail('literal_error', `Input should be ${expected}`, v);
    }
    case 'union': {
      // Optional[...] is pydantic's `nullable`: None passes, anything else meets the rest.
      const rest = t.members.filter((m) => m.kind !== 'none');
      if (rest.length < t.members.length && (v === null || v === undefined)) return null;
      return rest.length === 1 ? validate(v, rest[0] as FieldType) : validateUnion(v, rest);
    }
    case 'list':
      return each(
        asArray(v, 'list').map(
          (x, i) => [i, x, t.item] as [number, unknown, FieldType | undefined],
        ),
        (out) => out.map(([, x]) => x),
      );
    case 'set':
      return each(
        asArray(v, 'set').map((x, i) => [i, x, t.item] as [number, unknown, FieldType | undefined]),
        (out) => [...new Set(out.map(([, x]) => x))],
      );
    case 'tuple': {
      const arr = asArray(v, 'tuple');
      const items = t.items;
      if (items && arr.length > items.length) {
        fail(
          'too_long',
          `Tuple should have at most ${items.length} items after validation, not ${arr.length}`,
          v,
        );
      }
      if (items && arr.length < items.length) {
        // Pydantic reports the given positions' errors, then each missing position as required.
        const missing: Issue[] = items.slice(arr.length).map((_, k) => ({
          path: [arr.length + k],
          type: 'missing',
          message: 'Field required',
          input: v,
        }));
        try {
          each(
            arr.map((x, i) => [i, x, items[i]] as [number, unknown, FieldType | undefined]),
            () => undefined,
          );
        } catch (e) {
          if (!(e instanceof Invalid)) throw e;
          throw new Invalid([...e.issues, ...missing]);
        }
        throw new Invalid(missing);
      }
      return each(
        arr.map((x, i) => [i, x, items?.[i]] as [number, unknown, FieldType | undefined]),
        (out) => out.map(([, x]) => x),
      );
    }
    case 'dict': {
      if (!isRecord(v)) return fail('dict_type', 'Input should be a valid dictionary', v);
      return each(
        Object.entries(v).map(
          ([k, x]) => [k, x, t.value] as [string, unknown, FieldType | undefined],
        ),
        (out) => Object.fromEntries(out),
      );
    }
    case 'history': {
      if (!isRecord(v) || !Array.isArray(v['messages'])) {
        return fail('model_type', 'Input should be a valid dictionary or instance of History', v);
      }
      return v;
    }
    case 'model': {
      if (!isRecord(v))
        return fail('model_type', `Input should be a valid dictionary or instance of ${t.name}`, v);
      const issues: Issue[] = [];
      const out: Record<string, unknown> = {};
      for (const p of t.properties) {
        if (!(p.name in v) || v[p.name] === undefined) {
          if (p.required)
            issues.push({ path: [p.name], type: 'missing', message: 'Field required', input: v });
          else if ('default' in p) out[p.name] = structuredClone(p.default);
          continue;
        }
        try {
          out[p.name] = validate(v[p.name], p.type);
        } catch (e) {
          if (!(e instanceof Invalid)) throw e;
          issues.push(...e.issues.map((i) => ({ ...i, path: [p.name, ...i.path] })));
        }
      }
      if (issues.length > 0) throw new Invalid(issues);
      return out;
    }
  }
}

/** Python's type name of a JSON-like value (Pydantic's `input_type`). */
function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (Array.isArray(v)) return isPyTuple(v) ? 'tuple' : 'list';
  if (v instanceof Set) return 'set';
  return 'dict';
}

/** Pydantic's `ValidationError` text: a count line, then per issue its path and message. */
function toSignatureError(e: Invalid, t: FieldType, input: unknown): SignatureError {
  const n = e.issues.length;
  const lines = e.issues.map((i) => {
    const where = i.path.length > 0 ? `${i.path.join('.')}\n` : '';
    return `${where}  ${i.message} [type=${i.type}, input_value=${pyRepr(i.input)}, input_type=${pyTypeName(i.input)}]`;
  });
  const message = `${n} validation error${n === 1 ? '' : 's'} for ${pydanticTitle(t)}\n${lines.join('\n')}`;
  return new SignatureError(message, {
    code: 'invalid_value',
    details: {
      type: pythonTypeName(t),
      input,
      issues: e.issues.map((i) => ({ path: i.path, type: i.type, message: i.message })),
    },
  });
}

/**
 * Whether an error is a failed type validation from {@link validateValue} (DSPy: pydantic's
 * `ValidationError`), as opposed to `parseValue`'s Literal/enum mismatch (DSPy: `ValueError`).
 */
export function isValidationError(e: unknown): e is SignatureError {
  return e instanceof SignatureError && Array.isArray(e.details?.['issues']);
}

/**
 * Validates (and leniently converts, like Pydantic's lax mode) a value against a field type:
 * `"42"` → 42 for `int`, `"true"` → true for `bool`, 1.0 → 1 for `int`. Throws a
 * {@link SignatureError} with code `invalid_value` listing every issue.
 *
 * @example
 * ```ts
 * validateValue(['1', 2], FieldTypes.list(FieldTypes.int)) // [1, 2]
 * ```
 */
export function validateValue(value: unknown, type: FieldType): unknown {
  try {
    return validate(value, type);
  } catch (e) {
    if (e instanceof Invalid) throw toSignatureError(e, type, value);
    throw e;
  }
}
