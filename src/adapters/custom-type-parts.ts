import type { ContentPart, LMMessage } from '../lm/types.js';
import { jsonRepairLoads } from '../signatures/index.js';
import { CUSTOM_TYPE_END, CUSTOM_TYPE_START } from './image.js';

const MARKED = new RegExp(`${CUSTOM_TYPE_START}(.*?)${CUSTOM_TYPE_END}`, 'gs');

/**
 * DSPy's payload readers in order: JSON, the doubly-encoded JSON a marker nested in a list or dict
 * becomes (`list[Image]`), then json_repair.
 */
function parsePayload(payload: string): unknown {
  try {
    return JSON.parse(payload);
  } catch {
    // next reader
  }
  try {
    return JSON.parse(JSON.parse(`"${payload}"`) as string);
  } catch {
    // next reader
  }
  try {
    return jsonRepairLoads(payload);
  } catch {
    return undefined;
  }
}

function payloadParts(payload: string): ContentPart[] {
  const parsed = parsePayload(payload);
  if (!Array.isArray(parsed)) return [{ type: 'text', text: payload }];
  return parsed.map((block: unknown) =>
    typeof block === 'object' && block !== null && !Array.isArray(block)
      ? (block as ContentPart)
      : { type: 'text', text: String(block) },
  );
}

/**
 * DSPy's `_split_legacy_custom_type_text_to_blocks`: the text between custom-type markers becomes
 * its content parts, the text around them text parts.
 */
export function splitCustomTypeText(text: string): ContentPart[] {
  const parts: ContentPart[] = [];
  let last = 0;
  for (const m of text.matchAll(MARKED)) {
    const start = m.index;
    if (start > last) parts.push({ type: 'text', text: text.slice(last, start) });
    parts.push(...payloadParts((m[1] ?? '').trim()));
    last = start + m[0].length;
  }
  if (last < text.length) parts.push({ type: 'text', text: text.slice(last) });
  return parts;
}

/**
 * DSPy's `_expand_legacy_custom_type_markers_in_chat_message` over a message list: a user message
 * whose text holds custom-type markers (an `Image` input) gets a list of content parts instead.
 */
export function expandCustomTypes<M extends LMMessage>(messages: M[]): M[] {
  return messages.map((m) =>
    m.role === 'user' && typeof m.content === 'string' && m.content.includes(CUSTOM_TYPE_START)
      ? ({ ...m, content: splitCustomTypeText(m.content) } as M)
      : m,
  );
}
