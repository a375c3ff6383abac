import type { Store } from '../src/store/index.js';
import type { Clock } from '../src/time/index.js';

/**
 * How long a node reuses a program's active version read from the store (ms) when nothing it
 * hears of says it changed: a version activated straight in the shared store (not through a
 * deploy) reaches every node's executions within this time.
 */
export const ACTIVE_VERSION_TTL_MS = 1_000;

interface Entry {
  /** Clock reading of the store read. */
  at: number;
  /** The registry configuration the read was made under (a new one reads again at once). */
  config: object;
  value: Promise<string | null>;
  /** The value once `value` resolved (read without awaiting by {@link ActiveVersions.peek}). */
  resolved?: string | null;
}

/**
 * The store's active version of each program, as executions read it when their configuration
 * pins no `stateVersion`: one store read per program per {@link ACTIVE_VERSION_TTL_MS} instead of
 * one per job. A change of the program's registry configuration (every deploy and every
 * optimization that activates a version sets it, and in Redis mode the deployment feed installs
 * it on every node) reads the store again at once; so does the next execution after a failed read
 * (failures are not kept). Reads of one program in flight together share one store call.
 */
export class ActiveVersions {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly store: Pick<Store, 'programs'>,
    private readonly clock: Pick<Clock, 'now'>,
    private readonly ttlMs = ACTIVE_VERSION_TTL_MS,
  ) {}

  /**
   * The active version of `program` (null: none), read under the registry configuration
   * `config` (compared by identity: the registry hands out a new object on every change).
   */
  get(program: string, config: object): Promise<string | null> {
    const now = this.clock.now();
    const entry = this.entries.get(program);
    if (entry !== undefined && entry.config === config && now - entry.at < this.ttlMs)
      return entry.value;
    const value = this.store.programs.find(program).then((p) => {
      fresh.resolved = p?.activeVersion ?? null;
      return fresh.resolved;
    });
    const fresh: Entry = { at: now, config, value };
    this.entries.set(program, fresh);
    value.catch(() => {
      if (this.entries.get(program) === fresh) this.entries.delete(program);
    });
    return value;
  }

  /**
   * What {@link ActiveVersions.get} would resolve with, when it is already known and still fresh;
   * `undefined` otherwise (then call `get`). Lets the job path skip a wait when nothing is pending.
   */
  peek(program: string, config: object): string | null | undefined {
    const entry = this.entries.get(program);
    if (entry === undefined || entry.config !== config) return undefined;
    if (this.clock.now() - entry.at >= this.ttlMs) return undefined;
    return entry.resolved;
  }

  /** Forgets what was read of `program` (of every program when omitted). */
  invalidate(program?: string): void {
    if (program === undefined) this.entries.clear();
    else this.entries.delete(program);
  }
}
