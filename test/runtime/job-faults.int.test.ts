import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { nanoid } from 'nanoid';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { Predict } from '../../src/modules/index.js';
import { createLogger, silentLogger } from '../../src/telemetry/index.js';
import { BullMQTransport, type TransportEvent } from '../../src/transport/index.js';
import { startRuntime } from '../../supervisors/runtime.js';
import type { Runtime } from '../../supervisors/runtime-types.js';
import { rateLimited, startOpenAIFixture, type LMFixture } from '../fixtures/index.js';
import { startRedisServer, type RedisServerHandle } from '../helpers/redis-server.js';
import { GatedProgram, eventually, fixtureLm } from '../supervisors/runtime-helpers.js';

let fixture: LMFixture;
let prefix: string;
const cleanups: (() => Promise<void>)[] = [];

beforeEach(async () => {
  fixture = await startOpenAIFixture();
  prefix = `faults-${nanoid(6)}`;
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  await fixture.close();
});

async function node(
  programs: Parameters<typeof startRuntime>[0]['programs'] & object,
  opts: { url?: string; transport?: BullMQTransport; concurrency?: number } = {},
): Promise<Runtime> {
  const url = opts.url ?? inject('redisUrl');
  const rt = await startRuntime(
    {
      programs: programs as Record<string, Predict>,
      redis: { url, prefix },
      queues: { concurrency: opts.concurrency ?? 2 },
      shutdown: { drainTimeoutMs: 1_000 },
    },
    {
      logger: silentLogger(),
      lm: fixtureLm(fixture),
      ...(opts.transport === undefined ? {} : { transport: opts.transport }),
    },
  );
  cleanups.push(() => rt.stop());
  return rt;
}

describe('job path faults against a real Redis', () => {
  it('completes_a_job_redelivered_after_a_lost_lock_without_running_it_twice', async () => {
    // Short locks, so the lost lock is found quickly; the lock is then deleted, as an event loop
    // blocked past the lock (or a paused node) would let it expire.
    const transport = new BullMQTransport({
      url: inject('redisUrl'),
      prefix,
      lockDuration: 1_000,
      stalledInterval: 200,
    });
    cleanups.push(() => transport.close());
    const gated = new GatedProgram();
    const rt = await node({ g: gated }, { transport });
    const events: TransportEvent[] = [];
    const sub = await transport.subscribe('dspex-run', (e) => events.push(e));
    cleanups.push(() => sub.unsubscribe());
    const { jobId } = await rt.submit('g', { text: 'once' });
    await eventually(() => gated.started === 1);
    const redis = new Redis(inject('redisUrl'));
    cleanups.push(async () => void redis.disconnect());
    await redis.del(`${prefix}:dspex-run:${jobId}:lock`);
    await eventually(async () => (await transport.getJob('dspex-run', jobId))?.started === 2);
    gated.release();
    const result = await rt.waitForJob(jobId, 10_000);
    expect(result.outputs).toEqual({ echoed: 'once' });
    // The redelivered run joined the first one: the program ran once, one record, succeeded.
    expect(gated.started).toBe(1);
    expect(events.some((e) => e.type === 'stalled' && e.jobId === jobId)).toBe(true);
    const records = await rt.store.executions.list({ program: 'g' });
    expect(records.items).toHaveLength(1);
    expect(records.items[0]).toMatchObject({ status: 'succeeded', id: result.executionId });
  });

  it('delays_a_rate_limited_job_in_the_queue_and_lets_other_jobs_use_the_slot', async () => {
    const rt = await node({ qa: new Predict('question -> answer') }, { concurrency: 1 });
    fixture.enqueue(rateLimited({ retryAfter: '1' }));
    const first = await rt.submit('qa', { question: 'rate limited first' });
    await eventually(
      async () => (await rt.transport.getJob('dspex-run', first.jobId))?.state === 'delayed',
    );
    // The only slot is free while the first job waits out its Retry-After.
    const second = await rt.submit('qa', { question: 'second' });
    await rt.waitForJob(second.jobId, 5_000);
    expect((await rt.transport.getJob('dspex-run', first.jobId))?.state).toBe('delayed');
    const result = await rt.waitForJob(first.jobId, 10_000);
    expect(result.outputs['answer']).toMatch(/^answer-/);
    const info = await rt.transport.getJob('dspex-run', first.jobId);
    expect(info).toMatchObject({ state: 'completed', started: 2, attemptsMade: 1 });
  });

  it('lets_a_finished_execution_record_and_its_job_alias_expire_after_the_ttl', async () => {
    const rt = await node({ qa: new Predict('question -> answer') });
    const { jobId } = await rt.submit('qa', { question: 'expire me' });
    const { executionId } = await rt.waitForJob(jobId, 10_000);
    const redis = new Redis(inject('redisUrl'));
    cleanups.push(async () => void redis.disconnect());
    const day = 24 * 3600;
    for (const key of [
      `${prefix}:store:execution:${executionId}`,
      `${prefix}:store:execution-job:${jobId}`,
    ]) {
      const ttl = await redis.ttl(key);
      // Default retention: 7 days.
      expect(ttl).toBeGreaterThan(6 * day);
      expect(ttl).toBeLessThanOrEqual(7 * day);
    }
  });

  it('warns_loudly_at_start_when_redis_has_no_persistence', async () => {
    // The test redis-server runs with `--save '' --appendonly no`.
    const lines: string[] = [];
    const logger = createLogger({
      level: 'warn',
      destination: new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    });
    const rt = await startRuntime(
      {
        programs: { qa: new Predict('question -> answer') },
        redis: { url: inject('redisUrl'), prefix },
      },
      { logger, lm: fixtureLm(fixture) },
    );
    cleanups.push(() => rt.stop());
    expect(lines.join('\n')).toMatch(/WARNING: Redis has no persistence.*lost when Redis restarts/);
  });
});

describe('Redis with a password and an ACL user', () => {
  // ':' and '@' must survive the URL (percent-encoded there).
  const PASSWORD = 'top:secret@1';
  let server: RedisServerHandle;

  beforeEach(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dspex-redis-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    server = await startRedisServer(undefined, [
      '--dir',
      dir,
      // Each ACL rule is its own argument (redis-server joins them into one `user` line).
      '--user',
      'default',
      'on',
      `>${PASSWORD}`,
      '~*',
      '&*',
      '+@all',
      '--user',
      'dspex-node',
      'on',
      '>node-pw',
      '~*',
      '&*',
      '+@all',
      '--appendonly',
      'yes',
      '--maxmemory-policy',
      'noeviction',
    ]);
    cleanups.push(() => server.stop());
  });

  it.each([
    ['a password', (port: number) => `redis://:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}`],
    ['an ACL user', (port: number) => `redis://dspex-node:node-pw@127.0.0.1:${port}`],
  ])('runs_a_queued_job_end_to_end_with_%s_in_the_url', async (_what, url) => {
    const rt = await node({ qa: new Predict('question -> answer') }, { url: url(server.port) });
    const { jobId } = await rt.submit('qa', { question: 'auth?' });
    const result = await rt.waitForJob(jobId, 10_000);
    expect(result.outputs['answer']).toMatch(/^answer-/);
    expect(await rt.store.executions.findByJobId(jobId)).toMatchObject({ status: 'succeeded' });
  });

  it('refuses_to_start_with_a_wrong_password_with_a_readable_error', async () => {
    await expect(
      startRuntime(
        {
          programs: { qa: new Predict('question -> answer') },
          redis: { url: `redis://dspex-node:wrong@127.0.0.1:${server.port}`, prefix },
        },
        { logger: silentLogger(), lm: fixtureLm(fixture) },
      ),
    ).rejects.toThrow(/WRONGPASS|invalid username-password/);
  });
});
