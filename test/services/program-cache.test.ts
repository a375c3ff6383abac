import { describe, expect, it } from 'vitest';
import { ProgramCache, type MaterializedProgram } from '../../services/index.js';
import { Predict } from '../../src/modules/index.js';

const base = new Predict('question -> answer');

function builder() {
  let builds = 0;
  const build = (): Promise<MaterializedProgram> => {
    builds++;
    return Promise.resolve({
      module: base.deepCopy(),
      lm: undefined,
      adapter: undefined,
      stateVersion: undefined,
    });
  };
  return { build, builds: () => builds };
}

describe('materialized program cache', () => {
  it('builds_a_program_once_per_configuration_and_again_when_the_configuration_changes', async () => {
    const cache = new ProgramCache();
    const b = builder();
    const first = await cache.get('qa', base, { temperature: 0 }, undefined, b.build);
    const again = await cache.get('qa', base, { temperature: 0 }, undefined, b.build);
    const other = await cache.get('qa', base, { temperature: 1 }, undefined, b.build);
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    expect(b.builds()).toBe(2);
  });

  it('rebuilds_for_a_reloaded_base_module_or_another_context_lm', async () => {
    const cache = new ProgramCache();
    const b = builder();
    await cache.get('qa', base, {}, undefined, b.build);
    await cache.get('qa', new Predict('question -> answer'), {}, undefined, b.build);
    expect(b.builds()).toBe(2);
  });

  it('does_not_keep_a_failed_build', async () => {
    const cache = new ProgramCache();
    await expect(
      cache.get('qa', base, {}, undefined, () => Promise.reject(new Error('store down'))),
    ).rejects.toThrow('store down');
    const b = builder();
    await cache.get('qa', base, {}, undefined, b.build);
    expect(b.builds()).toBe(1);
  });

  it('keeps_at_most_its_capacity_dropping_the_least_recently_used', async () => {
    const cache = new ProgramCache(2);
    const b = builder();
    await cache.get('a', base, {}, undefined, b.build);
    await cache.get('b', base, {}, undefined, b.build);
    await cache.get('a', base, {}, undefined, b.build); // a is now the most recent
    await cache.get('c', base, {}, undefined, b.build); // drops b
    expect(cache.size).toBe(2);
    await cache.get('a', base, {}, undefined, b.build);
    expect(b.builds()).toBe(3);
    await cache.get('b', base, {}, undefined, b.build);
    expect(b.builds()).toBe(4);
  });
});
