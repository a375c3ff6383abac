import type { StoreClock } from '../../src/store/index.js';

/** A clock that moves only when told to, so record timestamps are exact in assertions. */
export class ManualClock implements StoreClock {
  constructor(private ms: number = Date.UTC(2026, 0, 1, 12, 0, 0)) {}

  now(): number {
    return this.ms;
  }

  advance(ms: number): void {
    this.ms += ms;
  }

  iso(): string {
    return new Date(this.ms).toISOString();
  }
}

/** Ids `<prefix>-000001`, `<prefix>-000002`, …: deterministic and sorted in creation order. */
export function sequentialIds(prefix = 'id'): () => string {
  let n = 0;
  return () => `${prefix}-${String(++n).padStart(6, '0')}`;
}
