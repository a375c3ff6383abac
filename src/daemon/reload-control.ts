import { nanoid } from 'nanoid';
import type { Redis } from 'ioredis';
import type { Logger } from '../telemetry/index.js';
import { toJsonText } from './json-safe.js';
import type { DaemonRuntime, ReloadResultView } from './runtime-port.js';

/** Channel every Redis-mode node listens on for reload requests: `{prefix}:control:reload`. */
export function reloadChannel(prefix: string): string {
  return `${prefix}:control:reload`;
}

/** Channel the answers of one request come back on. */
export function reloadReplyChannel(prefix: string, requestId: string): string {
  return `${prefix}:control:reload:${requestId}`;
}

/** One node's answer to a cluster reload. */
export type NodeReloadReply = ReloadResultView & { nodeId: string };

/**
 * Listens for cluster reload requests (`dspex reload` in Redis mode) on `subscriber` (a connection
 * of its own: a subscribed connection does nothing else) and answers each on its reply channel
 * through `publisher`. Returns the stop function.
 */
export async function startReloadListener(options: {
  subscriber: Redis;
  publisher: Redis;
  prefix: string;
  runtime: DaemonRuntime;
  logger: Logger;
}): Promise<() => Promise<void>> {
  const { subscriber, publisher, prefix, runtime } = options;
  const log = options.logger.child({ component: 'reload-control' });
  const reload = runtime.reload?.bind(runtime);
  const channel = reloadChannel(prefix);
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    let requestId: unknown;
    try {
      requestId = (JSON.parse(message) as { requestId?: unknown }).requestId;
    } catch {
      requestId = undefined;
    }
    if (typeof requestId !== 'string' || requestId.length === 0 || requestId.length > 64) {
      log.warn({ message: message.slice(0, 200) }, 'ignored a malformed reload request');
      return;
    }
    void (async () => {
      const outcome: ReloadResultView =
        reload === undefined
          ? {
              ok: false,
              error: 'this runtime does not support hot reload',
              version: { version: 0, hash: '', loadedAt: 0 },
            }
          : await reload();
      const reply: NodeReloadReply = { nodeId: runtime.nodeId, ...outcome };
      await publisher.publish(reloadReplyChannel(prefix, requestId), toJsonText(reply));
    })().catch((err: unknown) => log.warn({ err }, 'could not answer a reload request'));
  });
  await subscriber.subscribe(channel);
  return async () => {
    await subscriber.unsubscribe(channel).catch(() => undefined);
    subscriber.disconnect();
  };
}

/**
 * Asks every Redis-mode node of the cluster to reload its programs module and collects their
 * answers: the request reaches the nodes subscribed right now (Redis says how many), and each
 * answers once its reload finished or failed. Nodes that do not answer within `timeoutMs` are
 * counted in `missing`.
 */
export async function requestClusterReload(options: {
  /** A connection used only for this request (it subscribes), e.g. `redis.duplicate()`. */
  subscriber: Redis;
  publisher: Redis;
  prefix: string;
  timeoutMs?: number;
}): Promise<{ replies: NodeReloadReply[]; reached: number; missing: number }> {
  const { subscriber, publisher, prefix } = options;
  const requestId = nanoid(12);
  const replyChannel = reloadReplyChannel(prefix, requestId);
  const replies: NodeReloadReply[] = [];
  let reached = Number.POSITIVE_INFINITY;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  subscriber.on('message', (from: string, message: string) => {
    if (from !== replyChannel) return;
    try {
      replies.push(JSON.parse(message) as NodeReloadReply);
    } catch {
      return;
    }
    if (replies.length >= reached) done();
  });
  await subscriber.subscribe(replyChannel);
  try {
    reached = await publisher.publish(reloadChannel(prefix), JSON.stringify({ requestId }));
    if (replies.length >= reached) done();
    const timer = setTimeout(done, options.timeoutMs ?? 30_000);
    await finished;
    clearTimeout(timer);
  } finally {
    await subscriber.unsubscribe(replyChannel).catch(() => undefined);
  }
  return { replies, reached, missing: Math.max(0, reached - replies.length) };
}
