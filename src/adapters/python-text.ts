/** Characters Python's `str.strip()` removes (`str.isspace()`), which differ slightly from JS's `trim()`. */
// eslint-disable-next-line no-control-regex -- these separators are exactly what Python treats as space
const PY_SPACE = /[\s\x1c-\x1f\x85]/u;

function isPySpace(ch: string): boolean {
  return ch !== '\ufeff' && PY_SPACE.test(ch);
}

/** Python's `str.strip()`: adapters strip joined sections exactly as DSPy does. */
export function pyStrip(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isPySpace(s[start] as string)) start++;
  while (end > start && isPySpace(s[end - 1] as string)) end--;
  return s.slice(start, end);
}
