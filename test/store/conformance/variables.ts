import { beforeEach, describe, expect, it } from 'vitest';
import type { Store, VariableDescriptor } from '../../../src/store/index.js';
import type { ManualClock } from '../manual-clock.js';
import { expectStoreError, type ConformanceContext } from './context.js';

const temperature: VariableDescriptor = {
  name: 'answer.temperature',
  kind: 'float',
  default: 0.7,
  range: [0, 1.5],
  dependencies: [],
  tunable: true,
  overridable: true,
};
const model: VariableDescriptor = {
  name: 'model',
  kind: 'choice',
  default: 'gpt-4o-mini',
  choices: ['gpt-4o-mini', 'gpt-4o'],
  dependencies: [],
  tunable: true,
  overridable: false,
};

export function describeVariableConformance(ctx: ConformanceContext): void {
  describe('variable spaces, configurations and deployments', () => {
    let store: Store;
    let clock: ManualClock;
    beforeEach(() => {
      store = ctx.store;
      clock = ctx.clock;
    });

    it('registers a space once per distinct set of variables and numbers the versions', async () => {
      const v1 = await store.variableSpaces.register('qa', [temperature]);
      expect(v1).toEqual({
        program: 'qa',
        version: '1',
        variables: [temperature],
        createdAt: clock.iso(),
      });
      clock.advance(1);
      expect(await store.variableSpaces.register('qa', [{ ...temperature }])).toEqual(v1);
      const v2 = await store.variableSpaces.register('qa', [temperature, model]);
      expect(v2.version).toBe('2');
      expect((await store.variableSpaces.get('qa')).version).toBe('2');
      expect((await store.variableSpaces.get('qa', '1')).variables).toEqual([temperature]);
      expect(
        (await store.variableSpaces.list({ program: 'qa', order: 'asc' })).items.map(
          (s) => s.version,
        ),
      ).toEqual(['1', '2']);
      await expectStoreError(store.variableSpaces.get('other'), 'not_found');
    });

    it('agrees on one version when two nodes register the same space at once', async () => {
      const [a, b] = await Promise.all([
        store.variableSpaces.register('qa', [model]),
        ctx.peer().variableSpaces.register('qa', [model]),
      ]);
      expect(a).toEqual(b);
      expect((await store.variableSpaces.list({ program: 'qa' })).items).toHaveLength(1);
    });

    it('rejects a descriptor of an unknown kind naming the path', async () => {
      const error = await expectStoreError(
        store.variableSpaces.register('qa', [{ ...model, kind: 'matrix' as 'choice' }]),
        'invalid_input',
      );
      expect(error.message).toContain('0.kind');
    });

    it('keeps configurations by id and lists them by program and by run', async () => {
      const manual = await store.variableConfigurations.create({
        program: 'qa',
        values: { model: 'gpt-4o', 'answer.temperature': 0 },
      });
      expect(manual.source).toBe('manual');
      clock.advance(1);
      const point = await store.variableConfigurations.create({
        id: 'front-1-0',
        program: 'qa',
        values: { model: 'gpt-4o-mini' },
        source: 'optimization',
        runId: 'front-1',
        objectives: { quality: 80, cost: 0.0001, latencyMs: 12 },
        chosen: true,
      });
      expect(await store.variableConfigurations.get('front-1-0')).toEqual(point);
      expect((await store.variableConfigurations.list({ program: 'qa' })).items).toEqual([
        point,
        manual,
      ]);
      expect((await store.variableConfigurations.list({ runId: 'front-1' })).items).toEqual([
        point,
      ]);
      await expectStoreError(
        store.variableConfigurations.create({ id: 'front-1-0', program: 'qa', values: {} }),
        'conflict',
      );
      await expectStoreError(store.variableConfigurations.get('nope'), 'not_found');
      await expectStoreError(
        store.variableConfigurations.create({ program: 'qa', values: { t: [1] as never } }),
        'invalid_input',
      );
    });

    it('versions deployments: each deploy is revision + 1 and sees the one before', async () => {
      expect(await store.deployments.find('qa')).toBeUndefined();
      const first = await store.deployments.deploy('qa', (c) => ({ ...c, temperature: 0 }));
      expect(first).toMatchObject({ program: 'qa', revision: 1, config: { temperature: 0 } });
      const second = await store.deployments.deploy('qa', (c) => ({ ...c, configuration: 'x' }));
      expect(second).toMatchObject({
        revision: 2,
        config: { temperature: 0, configuration: 'x' },
      });
      expect(await store.deployments.find('qa')).toEqual(second);
      expect((await store.deployments.list()).items.map((d) => d.program)).toEqual(['qa']);
    });

    it('loses no deploy when two nodes deploy at once', async () => {
      await Promise.all([
        store.deployments.deploy('qa', (c) => ({ ...c, a: 1 })),
        ctx.peer().deployments.deploy('qa', (c) => ({ ...c, b: 2 })),
        store.deployments.deploy('qa', (c) => ({ ...c, c: 3 })),
      ]);
      const final = await store.deployments.find('qa');
      expect(final?.config).toEqual({ a: 1, b: 2, c: 3 });
      expect(final?.revision).toBe(3);
    });
  });
}
