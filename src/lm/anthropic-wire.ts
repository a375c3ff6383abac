import type Anthropic from '@anthropic-ai/sdk';
import { messageText } from './chat-format.js';
import type { ContentPart, FinishReason, LMChoice, LMRequest, ToolCall } from './types.js';

type Params = Anthropic.Messages.MessageCreateParamsNonStreaming;
type MessageParam = Anthropic.Messages.MessageParam;
type BlockParam = Anthropic.Messages.ContentBlockParam;

/** Thinking budget per reasoning effort (LiteLLM's mapping for Anthropic). */
const THINKING_BUDGET = { low: 1024, medium: 2048, high: 4096 } as const;

/** Name of the forced tool that carries a `json_object` answer (no schema of its own). */
export const JSON_OBJECT_TOOL = 'json_response';

/** The forced tool a `json_schema`/`json_object` response format becomes, if any. */
export function forcedJsonTool(req: LMRequest): Anthropic.Messages.Tool | undefined {
  const rf = req.responseFormat;
  if (rf?.type === 'json_schema') {
    return {
      name: rf.name,
      description: 'Respond by calling this tool with the answer as its input.',
      input_schema: { type: 'object', ...rf.schema } as Anthropic.Messages.Tool.InputSchema,
    };
  }
  if (rf?.type === 'json_object') {
    return {
      name: JSON_OBJECT_TOOL,
      description: 'Respond by calling this tool with the answer as a JSON object.',
      input_schema: { type: 'object', additionalProperties: true },
    };
  }
  return undefined;
}

/** Media types Anthropic accepts in a base64 image block. */
type ImageMediaType = Anthropic.Messages.Base64ImageSource['media_type'];

/**
 * A content part as Anthropic blocks: text as a text block, an image `data:` URI as a base64 image
 * block with its media type, an image URL as a `url` image block.
 */
function toAnthropicBlock(part: ContentPart): BlockParam {
  if (part.type === 'text') return { type: 'text', text: part.text };
  const url = part.image_url.url;
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (data === null) return { type: 'image', source: { type: 'url', url } };
  return {
    type: 'image',
    source: {
      type: 'base64',
      media_type: data[1] as ImageMediaType,
      data: data[2] ?? '',
    },
  };
}

/**
 * User content for the Messages API: a string stays a string; parts become blocks, without the
 * empty text blocks the API rejects.
 */
function toAnthropicContent(content: string | ContentPart[]): string | BlockParam[] {
  if (typeof content === 'string') return content;
  return content.filter((p) => p.type !== 'text' || p.text !== '').map(toAnthropicBlock);
}

function parseArgs(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

/**
 * Translates a request to a Messages API body: system messages become the `system` prompt, tool
 * results become `tool_result` blocks in a user turn (consecutive ones merged into one turn, as the
 * API expects), and a JSON response format becomes a forced tool.
 */
export function toAnthropicBody(model: string, req: LMRequest, defaultMaxTokens: number): Params {
  const system: string[] = [];
  const messages: MessageParam[] = [];
  for (const m of req.messages) {
    if (m.role === 'system') {
      system.push(messageText(m.content));
    } else if (m.role === 'tool') {
      const block: BlockParam = {
        type: 'tool_result',
        tool_use_id: m.toolCallId,
        content: m.content,
      };
      const last = messages[messages.length - 1];
      if (last !== undefined && last.role === 'user' && Array.isArray(last.content))
        last.content.push(block);
      else messages.push({ role: 'user', content: [block] });
    } else if (m.role === 'assistant' && 'toolCalls' in m) {
      const blocks: BlockParam[] = [];
      if (m.content !== null && m.content !== '') blocks.push({ type: 'text', text: m.content });
      for (const c of m.toolCalls) {
        blocks.push({ type: 'tool_use', id: c.id, name: c.name, input: parseArgs(c.arguments) });
      }
      messages.push({ role: 'assistant', content: blocks });
    } else {
      messages.push({ role: m.role, content: toAnthropicContent(m.content) });
    }
  }
  const body: Params = { model, messages, max_tokens: req.maxTokens ?? defaultMaxTokens };
  if (system.length > 0) body.system = system.join('\n\n');
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.topP !== undefined) body.top_p = req.topP;
  if (req.stop !== undefined) body.stop_sequences = req.stop;
  if (req.reasoningEffort !== undefined && req.reasoningEffort !== null) {
    // LiteLLM's mapping of `reasoning_effort` to extended thinking; the answer needs room after it.
    const budget = THINKING_BUDGET[req.reasoningEffort];
    body.thinking = { type: 'enabled', budget_tokens: budget };
    if (body.max_tokens <= budget) body.max_tokens = budget + defaultMaxTokens;
  }
  const tools: Anthropic.Messages.Tool[] = (req.tools ?? []).map((t) => ({
    name: t.name,
    input_schema: { type: 'object', ...t.parameters } as Anthropic.Messages.Tool.InputSchema,
    ...(t.description === undefined ? {} : { description: t.description }),
  }));
  const forced = forcedJsonTool(req);
  if (forced !== undefined) {
    tools.push(forced);
    body.tool_choice = { type: 'tool', name: forced.name };
  } else if (req.toolChoice !== undefined) {
    const tc = req.toolChoice;
    body.tool_choice =
      tc === 'auto'
        ? { type: 'auto' }
        : tc === 'required'
          ? { type: 'any' }
          : tc === 'none'
            ? { type: 'none' }
            : { type: 'tool', name: tc.name };
  }
  if (tools.length > 0) body.tools = tools;
  return req.extra === undefined ? body : ({ ...body, ...req.extra } as Params);
}

/** Normalises Anthropic stop reasons. */
export function anthropicFinishReason(r: string | null | undefined): FinishReason {
  switch (r) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'other';
  }
}

/**
 * Turns a message into one choice. When the answer came through the forced JSON tool, its input
 * becomes the text (what the JSONAdapter parses) and the finish reason is `stop`.
 */
export function fromAnthropicMessage(
  msg: Anthropic.Messages.Message,
  forced: string | undefined,
): LMChoice {
  let text = '';
  let reasoning = '';
  const calls: ToolCall[] = [];
  let forcedAnswer: string | undefined;
  for (const b of msg.content) {
    if (b.type === 'text') text += b.text;
    else if (b.type === 'thinking') reasoning += b.thinking;
    else if (b.type === 'tool_use') {
      if (forced !== undefined && b.name === forced && forcedAnswer === undefined) {
        forcedAnswer = JSON.stringify(b.input);
      } else {
        calls.push({ id: b.id, name: b.name, arguments: JSON.stringify(b.input) });
      }
    }
  }
  const choice: LMChoice = {
    text: forcedAnswer ?? text,
    finishReason: forcedAnswer !== undefined ? 'stop' : anthropicFinishReason(msg.stop_reason),
  };
  if (calls.length > 0) choice.toolCalls = calls;
  if (reasoning !== '') choice.reasoning = reasoning;
  return choice;
}

/** Prompt tokens include prompt-cache writes and reads, so totals match what was processed. */
export function anthropicPromptTokens(u: {
  input_tokens: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}): number {
  return (
    (u.input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0)
  );
}
