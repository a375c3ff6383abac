import { expect } from 'vitest';
import { StoreError, type Store, type StoreErrorCode } from '../../../src/store/index.js';
import type { ManualClock } from '../manual-clock.js';

/** A store under test plus what the suite needs to drive it. */
export interface StoreHarness {
  store: Store;
  clock: ManualClock;
  /**
   * Another handle on the same data, as a second node would hold (a separate connection for Redis;
   * the same instance in memory). Used by the concurrency tests.
   */
  peer(): Store;
  /** Releases everything the harness opened. */
  close(): Promise<void>;
}

/** What each section of the suite sees: the harness of the running test. */
export interface ConformanceContext {
  readonly store: Store;
  readonly clock: ManualClock;
  peer(): Store;
}

export interface ConformanceOptions {
  /** fast-check runs per lifecycle property (fewer over the network). */
  propertyRuns: number;
}

/** Awaits `promise`, expecting a `StoreError` with `code`; returns it for further checks. */
export async function expectStoreError(
  promise: Promise<unknown>,
  code: StoreErrorCode,
): Promise<StoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreError);
  expect((error as StoreError).code).toBe(code);
  return error as StoreError;
}
