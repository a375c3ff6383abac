/**
 * `dspex/kernel`: OTP supervision on xstate v5 actors (supervisors with every strategy, workers,
 * call/cast, registry, monitors, inspection). The runtime is built on it; use it directly to
 * supervise your own actors. See `src/kernel/index.ts` for the semantics.
 *
 * @example
 * ```ts
 * import { createKernel, actorWorker } from 'dspex/kernel';
 * const kernel = createKernel();
 * ```
 */
export * from '../src/kernel/index.js';
