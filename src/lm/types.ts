/**
 * The provider-neutral LM contract (DESIGN §3). Adapters and modules speak only these types;
 * providers (OpenAI, Anthropic, DummyLM, …) translate them to and from their wire formats.
 */

/**
 * One part of a multi-part user message, in OpenAI's chat shape (what DSPy's adapters produce when
 * a custom type such as `Image` sits in a field): text, or an image by URL or `data:` URI.
 */
export type ContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: 'auto' | 'low' | 'high' } };

/**
 * A chat message as adapters produce it: `{ role, content }` (DESIGN §5). `content` is a string,
 * or a list of {@link ContentPart}s for a user message that holds images.
 */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string | ContentPart[];
}

/** An assistant turn that asked for tools, and the tool results sent back. */
export type LMMessage =
  | ChatMessage
  | { role: 'assistant'; content: string | null; toolCalls: ToolCall[] }
  | { role: 'tool'; toolCallId: string; content: string };

/** A JSON Schema object (draft 2020-12 subset accepted by provider structured outputs). */
export type JsonSchema = { [key: string]: unknown };

/**
 * What the completion must look like. `json_schema` maps to OpenAI strict structured outputs and to
 * a forced tool on Anthropic; `json_object` to JSON mode; `text` (the default) to nothing.
 */
export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: JsonSchema; strict: boolean };

/** A tool the model may call. */
export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters: JsonSchema;
}

/** A tool call made by the model; `arguments` is the raw JSON text the model produced. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** Generation parameters common to every provider. Unset means "provider default". */
export interface LMParams {
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  /** Number of completions (DSPy's `n`). Providers without native `n` make `n` calls. */
  n?: number;
  stop?: string[];
  seed?: number;
  /**
   * Native reasoning effort (OpenAI-compatible `reasoning_effort`; Anthropic extended thinking with
   * a 1024/2048/4096-token budget). `null` turns native reasoning off even where an adapter would
   * ask for it (DSPy's `reasoning_effort=None`).
   */
  reasoningEffort?: ReasoningEffort | null;
}

/** How hard a reasoning model thinks before answering. */
export type ReasoningEffort = 'low' | 'medium' | 'high';

/** One request to an LM. */
export interface LMRequest extends LMParams {
  messages: LMMessage[];
  tools?: ToolDefinition[];
  toolChoice?: 'auto' | 'none' | 'required' | { name: string };
  responseFormat?: ResponseFormat;
  /**
   * Distinguishes otherwise identical requests in the cache (DSPy's `rollout_id`), so a program can
   * sample the same prompt several times at temperature > 0 and still cache each sample.
   */
  rolloutId?: string | number;
  /** Skip the response cache for this request (read and write). */
  cache?: boolean;
  signal?: AbortSignal;
  timeoutMs?: number;
  /**
   * Attempts of this call, overriding the LM's retry policy (1: no retry). A runtime that owns
   * retries at a higher layer sets 1 (see supervisors/README.md, "Who retries").
   */
  maxAttempts?: number;
  /**
   * Longest answer accepted, in characters over all choices: a longer one fails the call with
   * `response_too_large` before any parsing (an unbounded answer would block the event loop).
   */
  maxResponseChars?: number;
  /** Provider-specific parameters passed through unchanged (and part of the cache key). */
  extra?: Record<string, unknown>;
}

/** Why a completion ended, normalised across providers. */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'other';

/** One completion. */
export interface LMChoice {
  text: string;
  toolCalls?: ToolCall[];
  finishReason: FinishReason;
  /** Reasoning text when the provider returns it separately (e.g. Anthropic thinking). */
  reasoning?: string;
}

/** Token usage of one call, and its cost in USD when the price table knows the model. */
export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Cost in USD, computed from the configured price table; absent when the model is unpriced. */
  cost?: number;
}

/** One response. A cache hit carries `cached: true` and no usage (DESIGN §3). */
export interface LMResponse {
  choices: LMChoice[];
  usage: Usage | null;
  model: string;
  cached: boolean;
  /** Wall time of the call in ms (0 for cache hits). */
  latencyMs: number;
  /** The provider's raw response object, for debugging; never part of a cache key. */
  raw?: unknown;
}

/**
 * A streamed piece of a completion. `index` is the choice. A `tool_call` chunk is a piece of the
 * `callIndex`-th tool call of that choice (parallel calls have distinct `callIndex`es): its first
 * piece carries `id` and `name`, later pieces append to `arguments` (JSON text, split anywhere).
 * {@link ToolCallAssembler} puts the pieces back together.
 */
export type LMStreamChunk =
  | { type: 'text'; index: number; text: string }
  | { type: 'tool_call'; index: number; callIndex: number; toolCall: Partial<ToolCall> }
  | { type: 'done'; response: LMResponse };

/**
 * A language model. Implementations: `openai(...)`, `anthropic(...)`, `DummyLM`, the recording LM.
 *
 * @example
 * ```ts
 * const lm = openai({ model: 'gpt-4o-mini' });
 * const res = await lm.complete({ messages: [{ role: 'user', content: 'Hi' }] });
 * console.log(res.choices[0]?.text);
 * ```
 */
export interface LM {
  /** Provider name: `openai`, `anthropic`, `dummy`, … */
  readonly provider: string;
  /** Model name as sent to the provider. */
  readonly model: string;
  /** Default parameters merged under each request's own. */
  readonly params: Readonly<LMParams>;
  /** One call (with the LM's retries, cache, usage accounting, history and callbacks). */
  complete(request: LMRequest): Promise<LMResponse>;
  /** Streams one call. Providers that cannot stream throw `DspexError('bad_request')`. */
  stream(request: LMRequest): AsyncIterable<LMStreamChunk>;
  /** A copy with other default parameters or model (DSPy's `lm.copy(**kwargs)`). */
  copy(overrides: Partial<LMParams> & { model?: string }): LM;
  /** JSON-safe description for `Module.save()` (no credentials). */
  dumpState(): Record<string, unknown>;
}
