import { Queue, UnrecoverableError } from 'bullmq';
import { Redis } from 'ioredis';
import { nanoid } from 'nanoid';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { BullMQTransport, type ConnectionEvent } from '../../src/transport/index.js';
import { eventually } from './async-helpers.js';

// What only the BullMQ implementation promises: wire compatibility with plain BullMQ clients,
// the tuned worker settings, and connection reporting.
describe('BullMQTransport interop', () => {
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
  const transportWithPrefix = () => {
    const prefix = `interop-${nanoid(8)}`;
    const transport = new BullMQTransport({ url: inject('redisUrl'), prefix });
    closers.push(() => transport.close());
    return { transport, prefix };
  };

  it('consumes_jobs_added_by_a_plain_bullmq_producer', async () => {
    const { transport, prefix } = transportWithPrefix();
    const connection = new Redis(inject('redisUrl'));
    closers.push(() => connection.quit());
    const producer = new Queue('dspex-run', { connection, prefix });
    closers.push(() => producer.close());
    await transport.process('dspex-run', async (job) => ({
      outputs: { echoed: job.data.inputs ?? null },
    }));
    const job = await producer.add(
      'run',
      { program: 'qa', inputs: { question: 'why?' } },
      { jobId: 'plain-1' },
    );
    expect(await transport.waitForResult('dspex-run', job.id ?? '', 5000)).toEqual({
      outputs: { echoed: { question: 'why?' } },
    });
  });

  it('fails_at_once_on_bullmqs_own_unrecoverable_error', async () => {
    const { transport } = transportWithPrefix();
    let calls = 0;
    await transport.process('q', async () => {
      calls++;
      throw new UnrecoverableError('invalid program');
    });
    const id = await transport.enqueue('q', {}, { attempts: 3 });
    await expect(transport.waitForResult('q', id, 5000)).rejects.toMatchObject({
      code: 'job_failed',
      details: { failedReason: 'invalid program' },
    });
    expect(calls).toBe(1);
  });

  it('runs_workers_with_the_tuned_stall_settings', async () => {
    const { transport } = transportWithPrefix();
    const consumer = (await transport.process('q', async () => null)) as unknown as {
      worker: { opts: Record<string, unknown> };
    };
    expect(consumer.worker.opts).toMatchObject({
      lockDuration: 2000,
      stalledInterval: 1000,
      maxStalledCount: 2,
    });
  });

  it('reports_each_client_ready_and_closed', async () => {
    const { transport } = transportWithPrefix();
    const events: ConnectionEvent[] = [];
    transport.onConnection((e) => events.push(e));
    await transport.process('q', async () => null);
    await eventually(
      () => [...transport.connectionStates().values()].every((s) => s === 'ready'),
      5000,
      'ready clients',
    );
    expect([...transport.connectionStates().keys()].sort()).toEqual(['commands', 'worker:q#1']);
    await transport.close();
    await eventually(
      () => events.some((e) => e.client === 'commands' && e.state === 'closed'),
      2000,
      'commands closed',
    );
    expect(events).toContainEqual({ client: 'worker:q#1', state: 'closed' });
    expect(events).toContainEqual({ client: 'commands', state: 'ready' });
  });
});
