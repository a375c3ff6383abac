/**
 * Time, rank 0 of src/: the one {@link Clock} interface, the system clock and the one fake
 * ({@link FakeClock}) every layer and test uses.
 */
export { systemClock, FakeClock, flushMicrotasks } from './clock.js';
export type { Clock, TimerClock, TimerHandle } from './clock.js';
