import type { z } from 'zod';
import type {
  CompareAndSetOp,
  InsertOp,
  InsertResult,
  RangeQuery,
  RecordBackend,
} from './record-backend.js';
import type { Page, PageQuery, WriteOptions } from './store.js';
import { StoreError } from './store-error.js';
import { STORE_DEFAULTS, type ResolvedStoreOptions } from './store-options.js';
import { definedFields, parseInput, parseStored } from './validation.js';

/** What a table needs to know about its record kind. @internal */
export interface RecordKind<R> {
  /** Kind name: key and index namespace, and the `record` of error details. */
  readonly name: string;
  readonly schema: z.ZodType<R>;
  /** The parts of the record's key (one for most kinds; name and version for datasets). */
  keyParts(record: R): readonly string[];
  /** Index filters the record belongs to (`all`, `status:…`, `program:…`), from {@link filterName}. */
  filters(record: R): readonly string[];
  /**
   * The repository composes every record it writes only from input it has just validated with
   * its own schemas, values the store itself made (ids, timestamps, revisions) and records as
   * stored: the table then skips validating the composed record again with `schema` (the hot
   * path of executions, whose outputs and traces are large JSON trees).
   */
  readonly composedFromValidated?: boolean;
}

/**
 * Name of a list filter: `filterName({ program: p, status: s })` → `program:<p>:status:<s>`, in the
 * order the fields are written; undefined fields are left out, and no field at all is `all`. @internal
 */
export function filterName(fields: Readonly<Record<string, string | undefined>> = {}): string {
  // Built in one pass (no entry arrays): every write names its filters.
  let name = '';
  for (const field in fields) {
    const value = fields[field];
    if (value !== undefined)
      name += `${name === '' ? '' : ':'}${field}:${encodeURIComponent(value)}`;
  }
  return name === '' ? 'all' : name;
}

const DAY_MS = 86_400_000;
/** The day {@link isoTimestamp} last formatted (days since the epoch) and its `YYYY-MM-DDT`. */
let isoDay = Number.NaN;
let isoDate = '';

/**
 * `new Date(ms).toISOString()`, the time of day formatted here and the date by `Date` once a day:
 * `toISOString` costs ~0.5 µs on Node 20, and every record write stamps one or two times.
 * @internal
 */
export function isoTimestamp(ms: number): string {
  // Fractions and times out of Date's range: as Date has them (truncated, or a RangeError).
  if (!Number.isInteger(ms) || Math.abs(ms) > 8.64e15) return new Date(ms).toISOString();
  const day = Math.floor(ms / DAY_MS);
  if (day !== isoDay) {
    const iso = new Date(day * DAY_MS).toISOString();
    isoDate = iso.slice(0, iso.indexOf('T') + 1);
    isoDay = day;
  }
  const time = ms - day * DAY_MS;
  const hours = Math.floor(time / 3_600_000);
  const minutes = Math.floor(time / 60_000) % 60;
  const seconds = Math.floor(time / 1000) % 60;
  const millis = time % 1000;
  return `${isoDate}${hours < 10 ? '0' : ''}${hours}:${minutes < 10 ? '0' : ''}${minutes}:${
    seconds < 10 ? '0' : ''
  }${seconds}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}

/** Width of the zero-padded millisecond time that starts each index member (year 5138 fits). */
const TIME_WIDTH = 15;

/**
 * The shared engine of both stores for one record kind: JSON encoding and validation, keys, index
 * membership, cursor paging and the optimistic-concurrency write loop. Repositories add the
 * lifecycle rules on top; a {@link RecordBackend} supplies atomicity.
 *
 * @internal
 */
export class RecordTable<R extends object> {
  constructor(
    readonly kind: RecordKind<R>,
    private readonly backend: RecordBackend,
    private readonly options: ResolvedStoreOptions,
  ) {}

  /** The current time as an ISO timestamp. */
  now(): string {
    return isoTimestamp(this.nowMs());
  }

  /**
   * The current time in whole ms since the epoch, as a `Date` of it would hold it (a caller that
   * also computes with it need not parse {@link now} back).
   */
  nowMs(): number {
    const ms = this.options.clock.now();
    if (!Number.isFinite(ms) || ms < 0) {
      throw new StoreError(
        'invalid_input',
        `store clock returned ${ms}; expected ms since the epoch`,
        { details: { ms } },
      );
    }
    return Math.floor(ms);
  }

  generateId(): string {
    return this.options.generateId();
  }

  /** Logical key of a record from its key parts. */
  key(parts: readonly string[]): string {
    return parts.length === 1
      ? `${this.kind.name}:${encodeURIComponent(parts[0]!)}`
      : `${this.kind.name}:${parts.map(encodeURIComponent).join('@')}`;
  }

  /** Logical key of a side value (alias or blob) named `suffix` for `id`. */
  sideKey(suffix: string, id: string): string {
    return `${this.kind.name}-${suffix}:${encodeURIComponent(id)}`;
  }

  /**
   * Stores a new record; returns the backend's verdict and the record as stored. `readsBackAsIs`:
   * the caller vouches that every value of `record` reads back from its JSON unchanged (JSON trees
   * checked by `isJsonValue`, no `-0`), so the record as stored is `record` itself (without its
   * `undefined` fields), not a parse of its JSON; only for a kind `composedFromValidated`.
   */
  insert(
    record: R,
    alias?: { key: string; target: string },
    expireSeconds?: number,
    readsBackAsIs = false,
  ): Promise<{ result: InsertResult; record: R }> {
    return this.insertThen(record, { alias, expireSeconds, readsBackAsIs }, (result, stored) => ({
      result,
      record: stored,
    }));
  }

  /**
   * {@link insert}, then `then(verdict, record as stored)` in the same promise handler: the one
   * write of a succeeded job is one promise of ours past the backend's. Rejects (never throws) on
   * an invalid record.
   */
  insertThen<T>(
    record: R,
    options: {
      alias?: { key: string; target: string } | undefined;
      expireSeconds?: number | undefined;
      readsBackAsIs?: boolean | undefined;
      /** `record.createdAt` in ms, when the caller has it at hand (not parsed back then). */
      createdMs?: number | undefined;
    },
    then: (result: InsertResult, stored: R) => T | PromiseLike<T>,
  ): Promise<T> {
    try {
      const [stored, json] = this.canonical(record, options.readsBackAsIs === true);
      const key = this.key(this.kind.keyParts(stored));
      const op: InsertOp = {
        key,
        json,
        member: this.member(stored, key, options.createdMs),
        indexes: this.indexes(stored),
      };
      if (options.alias !== undefined) op.alias = options.alias;
      if (options.expireSeconds !== undefined && options.expireSeconds > 0)
        op.expireSeconds = options.expireSeconds;
      return this.backend.insert(op).then((result) => then(result, stored));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** `conflict` error for a record whose key exists. */
  conflict(id: string, details: Record<string, unknown> = {}): StoreError {
    return new StoreError('conflict', `${this.kind.name} ${JSON.stringify(id)} already exists`, {
      details: { record: this.kind.name, id, ...details },
    });
  }

  /** `not_found` error. */
  notFound(id: string, details: Record<string, unknown> = {}): StoreError {
    return new StoreError('not_found', `${this.kind.name} ${JSON.stringify(id)} not found`, {
      details: { record: this.kind.name, id, ...details },
    });
  }

  async find(parts: readonly string[]): Promise<R | undefined> {
    return (await this.readWithRevision(this.key(parts)))?.record;
  }

  async get(parts: readonly string[]): Promise<R> {
    const record = await this.find(parts);
    if (record === undefined) throw this.notFound(parts.join('@'));
    return record;
  }

  readString(key: string): Promise<string | undefined> {
    return this.backend.readString(key);
  }

  /**
   * One page of the records in filter `filter` (see {@link filterName}), or in the union of
   * several disjoint filters (a filter read rather than written: each record's status index is a
   * part of `all`, so `all` need not be written as well). The parts are merged in member order,
   * so pages and cursors are those of one index holding them all.
   */
  async list(filter: string | readonly string[], query: PageQuery = {}): Promise<Page<R>> {
    const limit = query.limit ?? STORE_DEFAULTS.pageLimit;
    if (!Number.isInteger(limit) || limit < 1 || limit > STORE_DEFAULTS.maxPageLimit) {
      throw new StoreError(
        'invalid_input',
        `limit must be an integer in 1..${STORE_DEFAULTS.maxPageLimit}, got ${limit}`,
        {
          details: { limit },
        },
      );
    }
    const order = query.order ?? 'desc';
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const range = { limit: limit + 1, order, ...(after === undefined ? {} : { after }) };
    const members =
      typeof filter === 'string'
        ? await this.backend.range(this.indexName(filter), range)
        : mergeMembers(
            await Promise.all(filter.map((f) => this.backend.range(this.indexName(f), range))),
            range,
          );
    const pageMembers = members.slice(0, limit);
    const keys = pageMembers.map((m) => m.slice(m.indexOf('|') + 1));
    const values = await this.backend.read(keys);
    const items: R[] = [];
    values.forEach((value, i) => {
      // An index entry always has its record (they are written in one atomic step); skip defensively.
      if (value !== undefined)
        items.push(parseStored(this.kind.schema, value.json, keys[i] as string));
    });
    const last = pageMembers[pageMembers.length - 1];
    return members.length > limit && last !== undefined
      ? { items, nextCursor: encodeCursor(last) }
      : { items };
  }

  /**
   * Read-modify-write with optimistic concurrency. `mutate` sees the latest record and returns the
   * next one (or throws, e.g. `invalid_transition`); it is re-run on a fresh read whenever another
   * writer landed first, so rules are always checked against the state actually replaced.
   */
  async write(
    parts: readonly string[],
    mutate: (current: R, now: string) => R,
    options: WriteOptions & { known?: R & { revision: number } } = {},
    blob?: { key: string; value: string },
    /** Keys to expire with the write, judged on the record written. */
    expireOf?: (next: R) => CompareAndSetOp['expire'],
  ): Promise<R> {
    const key = this.key(parts);
    const id = parts.join('@');
    // A record the caller holds as the store returned it: the first compare-and-set goes against
    // its revision without a read; a stale outcome falls back to reading (the loop below).
    let known =
      options.known !== undefined &&
      options.ifRevision === undefined &&
      this.key(this.kind.keyParts(options.known)) === key
        ? { record: options.known, revision: options.known.revision }
        : undefined;
    for (let attempt = 1; ;) {
      const assumed = known !== undefined;
      const current = known ?? (await this.readWithRevision(key));
      known = undefined;
      if (current === undefined) throw this.notFound(id);
      if (options.ifRevision !== undefined && current.revision !== options.ifRevision) {
        throw this.stale(id, options.ifRevision, current.revision);
      }
      const now = this.now();
      let mutated: R;
      try {
        mutated = mutate(current.record, now);
      } catch (error) {
        // Judged against an assumed record: only the stored one can refuse the write.
        if (assumed) continue;
        throw error;
      }
      const [next, json] = this.canonical({
        ...mutated,
        revision: current.revision + 1,
        updatedAt: now,
      });
      const before = new Set(this.indexes(current.record));
      const after = new Set(this.indexes(next));
      const expire = expireOf?.(next);
      const outcome = await this.backend.compareAndSet({
        key,
        expectedRevision: current.revision,
        json,
        member: this.member(next, key),
        removeFrom: [...before].filter((i) => !after.has(i)),
        addTo: [...after].filter((i) => !before.has(i)),
        ...(blob === undefined ? {} : { blob }),
        ...(expire === undefined ? {} : { expire }),
      });
      if (outcome === 'ok') return next;
      if (outcome === 'not_found') throw this.notFound(id);
      // A stale assumed revision was a guess, not a lost race: it costs no attempt.
      if (assumed) continue;
      if (options.ifRevision !== undefined || attempt >= this.options.maxWriteAttempts) {
        throw this.stale(id, options.ifRevision ?? current.revision, undefined);
      }
      attempt++;
    }
  }

  private stale(id: string, expected: number, actual: number | undefined): StoreError {
    return new StoreError(
      'stale_revision',
      `${this.kind.name} ${JSON.stringify(id)} changed since revision ${expected}`,
      {
        retryable: true,
        details: {
          record: this.kind.name,
          id,
          expected,
          ...(actual === undefined ? {} : { actual }),
        },
      },
    );
  }

  private async readWithRevision(
    key: string,
  ): Promise<{ record: R; revision: number } | undefined> {
    const [value] = await this.backend.read([key]);
    if (value === undefined) return undefined;
    return { record: parseStored(this.kind.schema, value.json, key), revision: value.revision };
  }

  /**
   * The record exactly as it will read back (validated, `undefined` fields dropped) and its JSON,
   * serialized once for both.
   */
  private canonical(record: R, readsBackAsIs = false): [R, string] {
    if (this.kind.composedFromValidated !== true)
      record = parseInput(this.kind.schema, record, this.kind.name);
    const json = JSON.stringify(record);
    if (readsBackAsIs && this.kind.composedFromValidated === true)
      return [withoutUndefined(record), json];
    return [JSON.parse(json) as R, json];
  }

  private indexes(record: R): string[] {
    return this.kind.filters(record).map((f) => this.indexName(f));
  }

  private indexName(filter: string): string {
    return `${this.kind.name}:${filter}`;
  }

  /** Index member: creation time then key, so byte order is creation order with a stable tie-break. */
  private member(record: R, key: string, createdMs?: number): string {
    const createdAt = (record as { createdAt?: unknown }).createdAt;
    const ms = createdMs ?? (typeof createdAt === 'string' ? Date.parse(createdAt) : 0);
    return `${String(ms).padStart(TIME_WIDTH, '0')}|${key}`;
  }
}

/** `record` without its `undefined` fields (itself when it has none, the common case). */
function withoutUndefined<R extends object>(record: R): R {
  for (const key in record) if (record[key] === undefined) return definedFields(record) as R;
  return record;
}

/**
 * The first `limit` members of several ranges in `order` (each already in that order). Members
 * are ASCII (a zero-padded time, then a key of URI-encoded parts), so string order is the byte
 * order the backends sort by.
 */
function mergeMembers(ranges: readonly string[][], query: RangeQuery): string[] {
  const all = [...new Set(ranges.flat())].sort();
  if (query.order === 'desc') all.reverse();
  return all.slice(0, query.limit);
}

const MEMBER_RE = /^\d{15}\|[^|]+$/;

function encodeCursor(member: string): string {
  return Buffer.from(member, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const member = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!MEMBER_RE.test(member)) {
    throw new StoreError('invalid_input', `invalid cursor ${JSON.stringify(cursor)}`, {
      details: { cursor },
    });
  }
  return member;
}
