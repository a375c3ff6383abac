import { FakeClock } from '../../src/time/index.js';

/** The runtime's one fake clock (src/time), started at an epoch-like instant for transport tests. */
export class ManualClock extends FakeClock {
  constructor() {
    super(1_700_000_000_000);
  }

  /** Timers still pending. */
  get pending(): number {
    return this.pendingTimers;
  }
}

/** Lets every pending promise reaction run (a few macrotask turns, no wall-clock wait). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
