import { describe, expect, it } from 'vitest';
import {
  EXECUTION_LIFECYCLE,
  OPTIMIZATION_RUN_LIFECYCLE,
  PROGRAM_LIFECYCLE,
  StoreError,
  canTransition,
  isFinalStatus,
  type Lifecycle,
} from '../../src/store/index.js';
import { assertTransition } from '../../src/store/lifecycle.js';

describe('lifecycle tables', () => {
  it.each([
    [PROGRAM_LIFECYCLE, ['archived']],
    [EXECUTION_LIFECYCLE, ['succeeded', 'failed']],
    [OPTIMIZATION_RUN_LIFECYCLE, ['succeeded', 'failed', 'cancelled']],
  ] as const)('marks exactly the statuses with no way out as final (%#)', (table, finals) => {
    const lc = table as Lifecycle<string>;
    expect(Object.keys(lc.transitions).filter((s) => isFinalStatus(lc, s))).toEqual(finals);
  });

  it('creates programs only as drafts, executions pending or running, runs queued or running', () => {
    expect(PROGRAM_LIFECYCLE.initial).toEqual(['draft']);
    expect(EXECUTION_LIFECYCLE.initial).toEqual(['pending', 'running']);
    expect(OPTIMIZATION_RUN_LIFECYCLE.initial).toEqual(['queued', 'running']);
  });

  it('allows staying in a non-final status but never rewriting a final one', () => {
    expect(canTransition(EXECUTION_LIFECYCLE, 'running', 'running')).toBe(true);
    expect(canTransition(EXECUTION_LIFECYCLE, 'failed', 'failed')).toBe(false);
    expect(canTransition(OPTIMIZATION_RUN_LIFECYCLE, 'cancelled', 'cancelled')).toBe(false);
  });

  it('throws invalid_transition naming the record, id, from and to', () => {
    let error: unknown;
    try {
      assertTransition(EXECUTION_LIFECYCLE, 'e1', 'succeeded', 'running');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('invalid_transition');
    expect((error as StoreError).details).toEqual({
      record: 'execution',
      id: 'e1',
      from: 'succeeded',
      to: 'running',
    });
    expect((error as StoreError).message).toBe(
      'execution "e1": illegal transition succeeded → running (succeeded is final)',
    );
  });

  it('is frozen so a table cannot be altered at run time', () => {
    expect(Object.isFrozen(PROGRAM_LIFECYCLE)).toBe(true);
    expect(Object.isFrozen(PROGRAM_LIFECYCLE.transitions)).toBe(true);
  });
});
