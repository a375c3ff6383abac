import type { Redis } from 'ioredis';
import { nodeKey, nodesSetKey } from './cluster-keys.js';
import type { NodeHeartbeat } from './heartbeat.js';

/**
 * Reads every live node's heartbeat record (sorted by node id). Ids whose record has expired (the
 * node died without cleaning up) are removed from the set on the way.
 *
 * @example
 * ```ts
 * for (const node of await readClusterNodes(redis, 'dspex')) console.log(node.nodeId, node.status);
 * ```
 */
export async function readClusterNodes(redis: Redis, prefix: string): Promise<NodeHeartbeat[]> {
  const ids = (await redis.smembers(nodesSetKey(prefix))).sort();
  if (ids.length === 0) return [];
  const values = await redis.mget(ids.map((id) => nodeKey(prefix, id)));
  const nodes: NodeHeartbeat[] = [];
  const expired: string[] = [];
  ids.forEach((id, i) => {
    const text = values[i];
    const parsed = typeof text === 'string' ? parseRecord(text) : undefined;
    if (parsed === undefined) expired.push(id);
    else nodes.push(parsed);
  });
  if (expired.length > 0) await redis.srem(nodesSetKey(prefix), ...expired);
  return nodes;
}

function parseRecord(text: string): NodeHeartbeat | undefined {
  try {
    const v = JSON.parse(text) as Partial<NodeHeartbeat>;
    return typeof v.nodeId === 'string' && typeof v.snapshot === 'object'
      ? (v as NodeHeartbeat)
      : undefined;
  } catch {
    return undefined;
  }
}
