import { RepairParser } from './parser.js';
import { pyJsonLoads, type JsonValue } from './python-json.js';

export type { JsonValue } from './python-json.js';

const INTEGER_MINUS_ZERO = /-0(?![0-9.eE])/;

/**
 * `json_repair.loads(text)` (mangiucugna/json_repair, which DSPy's `parse_value` and
 * `JSONAdapter.parse` call), ported by behaviour: valid JSON (Python's dialect, with `NaN` and
 * `Infinity`) is read as is; anything else goes through json_repair's repairing parser, which
 * skips prose to the first `{`, `[` or tuple, closes what was left open, accepts single quotes,
 * unquoted keys and values, Python constants, comments, code fences and several top-level values
 * (returned as a list). Returns `''` when it finds no JSON at all, as json_repair does.
 *
 * @example
 * ```ts
 * jsonRepairLoads('Here you go: {"answer": "Paris"') // { answer: 'Paris' }
 * jsonRepairLoads('```json\n[1, 2]\n```')           // [1, 2]
 * jsonRepairLoads('0x1A')                            // '' (not JSON; DSPy then tries Python)
 * ```
 */
export function jsonRepairLoads(text: string): JsonValue {
  // Fast path: JSON.parse agrees with Python's json.loads on valid JSON, except that Python's
  // integer `-0` is 0 (JSON.parse gives -0), so texts with that token take the exact decoder.
  if (!INTEGER_MINUS_ZERO.test(text)) {
    try {
      return JSON.parse(text) as JsonValue;
    } catch {
      // not strict JSON: Python's dialect (NaN, Infinity), else the repairing parser
    }
  }
  const chars = [...text];
  const valid = pyJsonLoads(chars);
  if (valid) return valid.value;
  return new RepairParser(chars).parse();
}
