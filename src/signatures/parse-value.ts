import type { FieldType } from './field-type.js';
import { SignatureError } from './errors.js';
import { jsonRepairLoads } from './json-repair/index.js';
import { pyRepr, pyStr } from './python-format.js';
import { PythonLiteralError, pythonLiteralEval } from './python-literal.js';
import { pythonTypeName } from './type-name.js';
import { validateValue } from './validate-value.js';

/**
 * DSPy's `parse_value`: turns an LM-produced value into the field's type. `str` fields take
 * Python's `str()` of the value; `Literal`s accept quoted or `Literal[...]`-wrapped spellings;
 * `Optional[str]`-like unions keep strings as they are; everything else is read with
 * {@link jsonRepairLoads}, then as a Python literal (`0x1A`, `'3,5'`), else kept as the raw text,
 * and then validated.
 *
 * @example
 * ```ts
 * parseValue("{'key': 'value'}", FieldTypes.dict()) // { key: 'value' }
 * parseValue("'option1'", FieldTypes.literal('option1', 'option2')) // 'option1'
 * ```
 */
export function parseValue(value: unknown, type: FieldType): unknown {
  if (type.kind === 'str' && !type.zod) return pyStr(value);
  if (type.kind === 'str') return validateValue(pyStr(value), type);

  if (type.kind === 'enum') {
    // DSPy's find_enum_member: by value first, then by member name; no JSON reading.
    const byValue = type.members.find(([, v]) => v === value);
    const byName = type.members.find(([n]) => n === value);
    const hit = byValue ?? byName;
    if (hit) return validateValue(hit[1], type);
    throw new SignatureError(
      `${pyStr(value)} is not a valid name or value for the enum ${type.name}`,
      { code: 'invalid_value', details: { type: type.name, input: value } },
    );
  }

  if (type.kind === 'literal') {
    if (type.values.some((x) => value === x)) return validateValue(value, type);
    if (typeof value === 'string') {
      let v = value.trim();
      if ((v.startsWith('Literal[') || v.startsWith('str[')) && v.endsWith(']')) {
        v = v.slice(v.indexOf('[') + 1, -1);
      }
      if (v.length > 1 && v[0] === v[v.length - 1] && (v[0] === '"' || v[0] === "'")) {
        v = v.slice(1, -1);
      }
      if (type.values.some((x) => v === x)) return validateValue(v, type);
    }
    throw new SignatureError(
      `${pyRepr(value)} is not one of (${type.values.map(pyRepr).join(', ')}${type.values.length === 1 ? ',' : ''})`,
      { code: 'invalid_value', details: { type: pythonTypeName(type), input: value } },
    );
  }

  if (typeof value !== 'string') return validateValue(value, type);

  if (
    type.kind === 'union' &&
    type.members.some((m) => m.kind === 'none') &&
    type.members.some((m) => m.kind === 'str')
  ) {
    return validateValue(value, type);
  }

  // json_repair first ('' means it found no JSON), then Python's literal_eval, then the raw text.
  let candidate: unknown = jsonRepairLoads(value);
  if (candidate === '' && value !== '') {
    try {
      candidate = pythonLiteralEval(value);
    } catch (e) {
      if (!(e instanceof PythonLiteralError)) throw e;
      candidate = value;
    }
  }
  return validateValue(candidate, type);
}
