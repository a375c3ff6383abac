import type {
  CompareAndSetOp,
  InsertOp,
  InsertResult,
  RangeQuery,
  RecordBackend,
  StoredValue,
} from './record-backend.js';

/** The state of a {@link MemoryBackend} as JSON. @internal */
export interface MemorySnapshot {
  records: Record<string, StoredValue>;
  strings: Record<string, string>;
  indexes: Record<string, string[]>;
}

/**
 * {@link RecordBackend} in process memory. Each operation runs to completion without awaiting, which
 * is what makes it atomic; values are kept as JSON text so the memory store copies and validates
 * exactly like the Redis one.
 *
 * @internal
 */
export class MemoryBackend implements RecordBackend {
  private readonly records = new Map<string, StoredValue>();
  private readonly strings = new Map<string, string>();
  /** Index name → members, kept sorted (binary insertion) so listing never sorts. */
  private readonly indexes = new Map<string, string[]>();

  async insert(op: InsertOp): Promise<InsertResult> {
    if (op.alias !== undefined) {
      const target = this.strings.get(op.alias.key);
      if (target !== undefined) return { kind: 'aliased', target };
    }
    if (this.records.has(op.key)) return { kind: 'conflict' };
    this.records.set(op.key, { json: op.json, revision: 1 });
    if (op.alias !== undefined) this.strings.set(op.alias.key, op.alias.target);
    for (const index of op.indexes) this.addMember(index, op.member);
    return { kind: 'created' };
  }

  async read(keys: readonly string[]): Promise<(StoredValue | undefined)[]> {
    return keys.map((key) => {
      const value = this.records.get(key);
      return value === undefined ? undefined : { ...value };
    });
  }

  async compareAndSet(op: CompareAndSetOp): Promise<'ok' | 'stale' | 'not_found'> {
    const current = this.records.get(op.key);
    if (current === undefined) return 'not_found';
    if (current.revision !== op.expectedRevision) return 'stale';
    this.records.set(op.key, { json: op.json, revision: op.expectedRevision + 1 });
    for (const index of op.removeFrom) this.removeMember(index, op.member);
    for (const index of op.addTo) this.addMember(index, op.member);
    if (op.blob !== undefined) this.strings.set(op.blob.key, op.blob.value);
    return 'ok';
  }

  async readString(key: string): Promise<string | undefined> {
    return this.strings.get(key);
  }

  async range(index: string, query: RangeQuery): Promise<string[]> {
    const members = this.indexes.get(index) ?? [];
    if (query.order === 'asc') {
      const start = query.after === undefined ? 0 : upperBound(members, query.after);
      return members.slice(start, start + query.limit);
    }
    const end = query.after === undefined ? members.length : lowerBound(members, query.after);
    return members.slice(Math.max(0, end - query.limit), end).reverse();
  }

  async close(): Promise<void> {}

  /** Everything stored, as plain JSON (what {@link MemoryBackend.fromSnapshot} takes back). */
  snapshot(): MemorySnapshot {
    return {
      records: Object.fromEntries(this.records),
      strings: Object.fromEntries(this.strings),
      indexes: Object.fromEntries(this.indexes),
    };
  }

  /** A backend holding what `snapshot()` returned (indexes are trusted to be sorted). */
  static fromSnapshot(snapshot: MemorySnapshot): MemoryBackend {
    const backend = new MemoryBackend();
    for (const [k, v] of Object.entries(snapshot.records)) backend.records.set(k, { ...v });
    for (const [k, v] of Object.entries(snapshot.strings)) backend.strings.set(k, v);
    for (const [k, v] of Object.entries(snapshot.indexes)) backend.indexes.set(k, [...v]);
    return backend;
  }

  private addMember(index: string, member: string): void {
    let members = this.indexes.get(index);
    if (members === undefined) {
      members = [];
      this.indexes.set(index, members);
    }
    const at = lowerBound(members, member);
    if (members[at] !== member) members.splice(at, 0, member);
  }

  private removeMember(index: string, member: string): void {
    const members = this.indexes.get(index);
    if (members === undefined) return;
    const at = lowerBound(members, member);
    if (members[at] === member) members.splice(at, 1);
  }
}

/** First position whose member is >= `value`. */
function lowerBound(members: readonly string[], value: string): number {
  let lo = 0;
  let hi = members.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((members[mid] as string) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First position whose member is > `value`. */
function upperBound(members: readonly string[], value: string): number {
  let lo = 0;
  let hi = members.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((members[mid] as string) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
