import { Redis } from 'ioredis';
import { z } from 'zod';
import type { Deployment } from './variable-record.js';

/** The pub/sub channel deployments are announced on: `<store prefix>:deployments`. */
export function deploymentChannel(storePrefix: string): string {
  return `${storePrefix}:deployments`;
}

const announcement = z.object({ program: z.string().min(1), revision: z.number().int().min(1) });
/** What a deploy announces: the program and the revision now stored (the record is the truth). */
export type DeploymentAnnouncement = z.infer<typeof announcement>;

/**
 * Tells every node that `deployment` was stored (`PUBLISH` on {@link deploymentChannel}). Nodes
 * read the record itself, so a lost announcement only delays a node until its next resync.
 */
export async function announceDeployment(
  redis: Redis,
  storePrefix: string,
  deployment: Pick<Deployment, 'program' | 'revision'>,
): Promise<void> {
  const message: DeploymentAnnouncement = {
    program: deployment.program,
    revision: deployment.revision,
  };
  await redis.publish(deploymentChannel(storePrefix), JSON.stringify(message));
}

/** Options of {@link DeploymentFeed}. */
export interface DeploymentFeedOptions {
  /** Redis URL (the feed opens its own subscriber connection). */
  url: string;
  /** The store's key prefix (`<redis prefix>:store` in the runtime). */
  storePrefix: string;
  /** Called for every announcement. */
  onAnnouncement: (a: DeploymentAnnouncement) => void;
  /**
   * Called once subscribed, and again after every reconnection: announcements made while the
   * connection was down are lost, so the listener re-reads every deployment then.
   */
  onResync: () => void;
  /** Malformed announcements (ignored). */
  onInvalid?: (message: string) => void;
}

/**
 * A node's subscription to deployment announcements: how a deploy on one node (or from
 * `dspex deploy`) reaches every node of a Redis cluster at once instead of at its next poll.
 *
 * @example
 * ```ts
 * const feed = new DeploymentFeed({ url, storePrefix: 'dspex:store',
 *   onAnnouncement: ({ program }) => reload(program), onResync: reloadAll });
 * await feed.start();
 * ```
 */
export class DeploymentFeed {
  private readonly redis: Redis;

  constructor(private readonly options: DeploymentFeedOptions) {
    this.redis = new Redis(options.url, { maxRetriesPerRequest: null, lazyConnect: true });
    // Connection errors are retried by ioredis; each reconnection resyncs (the 'ready' below).
    this.redis.on('error', () => undefined);
  }

  /** Subscribes; resolves once announcements are being received (after the first resync call). */
  async start(): Promise<void> {
    const channel = deploymentChannel(this.options.storePrefix);
    this.redis.on('message', (ch: string, text: string) => {
      if (ch !== channel) return;
      let parsed: ReturnType<typeof announcement.safeParse>;
      try {
        parsed = announcement.safeParse(JSON.parse(text));
      } catch {
        parsed = announcement.safeParse(undefined);
      }
      if (parsed.success) this.options.onAnnouncement(parsed.data);
      else this.options.onInvalid?.(text);
    });
    await this.redis.connect();
    await this.redis.subscribe(channel);
    // ioredis re-subscribes by itself after a reconnection; what was announced meanwhile is re-read.
    this.redis.on('ready', () => this.options.onResync());
    this.options.onResync();
  }

  async close(): Promise<void> {
    this.redis.disconnect();
    return Promise.resolve();
  }
}
