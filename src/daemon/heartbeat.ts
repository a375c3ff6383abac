import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from '../telemetry/index.js';
import { nodeKey, nodesSetKey } from './cluster-keys.js';
import { toJsonText } from './json-safe.js';
import type {
  DaemonRuntime,
  ProgramsVersionView,
  RegisteredNamesView,
  RuntimeSnapshotView,
  TreeNodeView,
} from './runtime-port.js';

/**
 * What a node publishes at `{prefix}:nodes:{nodeId}` on every heartbeat. Anyone who can read the
 * cluster's Redis can read it, so it carries no more than the admin endpoint's `/health` and
 * `/tree` would (and only the tree fields `dspex inspect` draws): no config values, secrets, job
 * inputs or Redis URLs; the tree is copied field by field ({@link publicSnapshot}).
 */
export interface NodeHeartbeat {
  nodeId: string;
  mode: 'embedded' | 'redis';
  status: 'ok' | 'draining';
  pid: number;
  hostname: string;
  programs: string[];
  /** The programs-module version served (number, content hash, loadedAt, last reload error). */
  programsVersion?: ProgramsVersionView;
  /** Optimizer and metric names the node accepts (absent: the node does not advertise them). */
  names?: RegisteredNamesView;
  /** The node's admin endpoint, when it has one (reachable from its own host only: loopback). */
  admin: string | null;
  /** Epoch ms of this heartbeat. */
  heartbeatAt: number;
  /** Heartbeat interval, ms (a record older than ~3 intervals is stale). */
  intervalMs: number;
  snapshot: RuntimeSnapshotView;
}

/** Options of {@link startHeartbeat}. */
export interface HeartbeatOptions {
  redis: Redis;
  /** Key prefix (config `redis.prefix`, default `dspex`). */
  prefix: string;
  runtime: DaemonRuntime;
  intervalMs: number;
  /** Admin URL advertised in the record. */
  admin: string | null;
  logger: Logger;
  /** Current status, read on every beat. */
  status: () => 'ok' | 'draining';
  now?: () => number;
}

/** A running heartbeat publisher. */
export interface Heartbeat {
  /** Publishes one heartbeat now (also done every interval). */
  beat(): Promise<void>;
  /** Stops beating and removes this node's record and set membership. */
  stop(): Promise<void>;
}

/**
 * Publishes this node's heartbeat and tree snapshot to Redis every `intervalMs` (key TTL
 * 3 × interval), so `dspex inspect` sees every live node of the cluster. A failed beat is logged
 * (once per outage) and retried on the next tick: losing Redis must not stop the daemon.
 *
 * @example
 * ```ts
 * const hb = await startHeartbeat({ redis, prefix: 'dspex', runtime, intervalMs: 2000, admin: null, logger, status: () => 'ok' });
 * await hb.stop();
 * ```
 */
export async function startHeartbeat(options: HeartbeatOptions): Promise<Heartbeat> {
  const now = options.now ?? Date.now;
  const log = options.logger.child({ component: 'heartbeat' });
  const key = nodeKey(options.prefix, options.runtime.nodeId);
  const ttlMs = options.intervalMs * 3;
  let failing = false;
  let stopped = false;

  async function beat(): Promise<void> {
    if (stopped) return;
    const record: NodeHeartbeat = {
      nodeId: options.runtime.nodeId,
      mode: options.runtime.mode,
      status: options.status(),
      pid: process.pid,
      hostname: hostname(),
      programs: options.runtime.programs(),
      ...programsVersionOf(options.runtime),
      ...(options.runtime.registeredNames === undefined
        ? {}
        : { names: options.runtime.registeredNames() }),
      admin: options.admin,
      heartbeatAt: now(),
      intervalMs: options.intervalMs,
      snapshot: publicSnapshot(options.runtime.inspect()),
    };
    try {
      await options.redis
        .multi()
        .set(key, toJsonText(record), 'PX', ttlMs)
        .sadd(nodesSetKey(options.prefix), options.runtime.nodeId)
        .exec();
      if (failing) log.info('heartbeat publishing again');
      failing = false;
    } catch (err) {
      if (!failing) log.warn({ err }, 'heartbeat publish failed; will retry');
      failing = true;
    }
  }

  await beat();
  const timer = setInterval(() => void beat(), options.intervalMs);
  timer.unref();
  return {
    beat,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      try {
        await options.redis
          .multi()
          .del(key)
          .srem(nodesSetKey(options.prefix), options.runtime.nodeId)
          .exec();
      } catch (err) {
        log.warn({ err }, 'could not remove the heartbeat record; it expires on its own');
      }
    },
  };
}

/** The served version without the module's path (a heartbeat carries no config values). */
function programsVersionOf(runtime: DaemonRuntime): { programsVersion?: ProgramsVersionView } {
  const v = runtime.programsVersion?.();
  if (v === undefined) return {};
  return {
    programsVersion: {
      version: v.version,
      hash: v.hash,
      loadedAt: v.loadedAt,
      ...(v.lastError === undefined ? {} : { lastError: v.lastError }),
    },
  };
}

/**
 * The part of a runtime snapshot a heartbeat publishes: identity, start time and, for every tree
 * node, only id, kind, status, restarts, crashes (supervisors), state value (state names),
 * in-flight count, start time and children. Anything else a runtime puts in its snapshot (actor
 * details, job labels, pool keys) stays on the token-protected admin endpoint.
 */
export function publicSnapshot(snapshot: RuntimeSnapshotView): RuntimeSnapshotView {
  return {
    nodeId: snapshot.nodeId,
    mode: snapshot.mode,
    startedAt: snapshot.startedAt,
    tree: publicNode(snapshot.tree),
  };
}

function publicNode(node: TreeNodeView): TreeNodeView {
  const inFlight = node.inFlight ?? node.inFlightCalls;
  const state = stateValue(node.state);
  return {
    id: String(node.id),
    kind: String(node.kind),
    status: String(node.status),
    restarts: Number(node.restarts),
    ...(typeof node.crashes === 'number' ? { crashes: node.crashes } : {}),
    ...(state === undefined ? {} : { state }),
    ...(typeof inFlight === 'number' ? { inFlight } : {}),
    ...(typeof node.startedAt === 'number' ? { startedAt: node.startedAt } : {}),
    ...poolHealth(node),
    ...(node.children === undefined ? {} : { children: node.children.map(publicNode) }),
  };
}

/**
 * The client pool's per-model health (`provider:model`, circuit state, calls in flight): what an
 * operator needs to see an outage across the cluster; limits, counters and errors stay local.
 */
function poolHealth(node: TreeNodeView): { details?: unknown } {
  const keys = (node.details as { keys?: unknown } | undefined)?.keys;
  if (!Array.isArray(keys)) return {};
  return {
    details: {
      keys: keys.map((k: Record<string, unknown>) => ({
        key: String(k['key']),
        circuit: String(k['circuit']),
        ...(typeof k['inFlight'] === 'number' ? { inFlight: k['inFlight'] } : {}),
      })),
    },
  };
}

/** An xstate state value (a state name, or nested region → state names), else undefined. */
function stateValue(value: unknown): unknown {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const inner = stateValue(v);
    if (inner === undefined) return undefined;
    out[k] = inner;
  }
  return out;
}
