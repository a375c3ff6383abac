/**
 * The storage primitives both store implementations are built on. Everything above this seam
 * (validation, lifecycles, timestamps, paging) is shared, so the memory and Redis stores differ only
 * in how these few operations are made atomic.
 *
 * Keys are logical (`execution:abc`); a backend may namespace them (Redis adds its prefix). An index
 * is a set of members ordered by byte-wise string comparison; members are `<sortable time>|<key>`.
 *
 * @internal
 */
export interface RecordBackend {
  /**
   * Creates `key` at revision 1 and adds `member` to `indexes`, unless `key` exists (`conflict`) or,
   * when `alias` is given, the alias key already points somewhere (`aliased`, with its target).
   * The check and the writes (and the expiry, see {@link InsertOp.expireSeconds}) are one atomic
   * step.
   */
  insert(op: InsertOp): Promise<InsertResult>;
  /** Stored value and revision of each key (`undefined` where absent), in order. */
  read(keys: readonly string[]): Promise<(StoredValue | undefined)[]>;
  /**
   * Writes `json` at revision `expectedRevision + 1` if the stored revision is `expectedRevision`,
   * moving `member` out of `removeFrom` and into `addTo`, setting `blob` and (backends that can
   * expire keys: Redis) letting `expire.keys` expire in `expire.seconds`, in the same atomic step.
   */
  compareAndSet(op: CompareAndSetOp): Promise<'ok' | 'stale' | 'not_found'>;
  /** Value of an alias or blob key. */
  readString(key: string): Promise<string | undefined>;
  /** Up to `limit` members of `index` strictly after `after` in the given order. */
  range(index: string, query: RangeQuery): Promise<string[]>;
  close(): Promise<void>;
}

/** @internal */
export interface StoredValue {
  json: string;
  revision: number;
}

/** @internal */
export interface InsertOp {
  key: string;
  json: string;
  member: string;
  indexes: readonly string[];
  alias?: { key: string; target: string };
  /** Backends that can expire keys (Redis) let the record and its alias expire this many seconds after the insert (a record inserted final). */
  expireSeconds?: number;
}

/** @internal */
export type InsertResult =
  { kind: 'created' } | { kind: 'conflict' } | { kind: 'aliased'; target: string };

/** @internal */
export interface CompareAndSetOp {
  key: string;
  expectedRevision: number;
  json: string;
  member: string;
  removeFrom: readonly string[];
  addTo: readonly string[];
  blob?: { key: string; value: string };
  /** Keys (the record's own, its aliases) that expire once written; the memory backend keeps them. */
  expire?: { keys: readonly string[]; seconds: number };
}

/** @internal */
export interface RangeQuery {
  after?: string;
  limit: number;
  order: 'asc' | 'desc';
}
