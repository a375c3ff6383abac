import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisStore, type Store } from '../../src/store/index.js';
import { freePort } from '../helpers/redis-server.js';
import { ManualClock, sequentialIds } from './manual-clock.js';
import { describeStoreConformance, expectStoreError } from './store-conformance.js';

const redisUrl = inject('redisUrl');

/** A prefix no other test (or test run) shares. */
function uniquePrefix(): string {
  return `test:store:${randomUUID()}`;
}

describeStoreConformance(
  'RedisStore',
  async () => {
    const clock = new ManualClock();
    const prefix = uniquePrefix();
    const generateId = sequentialIds();
    const store = new RedisStore({ redis: redisUrl, prefix, clock, generateId });
    // Peers are separate connections on the same prefix: what two daemon nodes hold.
    const peers: Store[] = [];
    return {
      store,
      clock,
      peer: () => {
        const peer = new RedisStore({ redis: redisUrl, prefix, clock, generateId });
        peers.push(peer);
        return peer;
      },
      close: async () => {
        await Promise.all([store, ...peers].map((s) => s.close()));
      },
    };
  },
  { propertyRuns: 25 },
);

describe('RedisStore on a real redis-server', () => {
  let raw: Redis;

  beforeAll(() => {
    raw = new Redis(redisUrl);
  });
  afterAll(async () => {
    await raw.quit();
  });

  it('writes every key under its prefix, the record as a hash and indexes as sorted sets', async () => {
    const prefix = uniquePrefix();
    const store = new RedisStore({ redis: raw, prefix });
    const e = await store.executions.recordOnce('job-1', { program: 'qa', inputs: {} });
    const run = await store.optimizationRuns.create({
      program: 'qa',
      optimizer: 'o',
      status: 'running',
    });
    await store.optimizationRuns.saveCheckpoint(run.id, { step: 1 });
    const keys = (await raw.keys(`${prefix}:*`)).sort();
    expect(keys).toContain(`${prefix}:execution:${e.execution.id}`);
    expect(keys).toContain(`${prefix}:execution-job:job-1`);
    expect(keys).toContain(`${prefix}:run-checkpoint:${run.id}`);
    expect(keys).toContain(`${prefix}:idx:execution:program:qa:status:pending`);
    expect(await raw.type(`${prefix}:execution:${e.execution.id}`)).toBe('hash');
    expect(await raw.type(`${prefix}:idx:execution:status:pending`)).toBe('zset');
    // `all` and `program:qa` are read as the union of the per-status indexes, never written.
    expect(keys).not.toContain(`${prefix}:idx:execution:all`);
    expect(keys).not.toContain(`${prefix}:idx:execution:program:qa`);
    expect(await raw.hget(`${prefix}:execution:${e.execution.id}`, 'rev')).toBe('1');
    await store.close();
    expect(raw.status).toBe('ready'); // a shared client stays open
  });

  it('lets a final execution record and its job alias expire in the same write, not a running one', async () => {
    const prefix = uniquePrefix();
    const store = new RedisStore({ redis: raw, prefix, executionTtlSeconds: 3600 });
    const { execution } = await store.executions.recordOnce('job-ttl', {
      program: 'qa',
      inputs: { q: 1 },
      status: 'running',
    });
    const keys = [`${prefix}:execution:${execution.id}`, `${prefix}:execution-job:job-ttl`];
    const ttls = async (): Promise<number[]> => Promise.all(keys.map((k) => raw.ttl(k)));
    await store.executions.update(execution.id, { node: 'n1' }, { known: execution });
    expect(await ttls()).toEqual([-1, -1]);
    await store.executions.update(execution.id, { status: 'succeeded', outputs: { a: 1 } });
    for (const ttl of await ttls()) {
      expect(ttl).toBeGreaterThan(3500);
      expect(ttl).toBeLessThanOrEqual(3600);
    }
    await store.close();
  });

  it('lets a record written once as succeeded expire with its job alias in the same write', async () => {
    const prefix = uniquePrefix();
    const store = new RedisStore({ redis: raw, prefix, executionTtlSeconds: 3600 });
    const { execution } = await store.executions.recordSucceeded('job-once', {
      program: 'qa',
      inputs: { q: 1 },
      outputs: { a: 1 },
      durationMs: 3,
    });
    for (const key of [`${prefix}:execution:${execution.id}`, `${prefix}:execution-job:job-once`]) {
      const ttl = await raw.ttl(key);
      expect(ttl).toBeGreaterThan(3500);
      expect(ttl).toBeLessThanOrEqual(3600);
    }
    await store.close();
  });

  it('uses dspex:store as the default prefix', async () => {
    const clock = new ManualClock();
    const store = new RedisStore({ redis: raw, clock });
    const name = `default-prefix-${randomUUID()}`;
    await store.datasets.create({ name, version: '1', examples: [] });
    expect(await raw.exists(`dspex:store:dataset:${name}@1`)).toBe(1);
    // Leave the shared default keyspace as it was.
    const member = `${String(clock.now()).padStart(15, '0')}|dataset:${name}@1`;
    expect(await raw.zrem('dspex:store:idx:dataset:all', member)).toBe(1);
    await raw.del(`dspex:store:dataset:${name}@1`, `dspex:store:idx:dataset:name:${name}`);
  });

  it('keeps stores with different prefixes apart', async () => {
    const a = new RedisStore({ redis: raw, prefix: uniquePrefix() });
    const b = new RedisStore({ redis: raw, prefix: uniquePrefix() });
    await a.programs.create({ name: 'qa' });
    expect(await b.programs.find('qa')).toBeUndefined();
    expect((await b.programs.list()).items).toEqual([]);
    await b.programs.create({ name: 'qa' });
  });

  it('reloads its scripts after the server forgets them (SCRIPT FLUSH)', async () => {
    const store = new RedisStore({ redis: raw, prefix: uniquePrefix() });
    const e = await store.executions.create({ program: 'qa', inputs: {} });
    await raw.script('FLUSH');
    expect((await store.executions.update(e.id, { status: 'running' })).status).toBe('running');
    await raw.script('FLUSH');
    expect((await store.executions.recordOnce('j', { program: 'qa', inputs: {} })).created).toBe(
      true,
    );
  });

  it('reports a stored value that no longer matches its schema as corrupt_record', async () => {
    const prefix = uniquePrefix();
    const store = new RedisStore({ redis: raw, prefix });
    const e = await store.executions.create({ program: 'qa', inputs: {} });
    await raw.hset(
      `${prefix}:execution:${e.id}`,
      'json',
      JSON.stringify({ id: e.id, status: 'exploded' }),
    );
    const err = await expectStoreError(store.executions.get(e.id), 'corrupt_record');
    expect(err.details).toMatchObject({ key: `execution:${e.id}` });
    await raw.hset(`${prefix}:execution:${e.id}`, 'json', '{not json');
    await expectStoreError(store.executions.update(e.id, { status: 'running' }), 'corrupt_record');
  });

  it('fails with retryable unavailable when Redis cannot be reached', async () => {
    const port = await freePort();
    const store = new RedisStore({
      redis: { host: '127.0.0.1', port, maxRetriesPerRequest: 0, retryStrategy: () => null },
    });
    const err = await expectStoreError(store.programs.get('qa'), 'unavailable');
    expect(err.retryable).toBe(true);
    await store.close();
  });

  it('quits the connection it created on close', async () => {
    const store = new RedisStore({ redis: redisUrl, prefix: uniquePrefix() });
    await store.programs.create({ name: 'qa' });
    await store.close();
    await expectStoreError(store.programs.get('qa'), 'unavailable');
  });
});
