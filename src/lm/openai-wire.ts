import type OpenAI from 'openai';
import { messageText } from './chat-format.js';
import type { FinishReason, LMChoice, LMMessage, LMRequest, ToolCall } from './types.js';

type ChatParams = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;
type MessageParam = OpenAI.Chat.Completions.ChatCompletionMessageParam;

/** Reasoning models reject `max_tokens` and need `max_completion_tokens` (as DSPy does). */
const REASONING_MODEL = /^(o\d|gpt-5)/;

function toMessage(m: LMMessage): MessageParam {
  if (m.role === 'tool') return { role: 'tool', tool_call_id: m.toolCallId, content: m.content };
  if (m.role === 'assistant' && 'toolCalls' in m) {
    return {
      role: 'assistant',
      content: m.content,
      tool_calls: m.toolCalls.map((c) => ({
        id: c.id,
        type: 'function' as const,
        function: { name: c.name, arguments: c.arguments },
      })),
    };
  }
  if (m.role === 'user') return { role: 'user', content: m.content };
  // Only user messages carry images; a multi-part system/assistant message keeps its text.
  return { role: m.role, content: messageText(m.content) };
}

/** Translates a request to the chat-completions body (without `stream`). */
export function toOpenAIBody(model: string, req: LMRequest): ChatParams {
  const body: ChatParams = { model, messages: req.messages.map(toMessage) };
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.maxTokens !== undefined) {
    if (REASONING_MODEL.test(model)) body.max_completion_tokens = req.maxTokens;
    else body.max_tokens = req.maxTokens;
  }
  if (req.topP !== undefined) body.top_p = req.topP;
  if (req.n !== undefined && req.n !== 1) body.n = req.n;
  if (req.stop !== undefined) body.stop = req.stop;
  if (req.seed !== undefined) body.seed = req.seed;
  if (req.reasoningEffort !== undefined && req.reasoningEffort !== null)
    body.reasoning_effort = req.reasoningEffort;
  if (req.tools !== undefined && req.tools.length > 0) {
    body.tools = req.tools.map((t) => ({
      type: 'function' as const,
      function: {
        name: t.name,
        parameters: t.parameters,
        ...(t.description === undefined ? {} : { description: t.description }),
      },
    }));
  }
  const tc = req.toolChoice;
  if (tc !== undefined) {
    body.tool_choice =
      typeof tc === 'string' ? tc : { type: 'function', function: { name: tc.name } };
  }
  const rf = req.responseFormat;
  if (rf?.type === 'json_object') body.response_format = { type: 'json_object' };
  else if (rf?.type === 'json_schema') {
    body.response_format = {
      type: 'json_schema',
      json_schema: { name: rf.name, schema: rf.schema, strict: rf.strict },
    };
  }
  return req.extra === undefined ? body : ({ ...body, ...req.extra } as ChatParams);
}

/** Normalises OpenAI's finish reasons. */
export function openAIFinishReason(r: string | null | undefined): FinishReason {
  switch (r) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    case 'content_filter':
      return 'content_filter';
    default:
      return 'other';
  }
}

/** Turns a chat completion into choices (sorted by index). */
export function fromOpenAICompletion(c: OpenAI.Chat.Completions.ChatCompletion): LMChoice[] {
  const sorted = [...c.choices].sort((a, b) => a.index - b.index);
  return sorted.map((ch) => {
    const choice: LMChoice = {
      text: ch.message.content ?? '',
      finishReason: openAIFinishReason(ch.finish_reason),
    };
    const calls: ToolCall[] = [];
    for (const t of ch.message.tool_calls ?? []) {
      if (t.type === 'function')
        calls.push({ id: t.id, name: t.function.name, arguments: t.function.arguments });
    }
    if (calls.length > 0) choice.toolCalls = calls;
    // OpenAI-compatible servers (vLLM, DeepSeek, llama.cpp) put reasoning in `reasoning_content`.
    const reasoning = (ch.message as { reasoning_content?: unknown }).reasoning_content;
    if (typeof reasoning === 'string' && reasoning !== '') choice.reasoning = reasoning;
    return choice;
  });
}
