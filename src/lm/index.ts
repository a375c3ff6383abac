export type {
  ChatMessage,
  ContentPart,
  FinishReason,
  JsonSchema,
  LM,
  LMChoice,
  LMMessage,
  LMParams,
  ReasoningEffort,
  LMRequest,
  LMResponse,
  LMStreamChunk,
  ResponseFormat,
  ToolCall,
  ToolDefinition,
  Usage,
} from './types.js';
export { LMError, isLMError, isRetryableCode } from './lm-error.js';
export type { LMErrorCode, LMErrorDetails } from './lm-error.js';
export { BaseLM } from './base-lm.js';
export type { BaseLMOptions } from './base-lm.js';
export type { ProviderResult, ProviderStreamEvent } from './provider-result.js';
export { openai, OpenAILM } from './openai-lm.js';
export type { OpenAIOptions } from './openai-lm.js';
export { anthropic, AnthropicLM } from './anthropic-lm.js';
export { createNodeTransport, nodeTransport } from './http-transport.js';
export type { FetchLike, NodeTransportOptions } from './http-transport.js';
export type { AnthropicOptions } from './anthropic-lm.js';
export { DummyLM, nativeAnswer } from './dummy-lm.js';
export type { DummyAnswer, DummyLMOptions, NativeAnswer } from './dummy-lm.js';
export { RecordingLM } from './recording-lm.js';
export type {
  Recording,
  RecordingFile,
  RecordingLMOptions,
  RecordingMode,
} from './recording-lm.js';
export { retryDelay, resolveRetry, timerSleep } from './retry.js';
export type { ResolvedRetry, RetryOptions, SleepFn } from './retry.js';
export { parseRetryAfter } from './retry-after.js';
export { canonicalJSON, requestCacheKey } from './cache-key.js';
export type { CachedCompletion, ResponseCache } from './response-cache.js';
export { MemoryCache } from './memory-cache.js';
export type { MemoryCacheOptions } from './memory-cache.js';
export { RedisCache } from './redis-cache.js';
export type { RedisCacheOptions } from './redis-cache.js';
export { TieredCache } from './tiered-cache.js';
export { configureCache, getDefaultCache } from './cache-config.js';
export type { CacheConfig } from './cache-config.js';
export {
  DEFAULT_PRICES,
  costOf,
  getPriceTable,
  priceCost,
  priceFor,
  setPriceTable,
} from './pricing.js';
export type { ModelPrice, PriceTable } from './pricing.js';
export { HistoryBuffer, globalLMHistory, resetGlobalHistory } from './history.js';
export type { LMHistoryEntry } from './history.js';
export { inspectHistory, renderHistory } from './inspect-history.js';
export type { InspectHistoryOptions } from './inspect-history.js';
export { formatChatAnswer, formatFieldValue, formatJsonAnswer } from './chat-format.js';
export { functionEmbedder } from './embedder.js';
export type { EmbedOptions, Embedder, FunctionEmbedderOptions } from './embedder.js';
export { EMBEDDING_PRICES, OpenAIEmbedder, openaiEmbedder } from './openai-embedder.js';
export type { EmbedderTotals, OpenAIEmbedderOptions } from './openai-embedder.js';
export { messageText } from './chat-format.js';
export { ToolCallAssembler } from './tool-call-assembler.js';
export type { AssembledToolCall } from './tool-call-assembler.js';
