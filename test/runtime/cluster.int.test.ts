/**
 * A three-node dspex cluster of real OS processes: a redis-server this file owns (so it can restart
 * it), three daemon nodes (test/runtime/fixtures/cluster-node.ts: startRuntime + startDaemon), the
 * OpenAI fixture server in echo mode as the model, plain BullMQ producers, and the `dspex` CLI.
 * The scenarios share the cluster and run in order: bad input, the cluster view, an LM outage, a
 * node SIGKILLed under 500 jobs, the view after the kill, and Redis restarted under load.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readClusterNodes } from '../../src/daemon/index.js';
import type { RedisStore } from '../../src/store/index.js';
import { startOpenAIFixture, type LMFixture } from '../fixtures/index.js';
import { holdRepliesUntil, senderPids, type ReplyGate } from '../helpers/lm-gate.js';
import { startNodeCluster, type NodeCluster } from '../helpers/node-cluster.js';
import type { RedisServerHandle } from '../helpers/redis-server.js';
import { JobTracker, executionsByJobId } from './fixtures/job-tracker.js';
import { runDspex, type NodeProcess } from './fixtures/node-process.js';

const NODE_IDS = ['node-a', 'node-b', 'node-c'] as const;
const HEARTBEAT_MS = 300;
const BREAKER = { threshold: 3, resetMs: 1_500 };

interface InspectDoc {
  source: string;
  nodes: { nodeId: string; mode: string; tree: TreeNode }[];
}
interface TreeNode {
  id: string;
  kind: string;
  status: string;
  restarts: number;
  details?: { keys?: { key: string; circuit: string }[] };
  children?: TreeNode[];
}

function findNode(tree: TreeNode, id: string): TreeNode | undefined {
  if (tree.id === id) return tree;
  for (const c of tree.children ?? []) {
    const hit = findNode(c, id);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

async function until(
  what: string,
  timeoutMs: number,
  cond: () => Promise<boolean> | boolean,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a three-node cluster of real processes on one Redis', () => {
  const prefix = `cluster-${process.pid}`;
  const cliDir = mkdtempSync(join(tmpdir(), 'dspex-cluster-cli-'));
  let cluster: NodeCluster;
  let redisServer: RedisServerHandle;
  let fixture: LMFixture;
  let nodes: readonly NodeProcess[] = [];
  let queue: Queue;
  let tracker: JobTracker;
  let store: RedisStore;
  let redis: Redis;

  const node = (id: string): NodeProcess => nodes.find((n) => n.nodeId === id)!;
  const live = async (): Promise<string[]> =>
    (await readClusterNodes(redis, prefix)).map((n) => n.nodeId);
  /** Whether some live node's snapshot shows the fixture model's circuit open. */
  const circuitOpen = async (): Promise<boolean> =>
    (await readClusterNodes(redis, prefix)).some((n) =>
      (findNode(n.snapshot.tree as TreeNode, 'client-pool')?.details?.keys ?? []).some(
        (k) => k.key === 'openai:gpt-4o-mini' && k.circuit === 'open',
      ),
    );
  /**
   * Waits until `nodeId` has an LM call held by `gate` and an execution of `ids` recorded as
   * running: killed or stopped now, it has work in flight.
   */
  const waitingOnTheLm = (gate: ReplyGate, nodeId: string, ids: string[]) =>
    until(`${nodeId} waiting on the LM with an execution recorded as running`, 30_000, async () =>
      senderPids(gate.waiting).has(node(nodeId).child.pid!)
        ? (await store.executions.list({ status: 'running', limit: 1000 })).items.some(
            (e) => e.node === nodeId && ids.includes(e.jobId ?? ''),
          )
        : false,
    );
  const inspectJson = async (): Promise<InspectDoc> => {
    const res = await runDspex(
      ['inspect', '--json', '--redis', redisServer.url, '--prefix', prefix],
      cliDir,
    );
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    return JSON.parse(res.stdout) as InspectDoc;
  };
  const add = async (
    n: number,
    data: (i: number) => unknown,
    opts: Record<string, unknown> = {},
  ): Promise<string[]> => {
    const jobs = await queue.addBulk(
      Array.from({ length: n }, (_, i) => ({ name: 'run', data: data(i), opts })),
    );
    return jobs.map((j) => j.id!);
  };

  beforeAll(async () => {
    fixture = await startOpenAIFixture();
    fixture.recordRequests = false;
    // The queue is a plain BullMQ producer, as any user process would write it (DESIGN §5).
    cluster = await startNodeCluster({
      prefix,
      nodeIds: NODE_IDS,
      node: { lmUrl: fixture.url, heartbeatMs: HEARTBEAT_MS, breaker: BREAKER },
    });
    ({ redisServer, nodes, queue, store, redis } = cluster);
    tracker = await JobTracker.open(queue, { host: '127.0.0.1', port: redisServer.port });
  }, 60_000);

  afterAll(async () => {
    await tracker?.close();
    await cluster?.close();
    await fixture?.close();
    rmSync(cliDir, { recursive: true, force: true });
  });

  it('fails_malformed_payloads_and_unknown_programs_at_once_with_readable_reasons_and_stays_up', async () => {
    const ids = await add(
      6,
      (i) =>
        [
          { inputs: 'nope' },
          { program: 'ghost', inputs: { question: 'x' } },
          'just a string',
          [1, 2, 3],
          { program: 'qa', inputs: { question: 'x' }, config: { temperature: 'hot' } },
          { program: 'qa', inputs: { question: 'fine' } },
        ][i],
      { attempts: 3, backoff: { type: 'fixed', delay: 100 } },
    );
    await tracker.waitFor(ids, 20_000);
    const reasons = ids.map((id) => tracker.outcomes.get(id)?.reason);
    expect(reasons[0]).toMatch(/^invalid job data: program: .*inputs: /);
    expect(reasons[1]).toBe("unknown program 'ghost' (known: chain3, qa)");
    expect(reasons[2]).toMatch(/^invalid job data: \(root\): /);
    expect(reasons[3]).toMatch(/^invalid job data: \(root\): /);
    expect(reasons[4]).toMatch(/invalid job config: temperature: /);
    expect(tracker.outcomes.get(ids[5]!)).toMatchObject({
      state: 'completed',
      value: {
        outputs: { answer: expect.stringMatching(/^answer-/) },
        executionId: expect.any(String),
      },
    });
    // No retries for input that can never be valid.
    for (const id of ids.slice(0, 5)) expect((await queue.getJob(id))?.attemptsMade).toBe(1);
    expect(nodes.every((n) => n.alive)).toBe(true);
    expect(await live()).toEqual([...NODE_IDS]);
  });

  it('retries_a_plain_producer_job_after_an_lm_5xx_with_the_runtime_job_attempts', async () => {
    // runtime-arch: retryable LM errors "make the job retry with backoff (attempts from config)".
    // A plain producer sets no attempts (BullMQ's default is 1), so the node's own policy must apply.
    fixture.enqueue({ kind: 'error', status: 503, message: 'transient' });
    const [id] = await add(1, () => ({
      program: 'qa',
      inputs: { question: 'one 503, then fine' },
    }));
    await tracker.waitFor([id!], 20_000);
    expect(tracker.outcomes.get(id!)).toMatchObject({ state: 'completed' });
  });

  it('dspex_inspect_json_shows_the_three_live_nodes_with_their_trees', async () => {
    const doc = await inspectJson();
    expect(doc.source).toBe('redis');
    expect(doc.nodes.map((n) => [n.nodeId, n.mode])).toEqual(NODE_IDS.map((id) => [id, 'redis']));
    for (const n of doc.nodes) {
      expect(n.tree).toMatchObject({
        id: 'root',
        kind: 'supervisor',
        status: 'running',
        restarts: 0,
      });
      expect(findNode(n.tree, 'run-bridge')).toMatchObject({ kind: 'worker', status: 'running' });
      expect(findNode(n.tree, 'program-workers')).toMatchObject({ kind: 'supervisor' });
    }
  }, 40_000);

  it('an_lm_outage_opens_the_circuit_and_every_job_completes_once_the_lm_is_back', async () => {
    let errors = 0;
    fixture.handle(() => {
      errors++;
      return { kind: 'error', status: 500, message: 'LM outage' };
    });
    const ids = await add(30, (i) => ({ program: 'qa', inputs: { question: `outage ${i}` } }), {
      attempts: 40,
      backoff: { type: 'fixed', delay: 500 },
    });
    await until('an open circuit in a node snapshot', 20_000, circuitOpen);
    const retriesOfThese = () => tracker.retries.filter((r) => ids.includes(r.jobId));
    await until('attempts refused by an open circuit', 10_000, () =>
      retriesOfThese().some((r) => /circuit for "openai:gpt-4o-mini" is open/.test(r.reason)),
    );
    fixture.handle(undefined);
    await tracker.waitFor(ids, 30_000);
    expect(ids.map((id) => tracker.outcomes.get(id)?.state)).toEqual(ids.map(() => 'completed'));
    // Attempts refused by an open circuit never reached the LM: fewer 500s than failed attempts.
    expect(errors).toBeLessThan(retriesOfThese().length);
    const executions = await executionsByJobId(store, 'qa');
    for (const id of ids) expect(executions.get(id)?.map((e) => e.status)).toEqual(['succeeded']);
  }, 60_000);

  it('completes_500_jobs_each_recorded_once_when_a_node_is_sigkilled_mid_run', async () => {
    const start = Date.now();
    // The LM answers the first 150 calls, then holds every later one until node-c is dead: node-c
    // dies with LM calls in flight and executions it recorded as running, whatever the timing.
    const gate = holdRepliesUntil(fixture, () => false, undefined, { passFirst: 150 });
    const ids = await add(500, (i) => ({ program: 'qa', inputs: { question: `load ${i}` } }));
    await until('150 completions', 30_000, () => tracker.count(ids, 'completed') >= 150);
    await waitingOnTheLm(gate, 'node-c', ids);
    const killedAt = Date.now();
    await node('node-c').kill('SIGKILL');
    const deadAt = Date.now();
    gate.close();
    await tracker.waitFor(ids, 60_000);
    expect(tracker.count(ids, 'completed')).toBe(500);
    const orphans = [...tracker.stalled]
      .filter(([id, at]) => at >= killedAt && ids.includes(id))
      .map(([id]) => id);
    const recoveryMs = Math.max(0, ...orphans.map((id) => tracker.outcomes.get(id)!.at - killedAt));
    // A measurement, not an assertion (the bound is lockDuration + 2 × stalledInterval, see
    // src/transport/README.md; a loaded machine stretches it).
    console.log(
      `[cluster] 500 jobs in ${Date.now() - start} ms; node-c SIGKILLed after ${killedAt - start} ms with ` +
        `${orphans.length} jobs in flight; recovery (kill → last orphan completed) ${recoveryMs} ms`,
    );
    expect(orphans.length).toBeGreaterThan(0);
    const executions = await executionsByJobId(store, 'qa');
    const perJob = ids.map((id) => executions.get(id) ?? []);
    expect(perJob.filter((e) => e.length !== 1)).toEqual([]);
    expect(perJob.every(([e]) => e!.status === 'succeeded')).toBe(true);
    // An orphan finished after node-c's death ran on a survivor, and its record names the node
    // that last ran it (src/store execution-record: "Node that runs (or last ran) it"). node-c's
    // LM calls were held until it died, so every orphan ran again on a survivor.
    const misattributed = orphans
      .map((id) => executions.get(id)![0]!)
      .filter((e) => e.node === 'node-c' && Date.parse(e.finishedAt ?? '') > deadAt);
    expect(misattributed).toEqual([]);
    // The outage before is over: the survivors' circuits closed again on their first calls.
    await until('every circuit closed', 5_000, async () => !(await circuitOpen()));
    expect(orphans.filter((id) => executions.get(id)![0]!.node === 'node-c')).toEqual([]);
  }, 90_000);

  it('dspex_inspect_json_shows_two_nodes_once_the_killed_one_has_expired', async () => {
    await until('node-c heartbeat expired', 5_000, async () => (await live()).length === 2);
    const doc = await inspectJson();
    expect(doc.nodes.map((n) => n.nodeId)).toEqual(['node-a', 'node-b']);
  }, 40_000);

  it('nodes_reconnect_after_a_redis_restart_and_finish_the_resubmitted_jobs', async () => {
    const jobId = (i: number): string => `restart-${i}`;
    const data = (i: number): unknown => ({ program: 'qa', inputs: { question: `restart ${i}` } });
    const resubmit = async (): Promise<string[]> => {
      const jobs = await queue.addBulk(
        Array.from({ length: 150 }, (_, i) => ({
          name: 'run',
          data: data(i),
          opts: { jobId: jobId(i) },
        })),
      );
      return jobs.map((j) => j.id!);
    };
    const ids = await resubmit();
    await until('30 completions', 30_000, () => tracker.count(ids, 'completed') >= 30);
    // No persistence: the restart loses queues, jobs and records, as a Redis without AOF does.
    await redisServer.restart();
    // BullMQ numbers jobs from 1 again on the empty Redis: forget what was seen before.
    tracker.outcomes.clear();
    tracker.stalled.clear();
    await until(
      'both heartbeats back',
      15_000,
      async () => (await live().catch(() => [])).length === 2,
    );
    // The LM answers once both survivors wait on it at once: each takes jobs after the restart
    // (its consumer reconnected), whichever reconnected first.
    const gate = holdRepliesUntil(fixture, (waiting) => senderPids(waiting).size >= 2);
    // Same job ids: re-adding is idempotent for jobs that survived (none here).
    expect(await resubmit()).toEqual(ids);
    const pids = ['node-a', 'node-b'].map((id) => node(id).child.pid!).sort();
    expect([...senderPids(await gate.opened)].sort()).toEqual(pids);
    gate.close();
    await tracker.waitFor(ids, 40_000);
    expect(tracker.count(ids, 'completed')).toBe(150);
    const executions = await executionsByJobId(store, 'qa');
    expect(ids.map((id) => executions.get(id)?.length)).toEqual(ids.map(() => 1));
    // Both survivors took jobs after the restart: their consumers reconnected.
    expect(new Set(ids.map((id) => executions.get(id)![0]!.node))).toEqual(
      new Set(['node-a', 'node-b']),
    );
    expect(nodes.filter((n) => n.alive).map((n) => n.nodeId)).toEqual(['node-a', 'node-b']);
  }, 90_000);

  it('sigterm_drains_a_node_under_load_exits_0_and_loses_or_stalls_no_job', async () => {
    // The LM answers 40 calls, then holds the rest until node-b has been signalled with calls of
    // its own in flight: the drain always has work to wait for.
    const gate = holdRepliesUntil(fixture, () => false, undefined, { passFirst: 40 });
    const ids = await add(200, (i) => ({ program: 'qa', inputs: { question: `drain ${i}` } }));
    await until('40 completions', 30_000, () => tracker.count(ids, 'completed') >= 40);
    await waitingOnTheLm(gate, 'node-b', ids);
    const signalled = Date.now();
    node('node-b').child.kill('SIGTERM');
    gate.close();
    expect(await node('node-b').exited).toBe(0);
    // A clean stop removes its heartbeat at once instead of letting it expire.
    expect(await live()).toEqual(['node-a']);
    await tracker.waitFor(ids, 40_000);
    expect(tracker.count(ids, 'completed')).toBe(200);
    expect([...tracker.stalled].filter(([id, at]) => at >= signalled && ids.includes(id))).toEqual(
      [],
    );
    const executions = await executionsByJobId(store, 'qa');
    expect(ids.map((id) => executions.get(id)?.length)).toEqual(ids.map(() => 1));
  }, 60_000);

  it('a_job_reusing_the_id_of_an_obliterated_queue_gets_its_own_execution_not_a_stale_one', async () => {
    // BullMQ numbers jobs per queue from 1 again once the queue is obliterated, while the store
    // (other keys) keeps its records: the execution key must not be the bare job id.
    await queue.obliterate({ force: true });
    const [first] = await add(1, () => ({
      program: 'qa',
      inputs: { question: 'before obliterate' },
    }));
    expect(first).toBe('1');
    await tracker.waitFor([first!], 20_000);
    await queue.obliterate({ force: true });
    tracker.outcomes.delete(first!);
    const [second] = await add(1, () => ({
      program: 'qa',
      inputs: { question: 'after obliterate' },
    }));
    expect(second).toBe(first);
    await tracker.waitFor([second!], 20_000);
    const value = tracker.outcomes.get(second!)?.value as { executionId: string };
    const record = await store.executions.get(value.executionId);
    expect(record.inputs).toEqual({ question: 'after obliterate' });
  });
});
