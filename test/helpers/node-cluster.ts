/**
 * The shared setup of the cluster integration tests: a redis-server of the test's own, dspex node
 * processes on it (test/runtime/fixtures/cluster-node.ts), and the clients a test drives them with
 * (a plain BullMQ queue, the Redis store, an ioredis connection), closed in one call.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { readClusterNodes } from '../../src/daemon/index.js';
import { RedisStore } from '../../src/store/index.js';
import { spawnNode, type NodeProcess, type NodeSpec } from '../runtime/fixtures/node-process.js';
import { startRedisServer, type RedisServerHandle } from './redis-server.js';

/** Options of {@link startNodeCluster}. */
export interface NodeClusterOptions {
  /** BullMQ prefix of the cluster (the store lives under `<prefix>:store`). */
  prefix: string;
  nodeIds: readonly string[];
  /** What every node gets besides its id, Redis URL and prefix. */
  node: Omit<NodeSpec, 'nodeId' | 'redisUrl' | 'prefix'>;
  /** The queue the test submits to with a plain BullMQ producer. Default `dspex-run`. */
  queue?: string;
}

/** A running cluster; {@link close} stops everything it started. */
export interface NodeCluster {
  readonly redisServer: RedisServerHandle;
  readonly nodes: readonly NodeProcess[];
  /** A plain BullMQ producer on the options' queue, as any user process would write it. */
  readonly queue: Queue;
  readonly store: RedisStore;
  readonly redis: Redis;
  /** The node process with this id. */
  node(id: string): NodeProcess;
  /** Ids of the nodes whose heartbeat is live in Redis, sorted. */
  liveNodeIds(): Promise<string[]>;
  /** Kills the nodes (SIGKILL), closes the clients and stops the redis-server. */
  close(): Promise<void>;
}

/**
 * Starts a redis-server, spawns one node process per id and resolves once every node consumes its
 * queues and has published its heartbeat (so work submitted next can go to any of them).
 */
export async function startNodeCluster(options: NodeClusterOptions): Promise<NodeCluster> {
  const { prefix } = options;
  const redisServer = await startRedisServer();
  const nodes = options.nodeIds.map((nodeId) =>
    spawnNode({ ...options.node, nodeId, redisUrl: redisServer.url, prefix }),
  );
  const queue = new Queue(options.queue ?? 'dspex-run', {
    prefix,
    connection: { host: '127.0.0.1', port: redisServer.port, maxRetriesPerRequest: null },
  });
  queue.on('error', () => undefined);
  const store = new RedisStore({ redis: redisServer.url, prefix: `${prefix}:store` });
  const redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
  redis.on('error', () => undefined);
  const liveNodeIds = async () =>
    (await readClusterNodes(redis, prefix)).map((n) => n.nodeId).sort();
  const close = async () => {
    await Promise.all(nodes.map((n) => n.kill()));
    await queue.close();
    await store.close();
    redis.disconnect();
    await redisServer.stop();
  };
  try {
    await Promise.all(nodes.map((n) => n.ready));
    const want = [...options.nodeIds].sort().join(',');
    await pollUntil('every node’s heartbeat', 30_000, async () =>
      (await liveNodeIds()).join(',') === want ? true : undefined,
    );
  } catch (error) {
    await close();
    throw error;
  }
  return {
    redisServer,
    nodes,
    queue,
    store,
    redis,
    node: (id) => {
      const found = nodes.find((n) => n.nodeId === id);
      if (found === undefined) throw new Error(`no node '${id}' in this cluster`);
      return found;
    },
    liveNodeIds,
    close,
  };
}

/** Polls `probe` every 50 ms until it returns a value, failing after `timeoutMs`. */
export async function pollUntil<T>(
  what: string,
  timeoutMs: number,
  probe: () => T | undefined | Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
