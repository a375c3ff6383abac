import { requestClusterReload, type NodeReloadReply } from '../../daemon/index.js';
import { adminPost, localAdminTargets } from '../admin-client.js';
import type { CliDeps } from '../cli-deps.js';
import { resolveQueueTarget } from '../cli-config.js';
import { CliError } from '../cli-error.js';
import { openRedis, redactRedisUrl } from '../redis-access.js';

/** Options of `dspex reload`. */
export interface ReloadOptions {
  json?: boolean;
  config?: string;
  redis?: string;
  prefix?: string;
  token?: string;
  /** How long to wait for the nodes' answers, ms (default 30 000). */
  timeout?: number;
}

/** One line per node: `n1  reloaded v1 → v2 #3f2a…  programs qa` or `n1  FAILED (v1 keeps serving): …`. */
function describe(reply: NodeReloadReply): string {
  const v = reply.version;
  if (!reply.ok)
    return `${reply.nodeId}  FAILED, v${v.version} #${v.hash} keeps serving: ${reply.error ?? 'unknown error'}`;
  const programs = reply.programs === undefined ? '' : `  programs ${reply.programs.join(', ')}`;
  if (reply.result === 'unchanged')
    return `${reply.nodeId}  unchanged, v${v.version} #${v.hash} (the files did not change)${programs}`;
  const from = reply.previous === undefined ? '' : `v${reply.previous.version} → `;
  return `${reply.nodeId}  reloaded ${from}v${v.version} #${v.hash}${programs}`;
}

/**
 * `dspex reload`: every running node loads its programs module (and plugins) again. With a
 * cluster Redis (`--redis`, the config, `DSPEX_REDIS_URL`, or a local Redis-mode node) the request
 * goes to every node through Redis pub/sub; otherwise to every node started in this folder through
 * its admin endpoint (`POST /reload`). Prints one line per node (`--json`: the answers). Exit 1 when
 * any node refused the new version (it keeps serving the old one) or did not answer.
 */
export async function reloadCommand(deps: CliDeps, options: ReloadOptions): Promise<number> {
  const { io } = deps;
  const target = await resolveQueueTarget(io, options);
  let replies: NodeReloadReply[];
  let missing = 0;
  if (target.redisUrl !== undefined) {
    const publisher = await openRedis(target.redisUrl);
    // A subscribed connection does nothing else: the answers come back on a second one.
    const subscriber = await openRedis(target.redisUrl).catch((e: unknown) => {
      publisher.disconnect();
      throw e;
    });
    try {
      const out = await requestClusterReload({
        subscriber,
        publisher,
        prefix: target.prefix,
        timeoutMs: options.timeout ?? 30_000,
      });
      if (out.reached === 0)
        throw new CliError(
          'daemon_not_running',
          `no dspex node listens on Redis at ${redactRedisUrl(target.redisUrl)} (prefix ${target.prefix}); start one with \`npx dspex start\``,
        );
      replies = out.replies;
      missing = out.missing;
    } finally {
      subscriber.disconnect();
      publisher.disconnect();
    }
  } else {
    const targets = localAdminTargets(io.cwd, {
      explicit: options.token,
      fallback: io.env.DSPEX_ADMIN_TOKEN || undefined,
    });
    replies = await Promise.all(
      targets.map((t) => adminPost<NodeReloadReply>(t, '/reload', [422], options.timeout)),
    );
  }
  replies.sort((a, b) => a.nodeId.localeCompare(b.nodeId));
  if (options.json === true)
    io.stdout.write(`${JSON.stringify({ nodes: replies, missing }, null, 2)}\n`);
  else {
    for (const reply of replies) io.stdout.write(`${describe(reply)}\n`);
    if (missing > 0) io.stderr.write(`${missing} node(s) did not answer in time\n`);
  }
  return replies.every((r) => r.ok) && missing === 0 ? 0 : 1;
}
