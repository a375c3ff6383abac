/**
 * `dspex/testing`: what tests of dspex programs and of code embedding the runtime use: scripted and
 * recording LMs, controllable clocks, and the in-memory transport and store.
 *
 * @example
 * ```ts
 * import { DummyLM } from 'dspex/testing';
 * const lm = new DummyLM([{ answer: 'Paris' }]);
 * ```
 */
export { DummyLM, nativeAnswer, RecordingLM } from '../src/lm/index.js';
export type { DummyAnswer, DummyLMOptions } from '../src/lm/index.js';
export { FakeClock, flushMicrotasks } from '../src/kernel/index.js';
export { ManualClock } from '../src/resilience/index.js';
export { MemoryTransport } from '../src/transport/index.js';
export type { MemoryTransportOptions } from '../src/transport/index.js';
export { MemoryStore } from '../src/store/index.js';
