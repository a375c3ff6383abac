import { Redis } from 'ioredis';
import {
  DeploymentFeed,
  announceDeployment,
  type Deployment,
  type JsonObject,
  type Store,
} from '../src/store/index.js';
import { ActorError } from './actor-error.js';
import { programConfigSchema, type ProgramConfig } from '../src/contracts/index.js';
import type { ConfigVersion, SharedConfigs } from './variable-table.js';

/** Options of {@link VariableSync}. */
export interface VariableSyncOptions {
  /** The cluster's shared store (deployment records). */
  store: Store;
  /** Redis URL: one publisher and one subscriber connection. */
  url: string;
  /** The store's key prefix (`<redis prefix>:store`); the channel is `<it>:deployments`. */
  storePrefix: string;
  /** Installs a stored version on this node (the registry's `apply`). */
  install: (version: ConfigVersion) => void;
  /** Told about a stored deployment this node cannot use (ignored otherwise). */
  onInvalid?: (program: string, message: string) => void;
}

/**
 * The variable registry's link to the cluster (Redis mode): a change is stored as the program's
 * next deployment record (compare-and-set, so deploys from several nodes are ordered by revision)
 * and announced on Redis pub/sub; every node's sync reads the record on the announcement and
 * installs it. At start, and after every reconnection (announcements are not queued), it re-reads
 * every deployment, so a node that started late or lost its connection catches up.
 *
 * @example
 * ```ts
 * const sync = new VariableSync({ store, url, storePrefix: 'dspex:store', install });
 * await sync.start(); // deployments installed; `sync` is the registry's `shared`
 * ```
 */
export class VariableSync implements SharedConfigs {
  private readonly publisher: Redis;
  private readonly feed: DeploymentFeed;
  private loading: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: VariableSyncOptions) {
    this.publisher = new Redis(options.url, { maxRetriesPerRequest: 1 });
    this.publisher.on('error', () => undefined);
    this.feed = new DeploymentFeed({
      url: options.url,
      storePrefix: options.storePrefix,
      onAnnouncement: ({ program }) => void this.reload(program),
      onResync: () => {
        this.loading = this.reloadAll();
      },
    });
  }

  /** Subscribes and installs every stored deployment; resolves once they are installed. */
  async start(): Promise<void> {
    await this.feed.start();
    await this.loading;
  }

  async deploy(
    program: string,
    change: (current: ProgramConfig) => ProgramConfig,
  ): Promise<ConfigVersion> {
    const stored = await this.options.store.deployments.deploy(program, (current) => {
      const parsed = programConfigSchema.safeParse(current);
      // A record this node cannot read (written by a newer version) is replaced, not merged.
      // JSON copy: drops undefined fields (the record holds JSON only).
      return JSON.parse(JSON.stringify(change(parsed.success ? parsed.data : {}))) as JsonObject;
    });
    await announceDeployment(this.publisher, this.options.storePrefix, stored);
    const version = this.versionOf(stored);
    if (version === undefined)
      throw new ActorError('invalid_job', `deployment of ${program} is not a valid configuration`);
    return version;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.feed.close();
    this.publisher.disconnect();
  }

  private versionOf(d: Deployment): ConfigVersion | undefined {
    const parsed = programConfigSchema.safeParse(d.config);
    if (!parsed.success) {
      this.options.onInvalid?.(
        d.program,
        parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      );
      return undefined;
    }
    return {
      program: d.program,
      revision: d.revision,
      config: parsed.data,
      updatedAt: Date.parse(d.updatedAt),
    };
  }

  private async reload(program: string): Promise<void> {
    const d = await this.options.store.deployments.find(program).catch(() => undefined);
    const version = d === undefined || this.closed ? undefined : this.versionOf(d);
    if (version !== undefined) this.options.install(version);
  }

  private async reloadAll(): Promise<void> {
    let cursor: string | undefined;
    do {
      const page = await this.options.store.deployments
        .list({ limit: 200, order: 'asc', ...(cursor === undefined ? {} : { cursor }) })
        .catch(() => ({ items: [] as Deployment[], nextCursor: undefined }));
      for (const d of page.items) {
        const version = this.closed ? undefined : this.versionOf(d);
        if (version !== undefined) this.options.install(version);
      }
      cursor = page.nextCursor;
    } while (cursor !== undefined);
  }
}
