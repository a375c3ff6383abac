/**
 * Python text helpers whose exact behaviour shapes prompts and prefixes: `infer_prefix`,
 * `inspect.cleandoc`, `textwrap.dedent` and `str.splitlines`.
 */

function isUpperPy(word: string): boolean {
  const cased = [...word].filter((c) => c.toLowerCase() !== c.toUpperCase());
  return cased.length > 0 && cased.every((c) => c === c.toUpperCase());
}

function capitalizePy(word: string): string {
  return word.length === 0 ? word : (word[0] as string).toUpperCase() + word.slice(1).toLowerCase();
}

/**
 * DSPy's `infer_prefix`: splits camelCase, digits and underscores into title-cased words, keeping
 * all-caps acronyms. The field prefix is this plus `:`.
 *
 * @example
 * ```ts
 * inferPrefix('isHTTPSSecure123') // 'Is HTTPS Secure 123'
 * ```
 */
export function inferPrefix(name: string): string {
  const s1 = name.replace(/(.)([A-Z][a-z]+)/g, '$1_$2');
  const s2 = s1.replace(/([a-z0-9])([A-Z])/g, '$1_$2');
  const s3 = s2.replace(/([a-zA-Z])(\d)/g, '$1_$2').replace(/(\d)([a-zA-Z])/g, '$1_$2');
  return s3
    .split('_')
    .map((w) => (isUpperPy(w) ? w : capitalizePy(w)))
    .join(' ');
}

/** Python's `str.expandtabs()`: the column restarts after every `\n` and `\r`. */
function expandTabs(text: string, size = 8): string {
  let out = '';
  let column = 0;
  for (const ch of text) {
    if (ch === '\t') {
      const pad = size - (column % size);
      out += ' '.repeat(pad);
      column += pad;
    } else {
      out += ch;
      column = ch === '\n' || ch === '\r' ? 0 : column + 1;
    }
  }
  return out;
}

/** Python's `inspect.cleandoc`: DSPy reads a signature's instructions through it. */
export function cleandoc(doc: string): string {
  const lines = expandTabs(doc).split('\n');
  let margin = Infinity;
  for (const line of lines.slice(1)) {
    const content = line.trimStart();
    if (content.length > 0) margin = Math.min(margin, line.length - content.length);
  }
  const first = (lines[0] ?? '').trimStart();
  const rest = lines.slice(1).map((l) => (margin === Infinity ? l : l.slice(margin)));
  const out = [first, ...rest];
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  while (out.length > 0 && out[0] === '') out.shift();
  return out.join('\n');
}

/** Python's `str.splitlines()` (no keepends): every Unicode line boundary, no trailing empty line. */
export function splitLinesPy(text: string): string[] {
  if (text === '') return [];
  // eslint-disable-next-line no-control-regex -- Python's splitlines() breaks on these separators
  const parts = text.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/);
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Python's `textwrap.dedent`: removes the common leading whitespace of non-blank lines. */
export function dedent(text: string): string {
  const lines = text.split('\n');
  let common: string | undefined;
  for (const line of lines) {
    if (line.trim() === '') continue;
    const indent = /^[ \t]*/.exec(line)?.[0] ?? '';
    if (common === undefined) common = indent;
    else {
      let i = 0;
      while (i < common.length && i < indent.length && common[i] === indent[i]) i++;
      common = common.slice(0, i);
    }
  }
  const prefix = common ?? '';
  return lines
    .map((l) => (l.trim() === '' ? l.replace(/^[ \t]+$/, '') : l.slice(prefix.length)))
    .join('\n');
}
