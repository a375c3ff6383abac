/**
 * The slice of DSPy's ChatAdapter text format the LM layer needs (DummyLM answers, demo lookup,
 * the fixtures' echo mode). src/lm sits below src/adapters, so it carries its own copy.
 */

import type { ContentPart } from './types.js';

/** Matches a field header at the start of a line: `[[ ## name ## ]]`. */
export const FIELD_HEADER = /^\[\[ ## (\w+) ## \]\]/;

/** All field headers in a text, in order. */
export function fieldHeaders(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\[\[ ## (\w+) ## \]\]/g)) if (m[1] !== undefined) out.push(m[1]);
  return out;
}

/** Compact JSON with Python's `", "` / `": "` separators, as DSPy serialises lists and dicts. */
export function pythonicJSON(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return '[' + value.map(pythonicJSON).join(', ') + ']';
  const parts = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => JSON.stringify(k) + ': ' + pythonicJSON(v));
  return '{' + parts.join(', ') + '}';
}

/**
 * A value as DSPy's `format_field_value` writes it: strings as they are, booleans `True`/`False`,
 * null `None`, numbers as numbers, lists and objects as compact JSON.
 */
export function formatFieldValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return pythonicJSON(value);
}

/**
 * An assistant answer in ChatAdapter format: `[[ ## field ## ]]\nvalue` blocks separated by blank
 * lines, then `[[ ## completed ## ]]` (pass `completed: false` for DSPy DummyLM's exact bytes, which
 * omit the marker).
 *
 * @example
 * ```ts
 * formatChatAnswer({ answer: 'Paris' }); // '[[ ## answer ## ]]\nParis\n\n[[ ## completed ## ]]'
 * ```
 */
export function formatChatAnswer(
  fields: Readonly<Record<string, unknown>>,
  options: { completed?: boolean } = {},
): string {
  const blocks = Object.entries(fields).map(([k, v]) => `[[ ## ${k} ## ]]\n${formatFieldValue(v)}`);
  if (options.completed !== false) blocks.push('[[ ## completed ## ]]');
  return blocks.join('\n\n');
}

/** An answer as DSPy's JSONAdapter expects it: a 2-space-indented JSON object. */
export function formatJsonAnswer(fields: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(fields, null, 2);
}

/**
 * The text of a message's content: the string itself, or a multi-part content's text parts joined
 * (image parts left out). What text-only consumers (DummyLM lookups, echo fixtures) read.
 *
 * @example
 * ```ts
 * messageText([{ type: 'text', text: 'a' }, { type: 'image_url', image_url: { url } }]); // 'a'
 * ```
 */
export function messageText(content: string | readonly ContentPart[] | null | undefined): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  return content.map((p) => (p.type === 'text' ? p.text : '')).join('');
}
