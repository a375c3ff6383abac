/**
 * The time source of {@link MemoryTransport} (delays, backoff, close deadlines). Injected so tests
 * advance simulated time instead of sleeping (STYLE habit 6).
 */
export interface TransportClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The wall clock: `Date.now` and the global timers. */
export const systemClock: TransportClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
