/**
 * dspex: DSPy-style declarative LM programming for TypeScript on an Erlang/OTP-style actor runtime.
 *
 * This barrel re-exports each area's public API (each area's own `index.ts` lists its exports by
 * name). Where two areas use the same name, the choice below is explicit. The package entry
 * (`supervisors/index.ts`) adds the runtime (`startRuntime`) on top of this.
 *
 * @example
 * ```ts
 * import { Predict, configure, openai } from 'dspex';
 * configure({ lm: openai({ model: 'gpt-4o-mini' }) });
 * const qa = new Predict('question -> answer');
 * const pred = await qa.call({ question: 'What is the capital of France?' });
 * console.log(pred.answer);
 * ```
 */

// Framework stack
export * from './errors/index.js';
export * from './context/index.js';
export * from './lm/index.js';
export * from './signatures/index.js';
export * from './adapters/index.js';
export * from './modules/index.js';
export * from './evaluate/index.js';
export * from './optimizers/index.js';
export * from './variables/index.js';

// Runtime stack
export * from './kernel/index.js';
export * from './transport/index.js';
export * from './store/index.js';
export * from './resilience/index.js';
export * from './config/index.js';
export * from './telemetry/index.js';

// Names used by two areas: the public meaning is the first; the other is renamed here.
export type { JsonSchema } from './lm/index.js';
export { formatFieldValue } from './adapters/index.js';
export { formatFieldValue as formatChatAnswerValue } from './lm/index.js';
export type { CallOptions } from './modules/index.js';
export type { CallOptions as KernelCallOptions } from './kernel/index.js';
export type { Clock } from './kernel/index.js';
export type { Clock as ResilienceClock } from './resilience/index.js';
export { systemClock } from './resilience/index.js';
export { systemClock as transportSystemClock } from './transport/index.js';
export type { JsonObject, JsonValue } from './store/index.js';
// `RunResult` is the runtime's `{ outputs, executionId, usage }` (package entry); a pipeline run's is:
export type { RunResult as PipelineRunResult } from './transport/index.js';
