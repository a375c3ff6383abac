import type { Redis } from 'ioredis';
import { readClusterNodes } from '../../daemon/index.js';
import {
  inspectViaAdmin,
  localAdminTargets,
  type AdminTarget,
  type InspectedNode,
} from '../admin-client.js';
import type { CliDeps } from '../cli-deps.js';
import { resolveQueueTarget } from '../cli-config.js';
import { CliError } from '../cli-error.js';
import { openRedis, redactRedisUrl } from '../redis-access.js';
import { renderNode } from '../tree-render.js';

/** Options of `dspex inspect`. */
export interface InspectOptions {
  json?: boolean;
  watch?: boolean;
  node?: string;
  interval?: number;
  config?: string;
  redis?: string;
  prefix?: string;
  /** An admin endpoint URL to read instead of the local state file. */
  url?: string;
  token?: string;
}

/**
 * Where `inspect` reads from: admin endpoints (`--url`, or every live node started in this folder),
 * or every node's heartbeat in Redis.
 */
type Source =
  | { kind: 'admin'; targets: AdminTarget[] }
  | { kind: 'redis'; redis: Redis; prefix: string; url: string };

async function openSource(deps: CliDeps, options: InspectOptions): Promise<Source> {
  const token = options.token ?? (deps.io.env.DSPEX_ADMIN_TOKEN || undefined);
  if (options.url !== undefined)
    return {
      kind: 'admin',
      targets: [{ url: options.url.replace(/\/$/, ''), ...(token === undefined ? {} : { token }) }],
    };
  const target = await resolveQueueTarget(deps.io, options);
  // A cluster named by --redis, the config or DSPEX_REDIS_URL: every node's heartbeat. Otherwise
  // the nodes started in this folder (embedded or Redis mode), through their admin endpoints.
  if (target.redisUrl !== undefined && target.source === 'explicit')
    return {
      kind: 'redis',
      redis: await openRedis(target.redisUrl),
      prefix: target.prefix,
      url: target.redisUrl,
    };
  return {
    kind: 'admin',
    targets: localAdminTargets(deps.io.cwd, {
      explicit: options.token,
      fallback: deps.io.env.DSPEX_ADMIN_TOKEN || undefined,
    }),
  };
}

/**
 * Reads every admin endpoint; a node that does not answer is reported on `warn` while the others
 * are shown. When none answers, the first failure is thrown.
 */
async function readAdminNodes(
  targets: readonly AdminTarget[],
  warn: (line: string) => void,
): Promise<InspectedNode[]> {
  const results = await Promise.allSettled(targets.map((t) => inspectViaAdmin(t)));
  const nodes: InspectedNode[] = [];
  for (const r of results) {
    if (r.status === 'fulfilled') nodes.push(r.value);
    else if (targets.length > 1) warn(`${(r.reason as Error).message}\n`);
  }
  const failed = results.find((r) => r.status === 'rejected');
  if (nodes.length === 0 && failed !== undefined) throw failed.reason;
  return nodes;
}

async function readNodes(
  source: Source,
  nodeFilter: string | undefined,
  warn: (line: string) => void,
): Promise<InspectedNode[]> {
  let nodes: InspectedNode[];
  if (source.kind === 'admin') nodes = await readAdminNodes(source.targets, warn);
  else {
    const beats = await readClusterNodes(source.redis, source.prefix);
    if (beats.length === 0)
      throw new CliError(
        'daemon_not_running',
        `no live dspex node in Redis at ${redactRedisUrl(source.url)} (prefix ${source.prefix}); start one with \`npx dspex start\``,
      );
    nodes = beats.map((b) => ({
      nodeId: b.nodeId,
      mode: b.mode,
      status: b.status,
      pid: b.pid,
      hostname: b.hostname,
      programs: b.programs,
      heartbeatAt: b.heartbeatAt,
      ...(b.programsVersion === undefined ? {} : { programsVersion: b.programsVersion }),
      startedAt: b.snapshot.startedAt,
      tree: b.snapshot.tree,
    }));
  }
  if (nodeFilter === undefined) return nodes;
  const picked = nodes.filter((n) => n.nodeId === nodeFilter);
  if (picked.length === 0)
    throw new CliError(
      'daemon_not_running',
      `no live node '${nodeFilter}' (live: ${nodes.map((n) => n.nodeId).join(', ')})`,
      { details: { node: nodeFilter } },
    );
  return picked;
}

/** The human rendering of every node, separated by a blank line. */
export function renderNodes(nodes: readonly InspectedNode[], now: number): string {
  return nodes
    .map((n) =>
      renderNode(
        {
          nodeId: n.nodeId,
          mode: n.mode,
          status: n.status,
          ...(n.pid === undefined ? {} : { pid: n.pid }),
          ...(n.hostname === undefined ? {} : { hostname: n.hostname }),
          ...(n.programs === undefined ? {} : { programs: n.programs }),
          ...(n.heartbeatAt === undefined ? {} : { heartbeatAt: n.heartbeatAt }),
          ...(n.programsVersion === undefined ? {} : { programsVersion: n.programsVersion }),
        },
        {
          nodeId: n.nodeId,
          mode: n.mode === 'redis' ? 'redis' : 'embedded',
          startedAt: n.startedAt,
          tree: n.tree,
        },
        now,
      ),
    )
    .join('\n\n');
}

/**
 * `dspex inspect [--json] [--watch] [--node ID]`: the supervision tree of every node started in
 * this folder (admin endpoints found through `.dspex/node-<pid>.json`) or, in Redis mode, of every
 * live node of the cluster (their heartbeats). `--json` prints `{ source, nodes: [{ nodeId, mode, status, startedAt, tree }] }`
 * where `tree` is the nested snapshot (id, kind, status, restarts, children, …); with `--watch`
 * one compact JSON document per line.
 */
export async function inspectCommand(deps: CliDeps, options: InspectOptions): Promise<number> {
  const { io } = deps;
  const source = await openSource(deps, options);
  const warn = (line: string): void => void io.stderr.write(line);
  try {
    const print = (nodes: InspectedNode[]): void => {
      if (options.json === true) {
        const doc = { source: source.kind, nodes };
        io.stdout.write(
          `${options.watch === true ? JSON.stringify(doc) : JSON.stringify(doc, null, 2)}\n`,
        );
      } else {
        const clear = options.watch === true && io.stdout.isTTY === true ? '\x1b[2J\x1b[H' : '';
        const stamp = options.watch === true ? `${new Date(io.now()).toISOString()}\n` : '';
        io.stdout.write(
          `${clear}${stamp}${renderNodes(nodes, io.now())}\n${options.watch === true ? '\n' : ''}`,
        );
      }
    };
    print(await readNodes(source, options.node, warn));
    if (options.watch !== true) return 0;
    const interval = options.interval ?? 1_000;
    while (!io.interrupt.aborted) {
      await io.sleep(interval, io.interrupt);
      if (io.interrupt.aborted) break;
      try {
        print(await readNodes(source, options.node, warn));
      } catch (e) {
        io.stderr.write(`${new Date(io.now()).toISOString()} ${(e as Error).message}\n`);
      }
    }
    return 0;
  } finally {
    if (source.kind === 'redis') source.redis.disconnect();
  }
}
