import type { FieldType, LiteralValue } from './field-type.js';
import { pyNumber } from './python-format.js';

/**
 * Quotes a string inside a `Literal[...]` name as DSPy does: double quotes when it holds only `'`,
 * single quotes otherwise, with `\'` escaped when it holds both kinds of quote.
 */
export function quoteLiteralString(s: string): string {
  const single = s.includes("'");
  const double = s.includes('"');
  if (single && !double) return `"${s}"`;
  if (single && double) return `'${s.replaceAll("'", "\\'")}'`;
  return `'${s}'`;
}

function literalName(v: LiteralValue): string {
  if (typeof v === 'string') return quoteLiteralString(v);
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return pyNumber(v);
}

/**
 * The Python name DSPy prints for an annotation (`get_annotation_name`): `str`, `list[str]`,
 * `dict[str, float]`, `Literal['yes', 'no']`, `Union[int, NoneType]`, the model's class name,
 * `History`.
 *
 * @example
 * ```ts
 * pythonTypeName(FieldTypes.list(FieldTypes.float)) // 'list[float]'
 * ```
 */
export function pythonTypeName(t: FieldType): string {
  switch (t.kind) {
    case 'str':
    case 'int':
    case 'float':
    case 'bool':
      return t.kind;
    case 'any':
      return 'Any';
    case 'none':
      return 'NoneType';
    case 'history':
      return 'History';
    case 'list':
    case 'set':
      return t.item ? `${t.kind}[${pythonTypeName(t.item)}]` : t.kind;
    case 'tuple':
      return t.items ? `tuple[${t.items.map(pythonTypeName).join(', ')}]` : 'tuple';
    case 'dict':
      return t.key && t.value
        ? `dict[${pythonTypeName(t.key)}, ${pythonTypeName(t.value)}]`
        : 'dict';
    case 'literal':
      return `Literal[${t.values.map(literalName).join(', ')}]`;
    case 'union':
      return `Union[${t.members.map(pythonTypeName).join(', ')}]`;
    case 'model':
    case 'enum':
      return t.name;
  }
}
