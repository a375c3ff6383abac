import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { currentContext, runWithContext } from '../../src/context/index.js';
import { installFaultTrap, runTrapped } from '../../src/kernel/index.js';
import { scopeSlot } from '../../src/scope/index.js';

describe('scope slots (the one async-context store)', () => {
  it('carry a value through awaits, timers and nested scopes, and restore the outer value after', async () => {
    const slot = scopeSlot<string>();
    expect(slot.get()).toBeUndefined();
    await slot.run('outer', async () => {
      await tick();
      expect(slot.get()).toBe('outer');
      await slot.run('inner', async () => {
        await new Promise<void>((resolve) => setTimeout(resolve, 0));
        expect(slot.get()).toBe('inner');
      });
      expect(slot.get()).toBe('outer');
    });
    expect(slot.get()).toBeUndefined();
  });

  it('are independent: setting one keeps the value of another', async () => {
    const a = scopeSlot<string>();
    const b = scopeSlot<number>();
    await a.run('a1', () =>
      b.run(1, async () => {
        await tick();
        expect([a.get(), b.get()]).toEqual(['a1', 1]);
        await a.run('a2', async () => {
          await tick();
          expect([a.get(), b.get()]).toEqual(['a2', 1]);
        });
        expect([a.get(), b.get()]).toEqual(['a1', 1]);
      }),
    );
  });

  it('keep concurrent scopes apart', async () => {
    const slot = scopeSlot<number>();
    const seen = await Promise.all(
      [1, 2, 3].map((n) =>
        slot.run(n, async () => {
          for (let i = 0; i < 3; i++) await tick();
          return slot.get();
        }),
      ),
    );
    expect(seen).toEqual([1, 2, 3]);
  });

  it('let a fault scope and an invocation context nest either way round', async () => {
    const uninstall = installFaultTrap(() => undefined);
    try {
      // Context outside the fault scope: the job's code sees the context and its timer's throw
      // fails the scope.
      const outer = runWithContext({ values: { job: 'j1' } }, () =>
        runTrapped(async () => {
          await tick();
          expect(currentContext().values['job']).toBe('j1');
          setTimeout(() => {
            throw new Error(`timer of ${String(currentContext().values['job'])}`);
          }, 0);
          return new Promise<never>(() => undefined);
        }),
      );
      await expect(outer).rejects.toThrow('timer of j1');
      // Fault scope outside the context: the same.
      const inner = runTrapped(() =>
        runWithContext({ values: { job: 'j2' } }, async () => {
          await tick();
          setTimeout(() => {
            throw new Error(`timer of ${String(currentContext().values['job'])}`);
          }, 0);
          return new Promise<never>(() => undefined);
        }),
      );
      await expect(inner).rejects.toThrow('timer of j2');
      expect(currentContext().values['job']).toBeUndefined();
    } finally {
      uninstall();
    }
  });
});
