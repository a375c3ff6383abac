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

  insert(op: InsertOp): Promise<InsertResult> {
    // KEYS then ARGV of INSERT_SCRIPT in one array (ioredis flattens a command's arguments).
    const key = this.key(op.key);
    const keysAndArgs = [key, op.alias === undefined ? key : this.key(op.alias.key)];
    for (const index of op.indexes) keysAndArgs.push(this.index(index));
    keysAndArgs.push(
      op.json,
      op.member,
      op.alias === undefined ? '0' : '1',
      op.alias?.target ?? '',
      String(op.expireSeconds ?? 0),
    );
    return this.run(INSERT_SCRIPT, 2 + op.indexes.length, keysAndArgs, insertResult);
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

  compareAndSet(op: CompareAndSetOp): Promise<'ok' | 'stale' | 'not_found'> {
    const keysAndArgs = [this.key(op.key)];
    for (const index of op.removeFrom) keysAndArgs.push(this.index(index));
    for (const index of op.addTo) keysAndArgs.push(this.index(index));
    if (op.blob !== undefined) keysAndArgs.push(this.key(op.blob.key));
    for (const key of op.expire?.keys ?? []) keysAndArgs.push(this.key(key));
    const numKeys = keysAndArgs.length;
    keysAndArgs.push(
      String(op.expectedRevision),
      op.json,
      op.member,
      String(op.removeFrom.length),
      String(op.addTo.length),
      op.blob === undefined ? '0' : '1',
      op.blob?.value ?? '',
      String(op.expire?.seconds ?? 0),
    );
    return this.run(
      COMPARE_AND_SET_SCRIPT,
      numKeys,
      keysAndArgs,
      (reply) => reply as 'ok' | 'stale' | 'not_found',
    );
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
   * EVALSHA of `lua` on its `numKeys` keys then its arguments (`keysAndArgs`), loading the script on
   * first use (or after a SCRIPT FLUSH / server restart); `reply` maps Redis's reply. One promise
   * handler, not async wrappers: every record write goes through here.
   */
  private run<T>(
    lua: LuaScript,
    numKeys: number,
    keysAndArgs: readonly string[],
    reply: (value: unknown) => T,
  ): Promise<T> {
    let sent: Promise<unknown>;
    try {
      sent = this.redis.evalsha(lua.sha1, numKeys, keysAndArgs as string[]);
    } catch (e) {
      return Promise.reject(e);
    }
    return sent.then(reply, (e) => {
      // NOSCRIPT is Redis's protocol reply for an uncached script, not prose.
      if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw unavailable(e);
      return this.guard(() => this.redis.eval(lua.source, numKeys, keysAndArgs as string[])).then(
        reply,
      );
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

/** INSERT_SCRIPT's reply: `{ 'created' }`, `{ 'conflict' }` or `{ 'aliased', target }`. */
function insertResult(reply: unknown): InsertResult {
  const kind = (reply as string[])[0];
  if (kind === 'created') return { kind: 'created' };
  if (kind === 'aliased') return { kind: 'aliased', target: String((reply as string[])[1]) };
  return { kind: 'conflict' };
}

function unavailable(cause: unknown): StoreError {
  if (cause instanceof StoreError) return cause;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new StoreError('unavailable', `redis store operation failed: ${reason}`, {
    cause,
    retryable: true,
  });
}
