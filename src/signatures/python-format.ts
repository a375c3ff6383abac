import type { FieldType } from './field-type.js';

/**
 * Python's `repr(float)`: the shortest round-tripping digits, fixed notation for exponents in
 * [-4, 16), scientific (`1e-05`, `1e+16`) otherwise, and always a `.0` on integral values. JS's
 * `String(n)` differs (`1`, `1e-7`), and byte-exact prompts need Python's spelling.
 */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa = '', expText = '0'] = x.toExponential().split('e');
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const exp = Number(expText);
  let body: string;
  if (exp >= -4 && exp < 16) {
    if (exp >= 0) {
      const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
      const frac = digits.slice(exp + 1);
      body = `${intPart}.${frac === '' ? '0' : frac}`;
    } else {
      body = `0.${'0'.repeat(-exp - 1)}${digits}`;
    }
  } else {
    const frac = digits.slice(1);
    const sign = exp < 0 ? '-' : '+';
    body = `${digits[0] ?? ''}${frac ? `.${frac}` : ''}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return negative ? `-${body}` : body;
}

/** Python's `str(int)` for a JS integer (no exponent, even above 1e21). */
export function pyIntRepr(x: number): string {
  return Math.abs(x) >= 1e21 ? BigInt(x).toString() : String(x);
}

/** Whether a number should print as a Python float given the declared type (if any). */
function numberIsFloat(x: number, type: FieldType | undefined): boolean {
  if (!Number.isInteger(x)) return true;
  if (type === undefined) return false;
  if (type.kind === 'float') return true;
  if (type.kind === 'union') {
    return (
      type.members.some((m) => m.kind === 'float') && !type.members.some((m) => m.kind === 'int')
    );
  }
  return false;
}

/** Formats a number as Python would print it for the declared type. */
export function pyNumber(x: number, type?: FieldType): string {
  return numberIsFloat(x, type) ? pyFloatRepr(x) : pyIntRepr(x);
}

/** Python's `repr(str)`: single quotes unless the text holds a `'` and no `"`. */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

const PY_TUPLE: unique symbol = Symbol('dspex.pyTuple');

/**
 * Marks an array as a Python tuple (what `ast.literal_eval('3,5')` gives), so that error messages
 * show it as pydantic does: `(3, 5)`, `input_type=tuple`. The mark is not enumerable: the value
 * stays a plain array everywhere else.
 */
export function markPyTuple<T extends unknown[]>(items: T): T {
  Object.defineProperty(items, PY_TUPLE, { value: true });
  return items;
}

/** Whether an array came from a Python tuple (see {@link markPyTuple}). */
export function isPyTuple(value: unknown): boolean {
  return Array.isArray(value) && (value as unknown as Record<symbol, unknown>)[PY_TUPLE] === true;
}

/** Python's `repr()` of a JSON-like JS value (lists, dicts, True/False/None). */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'string') return pyStrRepr(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return pyNumber(value);
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) {
    if (!isPyTuple(value)) return `[${value.map(pyRepr).join(', ')}]`;
    return value.length === 1 ? `(${pyRepr(value[0])},)` : `(${value.map(pyRepr).join(', ')})`;
  }
  if (value instanceof Set)
    return value.size === 0 ? 'set()' : `{${[...value].map(pyRepr).join(', ')}}`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return `{${entries.map(([k, v]) => `${pyStrRepr(k)}: ${pyRepr(v)}`).join(', ')}}`;
  }
  return String(value);
}

/** Python's `str()`: strings unchanged, everything else as `repr()`. */
export function pyStr(value: unknown, type?: FieldType): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return pyNumber(value, type);
  return pyRepr(value);
}

/** The declared type of `type`'s element at `key` (list item, dict value, model property), if known. */
export function elementType(
  type: FieldType | undefined,
  key: string | number,
): FieldType | undefined {
  if (type === undefined) return undefined;
  switch (type.kind) {
    case 'list':
    case 'set':
      return type.item;
    case 'tuple':
      return typeof key === 'number' ? type.items?.[key] : undefined;
    case 'dict':
      return type.value;
    case 'model':
      return type.properties.find((p) => p.name === key)?.type;
    case 'union': {
      const containers = type.members.filter((m) => m.kind !== 'none');
      return containers.length === 1 ? elementType(containers[0], key) : undefined;
    }
    default:
      return undefined;
  }
}

/** Converts JS-only values (Set, Map, Date, undefined) to what Pydantic's JSON mode would emit. */
export function toJsonable(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  // Custom value types (ToolCalls, Tool) say how they serialise, as Pydantic serializers do in DSPy.
  const custom = value as { toJSON?: unknown } | null;
  if (typeof custom === 'object' && custom !== null && typeof custom.toJSON === 'function') {
    return toJsonable((custom.toJSON as () => unknown).call(value));
  }
  if (value instanceof Set) return [...value].map(toJsonable);
  if (value instanceof Map) {
    return Object.fromEntries([...value].map(([k, v]) => [String(k), toJsonable(v)]));
  }
  if (Array.isArray(value)) return value.map(toJsonable);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = toJsonable(v);
    return out;
  }
  return value;
}

/**
 * Python's `json.dumps(value, ensure_ascii=False)` (separators `", "` and `": "`), or with
 * `indent` its pretty form. Numbers print as Python floats where the declared type says float.
 */
export function pyJsonDumps(value: unknown, type?: FieldType, indent?: number): string {
  return dumpJson(toJsonable(value), type, indent, 0);
}

function dumpJson(
  v: unknown,
  type: FieldType | undefined,
  indent: number | undefined,
  depth: number,
): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
    return pyNumber(v, type);
  }
  if (typeof v === 'string') return JSON.stringify(v);
  const pad = indent === undefined ? '' : '\n' + ' '.repeat(indent * (depth + 1));
  const close = indent === undefined ? '' : '\n' + ' '.repeat(indent * depth);
  const sep = indent === undefined ? ', ' : ',';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    const parts = v.map((item, i) => pad + dumpJson(item, elementType(type, i), indent, depth + 1));
    return `[${parts.join(sep)}${close}]`;
  }
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length === 0) return '{}';
  const parts = entries.map(
    ([k, item]) =>
      `${pad}${JSON.stringify(k)}: ${dumpJson(item, elementType(type, k), indent, depth + 1)}`,
  );
  return `{${parts.join(sep)}${close}}`;
}
