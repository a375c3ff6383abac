import { nanoid } from 'nanoid';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { BullMQTransport, type TransportEvent } from '../../src/transport/index.js';
import { eventually } from './async-helpers.js';
import { startNode, type NodeProcess } from './node-process.js';

describe('BullMQTransport across processes: a node dies', () => {
  const nodes: NodeProcess[] = [];
  let transport: BullMQTransport | undefined;

  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
    await transport?.close();
  });

  it('resumes_a_sigkilled_nodes_in_flight_jobs_on_the_surviving_node', async () => {
    const redisUrl = inject('redisUrl');
    const prefix = `failover-${nanoid(8)}`;
    const queue = 'dspex-run';
    transport = new BullMQTransport({ url: redisUrl, prefix });
    const stalled: TransportEvent[] = [];
    await transport.subscribe(queue, (event) => {
      if (event.type === 'stalled') stalled.push(event);
    });

    // Both nodes share the queue; A's jobs never finish on their own (A is killed first).
    const a = startNode('A', { redisUrl, prefix, queue, concurrency: 2, jobMs: 60_000 });
    const b = startNode('B', { redisUrl, prefix, queue, concurrency: 2, jobMs: 300 });
    nodes.push(a, b);
    await Promise.all([a.ready(), b.ready()]);
    const ids = await Promise.all(
      Array.from({ length: 6 }, (_, i) => transport!.enqueue(queue, { i }, { attempts: 2 })),
    );
    await eventually(() => a.messages.some((m) => m.type === 'started'), 10_000, 'A holding a job');
    await new Promise((resolve) => setTimeout(resolve, 100)); // let A take its second job too
    const inFlightOnA = a.messages.filter((m) => m.type === 'started').map((m) => m.jobId ?? '');
    expect(a.messages.some((m) => m.type === 'finished')).toBe(false);
    const killedAt = Date.now();
    a.kill();

    const results = await Promise.all(ids.map((id) => transport!.waitForResult(queue, id, 15_000)));
    expect(results).toHaveLength(6);
    for (const result of results) expect(result).toMatchObject({ node: 'B' });

    const recoveries = inFlightOnA.map((jobId) => {
      const resumed = b.messages.find((m) => m.type === 'started' && m.jobId === jobId);
      return { jobId, ms: (resumed?.at ?? NaN) - killedAt };
    });
    console.log(
      `[transport] SIGKILLed node's jobs resumed on the other node after: ${recoveries
        .map((r) => `${r.jobId}=${r.ms} ms`)
        .join(
          ', ',
        )} (lockDuration ${transport.options.lockDuration}, stalledInterval ${transport.options.stalledInterval})`,
    );
    for (const { jobId } of recoveries) {
      expect(await transport.getJob(queue, jobId)).toMatchObject({
        state: 'completed',
        stalledCount: 1,
        attemptsMade: 1,
      });
    }
    await eventually(() => stalled.length >= inFlightOnA.length, 5000, 'stalled events');
    expect(new Set(stalled.map((e) => e.jobId))).toEqual(new Set(inFlightOnA));
  });
});
