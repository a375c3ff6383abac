import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  StoreError,
  type ExecutionStatus,
  type OptimizationRunStatus,
  type ProgramStatus,
  type Store,
  type StoreErrorCode,
} from '../../../src/store/index.js';
import type { ConformanceContext, ConformanceOptions } from './context.js';

/** The legal status moves of each lifecycle, written out from DESIGN §4 and the store brief (independently of the implementation's tables). */
const LEGAL = {
  execution: [
    'pending>running',
    'pending>failed',
    'running>succeeded',
    'running>failed',
    'pending>pending',
    'running>running',
  ],
  run: [
    'queued>running',
    'queued>failed',
    'queued>cancelled',
    'running>succeeded',
    'running>failed',
    'running>cancelled',
    'queued>queued',
    'running>running',
  ],
  program: ['draft>active', 'draft>archived', 'active>archived', 'draft>draft', 'active>active'],
} as const;

function isLegal(table: readonly string[], from: string, to: string): boolean {
  return table.includes(`${from}>${to}`);
}

async function settle(p: Promise<unknown>): Promise<'ok' | StoreErrorCode | 'other'> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e instanceof StoreError ? e.code : 'other';
  }
}

export function describeLifecyclePropertyConformance(
  ctx: ConformanceContext,
  options: ConformanceOptions,
): void {
  describe('lifecycle properties', () => {
    let store: Store;
    beforeEach(() => {
      store = ctx.store;
    });

    const seed = 20261121;

    it('lets only legal execution transitions succeed', async () => {
      const statuses: ExecutionStatus[] = ['pending', 'running', 'succeeded', 'failed'];
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.constantFrom(...statuses), { maxLength: 6 }),
          async (requests) => {
            let model: ExecutionStatus = 'pending';
            const { id } = await store.executions.create({ program: 'prop', inputs: {} });
            for (const to of requests) {
              const outcome = await settle(store.executions.update(id, { status: to }));
              expect(outcome).toBe(
                isLegal(LEGAL.execution, model, to) ? 'ok' : 'invalid_transition',
              );
              if (outcome === 'ok') model = to;
              expect((await store.executions.get(id)).status).toBe(model);
            }
          },
        ),
        { numRuns: options.propertyRuns, seed },
      );
    });

    it('lets only legal optimization run transitions succeed', async () => {
      const statuses: OptimizationRunStatus[] = [
        'queued',
        'running',
        'succeeded',
        'failed',
        'cancelled',
      ];
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.constantFrom(...statuses), { maxLength: 6 }),
          async (requests) => {
            let model: OptimizationRunStatus = 'queued';
            const { id } = await store.optimizationRuns.create({
              program: 'prop',
              optimizer: 'o',
            });
            for (const to of requests) {
              const outcome = await settle(store.optimizationRuns.update(id, { status: to }));
              expect(outcome).toBe(isLegal(LEGAL.run, model, to) ? 'ok' : 'invalid_transition');
              if (outcome === 'ok') model = to;
              expect((await store.optimizationRuns.get(id)).status).toBe(model);
            }
          },
        ),
        { numRuns: options.propertyRuns, seed },
      );
    });

    it('lets only legal program transitions succeed', async () => {
      const statuses: ProgramStatus[] = ['draft', 'active', 'archived'];
      let n = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.constantFrom(...statuses), { maxLength: 5 }),
          async (requests) => {
            let model: ProgramStatus = 'draft';
            const name = `prop-${++n}`;
            await store.programs.create({ name });
            await store.programs.publishVersion(name, { state: {} });
            for (const to of requests) {
              const outcome = await settle(store.programs.update(name, { status: to }));
              expect(outcome).toBe(isLegal(LEGAL.program, model, to) ? 'ok' : 'invalid_transition');
              if (outcome === 'ok') model = to;
              expect((await store.programs.get(name)).status).toBe(model);
            }
          },
        ),
        { numRuns: options.propertyRuns, seed },
      );
    });
  });
}
