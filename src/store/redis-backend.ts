import type { Redis } from 'ioredis';
import type {
  CompareAndSetOp,
  InsertOp,
  InsertResult,
  RangeQuery,
  RecordBackend,
  StoredValue,
} from './record-backend.js';
import { COMPARE_AND_SET_SCRIPT, INSERT_SCRIPT, type LuaScript } from './redis-scripts.js';
import { StoreError } from './store-error.js';

/**
 * {@link RecordBackend} on Redis. Layout under `prefix`:
 * - `<prefix>:<kind>:<id>`: hash `{ json, rev }` (one per record);
 * - `<prefix>:<kind>-job:<jobId>`, `<prefix>:<kind>-checkpoint:<id>`: strings (aliases, blobs);
 * - `<prefix>:idx:<kind>:<filter>`: sorted set, all scores 0, members `<time>|<key>` (lexical order).
 *
 * @internal
 */
export class RedisBackend implements RecordBackend {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly owned: boolean,
  ) {}

  async insert(op: InsertOp): Promise<InsertResult> {
    const keys = [
      this.key(op.key),
      this.key(op.alias?.key ?? op.key),
      ...op.indexes.map((i) => this.index(i)),
    ];
    const args = [
      op.json,
      op.member,
      op.alias === undefined ? '0' : '1',
      op.alias?.target ?? '',
      String(op.expireSeconds ?? 0),
    ];
    const reply = (await this.run(INSERT_SCRIPT, keys, args)) as string[];
    if (reply[0] === 'created') return { kind: 'created' };
    if (reply[0] === 'aliased') return { kind: 'aliased', target: String(reply[1]) };
    return { kind: 'conflict' };
  }

  async read(keys: readonly string[]): Promise<(StoredValue | undefined)[]> {
    if (keys.length === 0) return [];
    if (keys.length === 1) {
      // One record (the common read): a plain command, no pipeline object.
      const [json, rev] = await this.guard(() =>
        this.redis.hmget(this.key(keys[0]!), 'json', 'rev'),
      );
      return [
        json === null || json === undefined || rev === null || rev === undefined
          ? undefined
          : { json, revision: Number(rev) },
      ];
    }
    const replies = await this.guard(async () => {
      const pipeline = this.redis.pipeline();
      for (const key of keys) pipeline.hmget(this.key(key), 'json', 'rev');
      return (await pipeline.exec()) ?? [];
    });
    return replies.map(([err, value]) => {
      if (err) throw unavailable(err);
      const [json, rev] = value as [string | null, string | null];
      return json === null || rev === null ? undefined : { json, revision: Number(rev) };
    });
  }

  async compareAndSet(op: CompareAndSetOp): Promise<'ok' | 'stale' | 'not_found'> {
    const keys = [
      this.key(op.key),
      ...op.removeFrom.map((i) => this.index(i)),
      ...op.addTo.map((i) => this.index(i)),
      ...(op.blob === undefined ? [] : [this.key(op.blob.key)]),
      ...(op.expire?.keys ?? []).map((k) => this.key(k)),
    ];
    const args = [
      String(op.expectedRevision),
      op.json,
      op.member,
      String(op.removeFrom.length),
      String(op.addTo.length),
      op.blob === undefined ? '0' : '1',
      op.blob?.value ?? '',
      String(op.expire?.seconds ?? 0),
    ];
    return (await this.run(COMPARE_AND_SET_SCRIPT, keys, args)) as 'ok' | 'stale' | 'not_found';
  }

  async readString(key: string): Promise<string | undefined> {
    const value = await this.guard(() => this.redis.get(this.key(key)));
    return value ?? undefined;
  }

  async range(index: string, query: RangeQuery): Promise<string[]> {
    const key = this.index(index);
    const bound = query.after === undefined ? undefined : `(${query.after}`;
    return this.guard(() =>
      query.order === 'asc'
        ? this.redis.zrangebylex(key, bound ?? '-', '+', 'LIMIT', 0, query.limit)
        : this.redis.zrevrangebylex(key, bound ?? '+', '-', 'LIMIT', 0, query.limit),
    );
  }

  async close(): Promise<void> {
    if (!this.owned) return;
    try {
      await this.redis.quit();
    } catch {
      // Already closed or never connected: nothing left to release.
      this.redis.disconnect();
    }
  }

  private key(logical: string): string {
    return `${this.prefix}:${logical}`;
  }

  private index(name: string): string {
    return `${this.prefix}:idx:${name}`;
  }

  /**
   * EVALSHA, loading the script on first use (or after a SCRIPT FLUSH / server restart). One
   * promise handler, not async wrappers: every record write goes through here.
   */
  private run(lua: LuaScript, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    return this.redis.evalsha(lua.sha1, keys.length, ...keys, ...args).then(undefined, (e) => {
      // NOSCRIPT is Redis's protocol reply for an uncached script, not prose.
      if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw unavailable(e);
      return this.guard(() => this.redis.eval(lua.source, keys.length, ...keys, ...args));
    });
  }

  private async guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      throw unavailable(e);
    }
  }
}

function unavailable(cause: unknown): StoreError {
  if (cause instanceof StoreError) return cause;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new StoreError('unavailable', `redis store operation failed: ${reason}`, {
    cause,
    retryable: true,
  });
}
