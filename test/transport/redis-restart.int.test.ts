import { nanoid } from 'nanoid';
import { afterEach, describe, expect, it } from 'vitest';
import { BullMQTransport, type ConnectionEvent } from '../../src/transport/index.js';
import { startRedisServer, type RedisServerHandle } from '../helpers/redis-server.js';
import { eventually } from './async-helpers.js';
import { startNode, type NodeMessage, type NodeProcess } from './node-process.js';

const workerStates = (node: NodeProcess): NodeMessage[] =>
  node.messages.filter((m) => m.type === 'connection' && (m.client ?? '').startsWith('worker:'));

describe('BullMQTransport across processes: Redis restarts', () => {
  const nodes: NodeProcess[] = [];
  let transport: BullMQTransport | undefined;
  let redis: RedisServerHandle | undefined;

  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
    await transport?.close();
    await redis?.stop();
  });

  it('reconnects_consumers_after_a_redis_restart_and_finishes_every_job', async () => {
    redis = await startRedisServer();
    const prefix = `restart-${nanoid(8)}`;
    const queue = 'dspex-run';
    transport = new BullMQTransport({ url: redis.url, prefix });
    const parentStates: ConnectionEvent[] = [];
    transport.onConnection((event) => parentStates.push(event));
    const completed = new Set<string>();
    await transport.subscribe(queue, (event) => {
      if (event.type === 'completed') completed.add(event.jobId);
    });

    const config = { redisUrl: redis.url, prefix, queue, concurrency: 2, jobMs: 150 };
    const a = startNode('A', config);
    const b = startNode('B', config);
    nodes.push(a, b);
    await Promise.all([a.ready(), b.ready()]);

    const ids = Array.from({ length: 20 }, (_, i) => `job-${i}`);
    for (const id of ids) await transport.enqueue(queue, { id }, { jobId: id });
    await eventually(() => completed.size >= 4, 10_000, 'a few jobs done before the restart');

    // Mid-run: jobs are waiting and in flight when Redis dies.
    await redis.kill();
    const killedAt = Date.now();
    const doneBeforeKill = new Set(completed);
    await eventually(
      () => [a, b].every((n) => workerStates(n).some((m) => m.state === 'reconnecting')),
      10_000,
      'both nodes reconnecting',
    );
    // Longer than BullMQ's 5 s drainDelay (workers have stopped on outages like that: bullmq#4585).
    await new Promise((resolve) => setTimeout(resolve, 6000));
    await redis.restart();
    const restartedAt = Date.now();
    await eventually(
      () =>
        [a, b].every((n) =>
          workerStates(n).some((m) => m.state === 'ready' && m.at >= restartedAt),
        ),
      10_000,
      'both nodes connected again',
    );

    // The restarted Redis has no persistence, so unfinished jobs are gone: resubmit them under the
    // same ids (idempotent for any job that did survive).
    const resubmitted = ids.filter((id) => !doneBeforeKill.has(id));
    for (const id of resubmitted) await transport.enqueue(queue, { id }, { jobId: id });
    const results = await Promise.all(
      resubmitted.map((id) => transport!.waitForResult(queue, id, 15_000)),
    );
    const finishedAt = Date.now();

    expect(new Set([...doneBeforeKill, ...resubmitted])).toEqual(new Set(ids));
    const nodesAfter = new Set(results.map((r) => (r as { node: string }).node));
    console.log(
      `[transport] redis down ${restartedAt - killedAt} ms; ${doneBeforeKill.size} jobs done before, ` +
        `${resubmitted.length} after the restart in ${finishedAt - restartedAt} ms by nodes ${[...nodesAfter].join(', ')}`,
    );
    expect(resubmitted.length).toBeGreaterThan(0);
    expect(parentStates.some((e) => e.client === 'commands' && e.state === 'reconnecting')).toBe(
      true,
    );
    expect((await transport.getCounts(queue)).completed).toBe(resubmitted.length);
  });
});
