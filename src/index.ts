/**
 * dspex's framework API: DSPy-style declarative LM programming (signatures, adapters, modules,
 * evaluation, optimizers, LMs) and every error class a user may catch. The package root
 * (`entry/index.ts`, imported as `'dspex'`) adds `startRuntime` on top of this; the runtime's
 * internals live on subpaths (`dspex/runtime`, `dspex/kernel`, `dspex/transport`, `dspex/store`,
 * `dspex/testing`).
 *
 * Each framework area's own `index.ts` is its public API, listed there by name. Where two areas use
 * the same name, the choice below is explicit.
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
export * from './retrieval/index.js';
export * from './sandbox/index.js';
export * from './pipeline/index.js';
export * from './synthesizer/index.js';

// Names used by two areas: the public meaning is the first; the other is renamed here.
export type { JsonSchema } from './lm/index.js';
export { formatFieldValue } from './adapters/index.js';
export { formatFieldValue as formatChatAnswerValue } from './lm/index.js';
export type { CallOptions } from './modules/index.js';

// The runtime's errors and configuration, which users of `startRuntime` meet. Imported from their
// files, so importing the framework does not load xstate, BullMQ or the Redis client; the rest of
// the runtime stack is on the `dspex/runtime`, `dspex/kernel`, `dspex/transport` and `dspex/store`
// subpaths.
export { ConfigError } from './config/config-error.js';
export type { ConfigErrorCode } from './config/config-error.js';
export { loadConfig, parseConfig } from './config/load-config.js';
export type { LoadedConfig } from './config/load-config.js';
export type { RuntimeConfig, RuntimeConfigInput } from './config/schema.js';
export { KernelError } from './kernel/errors.js';
export type { KernelErrorCode } from './kernel/errors.js';
export { TransportError, UnrecoverableJobError } from './transport/errors.js';
export type { TransportErrorCode } from './transport/errors.js';
export { StoreError } from './store/store-error.js';
export type { StoreErrorCode } from './store/store-error.js';
export {
  CircuitOpenError,
  RateLimitError,
  ResilienceError,
} from './resilience/resilience-error.js';
export type { ResilienceErrorCode } from './resilience/resilience-error.js';
export * from './extensions/index.js';
