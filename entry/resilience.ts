/**
 * `dspex/resilience`: token-bucket rate limiters (memory and Redis), the circuit breaker, the
 * concurrency limiter and the guard that combines them (the client pool's building blocks).
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from 'dspex/resilience';
 * ```
 */
export * from '../src/resilience/index.js';
