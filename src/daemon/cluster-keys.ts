/**
 * Redis keys of the cluster view (DESIGN §4: "each node publishes its snapshot and heartbeat to
 * Redis"). `{prefix}:nodes` is a set of node ids; `{prefix}:nodes:{nodeId}` holds the node's
 * {@link NodeHeartbeat} as JSON with a TTL of about three heartbeat intervals, so a node that dies
 * without cleaning up disappears on its own.
 */
export function nodesSetKey(prefix: string): string {
  return `${prefix}:nodes`;
}

/** Key of one node's heartbeat record. */
export function nodeKey(prefix: string, nodeId: string): string {
  return `${prefix}:nodes:${nodeId}`;
}
