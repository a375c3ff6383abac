import type { LMMessage } from '../lm/types.js';
import { pyJsonDumps, signature, type Signature } from '../signatures/index.js';
import { ToolCalls, toolResultContent } from './tool-calls.js';

/** The input-only signature DSPy formats tool results with in text mode. */
const TOOL_CALL_RESULTS_SIGNATURE: Signature = signature('tool_call_results: dict -> ');

/** A history message's tool calls: the field holding them and the parsed value. */
export interface FoundToolCalls {
  readonly field: string;
  readonly calls: ToolCalls;
}

/** DSPy's `_tool_calls_from_message`: the first value that is (or looks like) a ToolCalls. */
export function toolCallsInMessage(message: Record<string, unknown>): FoundToolCalls | undefined {
  for (const [field, value] of Object.entries(message)) {
    if (value instanceof ToolCalls) return { field, calls: value };
    if (typeof value === 'object' && value !== null && 'tool_calls' in value) {
      return { field, calls: ToolCalls.from(value) };
    }
  }
  return undefined;
}

/** The formatters a history turn needs from its adapter. */
export interface TurnFormatters {
  assistant(sig: Signature, values: Record<string, unknown>): string;
  user(sig: Signature, values: Record<string, unknown>): string;
}

/** Results usable for native turns: one per call, same ids in the same order, all ids present. */
function alignedResults(calls: ToolCalls): boolean {
  const results = calls.toolCallResults;
  if (results === undefined || results.length !== calls.toolCalls.length) return false;
  return calls.toolCalls.every((c, i) => c.id !== undefined && c.id === results[i]?.callId);
}

/**
 * The assistant side of a history message that holds tool calls (the user side is already
 * formatted). Native: an assistant turn with the outputs that are not tool calls as text and the
 * calls as provider tool calls, then one `tool` message per result. Text: the calls (without
 * results) in the assistant text, then the results as a user turn.
 */
export function toolCallTurn(
  sig: Signature,
  message: Record<string, unknown>,
  found: FoundToolCalls,
  native: boolean,
  format: TurnFormatters,
): LMMessage[] {
  const { calls } = found;
  const messages: LMMessage[] = [];
  if (native) {
    let contentSig = sig;
    for (const f of sig.outputFields) {
      const v = message[f.name];
      if (f.type.native === 'toolCalls' || v === null || v === undefined) {
        contentSig = contentSig.delete(f.name);
      }
    }
    const content = contentSig.outputFields.length > 0 ? format.assistant(contentSig, message) : '';
    const withResults = alignedResults(calls);
    if (withResults) {
      messages.push({
        role: 'assistant',
        content: content === '' ? null : content,
        toolCalls: calls.toolCalls.map((c) => ({
          id: c.id as string,
          name: c.name,
          arguments: pyJsonDumps(c.args),
        })),
      });
      for (const r of calls.toolCallResults ?? []) {
        messages.push({
          role: 'tool',
          toolCallId: r.callId as string,
          content: toolResultContent(r.value),
        });
      }
    } else if (content !== '') {
      messages.push({ role: 'assistant', content });
    }
    return messages;
  }
  const values = { ...message, [found.field]: calls.withResults(undefined) };
  const assistant = format.assistant(sig, values);
  if (assistant) messages.push({ role: 'assistant', content: assistant });
  if (calls.toolCallResults !== undefined) {
    const results = calls.withResults(calls.toolCallResults).toJSON()['tool_call_results'];
    const content = format.user(TOOL_CALL_RESULTS_SIGNATURE, {
      tool_call_results: { tool_call_results: results },
    });
    messages.push({ role: 'user', content });
  }
  return messages;
}
