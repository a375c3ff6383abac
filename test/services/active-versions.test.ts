import { describe, expect, it } from 'vitest';
import { ACTIVE_VERSION_TTL_MS, ActiveVersions } from '../../services/active-versions.js';
import { MemoryStore, type Store } from '../../src/store/index.js';
import { FakeClock } from '../../src/time/index.js';

/** A real store whose `programs.find` calls are counted (the reads the cache saves). */
function countedStore(store: Store): { store: Pick<Store, 'programs'>; reads: () => number } {
  let reads = 0;
  const programs = new Proxy(store.programs, {
    get(target, key, receiver) {
      if (key === 'find')
        return (name: string) => {
          reads++;
          return target.find(name);
        };
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return { store: { programs }, reads: () => reads };
}

async function storeWithVersions(clock: FakeClock): Promise<MemoryStore> {
  const store = new MemoryStore({ clock });
  await store.programs.create({ name: 'qa' });
  await store.programs.publishVersion('qa', { version: 'v1', state: { n: 1 } });
  await store.programs.publishVersion('qa', { version: 'v2', state: { n: 2 } });
  await store.programs.activate('qa', 'v1');
  return store;
}

describe('ActiveVersions: the store active version, reused between executions', () => {
  it('reads the store once per program within the TTL under one configuration', async () => {
    const clock = new FakeClock(1_000);
    const { store, reads } = countedStore(await storeWithVersions(clock));
    const versions = new ActiveVersions(store, clock);
    const config = {};
    const got = await Promise.all([1, 2, 3].map(() => versions.get('qa', config)));
    expect(got).toEqual(['v1', 'v1', 'v1']);
    await clock.advance(ACTIVE_VERSION_TTL_MS - 1);
    expect(await versions.get('qa', config)).toBe('v1');
    expect(reads()).toBe(1);
  });

  it('every node sees a version activated straight in the shared store once the TTL passed', async () => {
    const clock = new FakeClock(1_000);
    const shared = await storeWithVersions(clock);
    const nodes = [new ActiveVersions(shared, clock), new ActiveVersions(shared, clock)];
    const config = {};
    for (const node of nodes) expect(await node.get('qa', config)).toBe('v1');
    await shared.programs.activate('qa', 'v2');
    await clock.advance(ACTIVE_VERSION_TTL_MS);
    for (const node of nodes) expect(await node.get('qa', config)).toBe('v2');
  });

  it('reads again at once when the program configuration changed (a deploy or an activation)', async () => {
    const clock = new FakeClock(1_000);
    const shared = await storeWithVersions(clock);
    const versions = new ActiveVersions(shared, clock);
    expect(await versions.get('qa', { revision: 1 })).toBe('v1');
    await shared.programs.activate('qa', 'v2');
    expect(await versions.get('qa', { revision: 2 })).toBe('v2');
  });

  it('keeps no failed read: the next execution reads the store again', async () => {
    const clock = new FakeClock(1_000);
    const real = await storeWithVersions(clock);
    let fail = true;
    const store: Pick<Store, 'programs'> = {
      programs: new Proxy(real.programs, {
        get(target, key, receiver) {
          if (key === 'find')
            return (name: string) =>
              fail ? Promise.reject(new Error('store unavailable')) : target.find(name);
          return Reflect.get(target, key, receiver) as unknown;
        },
      }),
    };
    const versions = new ActiveVersions(store, clock);
    const config = {};
    await expect(versions.get('qa', config)).rejects.toThrow('store unavailable');
    fail = false;
    expect(await versions.get('qa', config)).toBe('v1');
  });

  it('forgets a program on invalidate', async () => {
    const clock = new FakeClock(1_000);
    const shared = await storeWithVersions(clock);
    const versions = new ActiveVersions(shared, clock);
    const config = {};
    expect(await versions.get('qa', config)).toBe('v1');
    await shared.programs.activate('qa', 'v2');
    versions.invalidate('qa');
    expect(await versions.get('qa', config)).toBe('v2');
  });

  it('peeks the value without waiting once read, and not before, past the TTL or under a new configuration', async () => {
    const clock = new FakeClock(1_000);
    const versions = new ActiveVersions(await storeWithVersions(clock), clock);
    const config = {};
    expect(versions.peek('qa', config)).toBeUndefined();
    const pending = versions.get('qa', config);
    expect(versions.peek('qa', config)).toBeUndefined();
    await pending;
    expect(versions.peek('qa', config)).toBe('v1');
    expect(versions.peek('qa', {})).toBeUndefined();
    await clock.advance(ACTIVE_VERSION_TTL_MS);
    expect(versions.peek('qa', config)).toBeUndefined();
  });
});
