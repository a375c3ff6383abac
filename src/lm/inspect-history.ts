import { globalLMHistory, type LMHistoryEntry } from './history.js';

/** Options of {@link inspectHistory}. */
export interface InspectHistoryOptions {
  /** ANSI colours as in DSPy's terminal output (default false: the string is often logged). */
  color?: boolean;
}

const paint = (code: string, on: boolean) => (s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);

function messageText(m: LMHistoryEntry['messages'][number]): string {
  if (m.role === 'assistant' && 'toolCalls' in m) {
    const calls = m.toolCalls.map((c) => `${c.name}: ${c.arguments}`).join('\n');
    return [m.content ?? '', calls].filter((s) => s !== '').join('\n');
  }
  if (typeof m.content === 'string') return m.content;
  // DSPy's `inspect_history`: each part on its own line, base64 images shortened to their length.
  return m.content
    .map((p) => {
      if (p.type === 'text') return p.text.trim();
      const url = p.image_url.url;
      const at = url.indexOf('base64,');
      return at < 0
        ? `<image_url: ${url}>`
        : `<${url.slice(0, at)}base64,<IMAGE BASE 64 ENCODED(${url.length - at - 7})>`;
    })
    .join('\n');
}

/**
 * Renders history entries the way DSPy's `inspect_history` prints them: a timestamp, each message as
 * `<Role> message:` and its content, then `Response:` with the first completion (and a note when
 * there were more). Returns the string; print it yourself.
 *
 * @example
 * ```ts
 * console.log(inspectHistory(1));       // last call of any LM
 * console.log(lm.inspectHistory(3));    // last 3 calls of one LM
 * ```
 */
export function renderHistory(
  entries: LMHistoryEntry[],
  options: InspectHistoryOptions = {},
): string {
  const on = options.color === true;
  const red = paint('31', on);
  const green = paint('32', on);
  const blue = paint('34', on);
  let out = '';
  for (const e of entries) {
    out += '\n\n\n\n';
    out += blue(`[${e.timestamp}]`) + '\n\n';
    for (const m of e.messages) {
      const role = m.role.charAt(0).toUpperCase() + m.role.slice(1);
      out += red(`${role} message:`) + '\n\n';
      out += messageText(m).trim() + '\n\n\n';
    }
    const first = e.response.choices[0];
    if (first !== undefined && first.text !== '') {
      out += red('Response:') + '\n\n' + green(first.text.trim()) + '\n\n';
    }
    if (first?.toolCalls !== undefined && first.toolCalls.length > 0) {
      out += red('Tool calls:') + '\n\n';
      for (const c of first.toolCalls) out += green(`${c.name}: ${c.arguments}`) + '\n\n';
    }
    const more = e.response.choices.length - 1;
    if (more > 0) out += red(` \t (and ${more} other completions)`) + '\n';
  }
  return out + '\n\n\n\n';
}

/** Renders the last `n` calls of the global history (all LMs), DSPy's `dspy.inspect_history(n)`. */
export function inspectHistory(n = 1, options: InspectHistoryOptions = {}): string {
  return renderHistory(globalLMHistory(n), options);
}
