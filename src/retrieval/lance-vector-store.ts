import { checkBatch, checkDims, checkK, dot, rankHits, unitVector } from './memory-vector-store.js';
import { RetrievalError } from './retrieval-error.js';
import type { VectorHit, VectorRecord, VectorStore } from './vector-store.js';

// The parts of `@lancedb/lancedb` this store uses, typed here so the package stays an optional
// peer: it is loaded on the first `LanceVectorStore.open`, never by `import 'dspex'`.
interface LanceQuery {
  distanceType(type: 'cosine'): LanceQuery;
  limit(n: number): LanceQuery;
  toArray(): Promise<Record<string, unknown>[]>;
}
interface LanceMerge {
  whenMatchedUpdateAll(): LanceMerge;
  whenNotMatchedInsertAll(): LanceMerge;
  execute(rows: Record<string, unknown>[]): Promise<unknown>;
}
interface LanceTable {
  countRows(): Promise<number>;
  mergeInsert(on: string): LanceMerge;
  delete(predicate: string): Promise<unknown>;
  vectorSearch(vector: number[]): LanceQuery;
  schema(): Promise<{ fields: { name: string; type: { listSize?: number } }[] }>;
  close(): void;
}
interface LanceConnection {
  tableNames(): Promise<string[]>;
  openTable(name: string): Promise<LanceTable>;
  createTable(
    name: string,
    rows: Record<string, unknown>[],
    options: { mode: 'create' },
  ): Promise<LanceTable>;
  dropTable(name: string): Promise<void>;
  close(): void;
}
interface LanceModule {
  connect(uri: string): Promise<LanceConnection>;
}

async function loadLance(): Promise<LanceModule> {
  try {
    return (await import('@lancedb/lancedb')) as unknown as LanceModule;
  } catch (err) {
    throw new RetrievalError(
      'invalid_argument',
      'LanceVectorStore needs the optional package @lancedb/lancedb: npm install @lancedb/lancedb@0.31.0 apache-arrow@18.1.0',
      { cause: err },
    );
  }
}

/** Options of {@link LanceVectorStore.open}. */
export interface LanceVectorStoreOptions {
  /** Folder of the LanceDB database (created when missing); it persists across processes. */
  uri: string;
  /** Table name. Default `passages`. */
  table?: string;
  /**
   * Extra candidates fetched beyond `k`, so that records tied with the k-th by score are ranked by
   * id exactly as in {@link MemoryVectorStore}. Default 16.
   */
  tieMargin?: number;
}

/**
 * A persistent, embedded vector store on LanceDB (columnar files in a local folder; no server):
 * what a programs module uses when its corpus must survive a restart or be shared by the nodes of
 * one machine. Same contract as {@link MemoryVectorStore} (the conformance suite): upsert by id,
 * cosine scores, ties by id, one vector length per table. Searches are exact (LanceDB's flat
 * scan) and re-scored in double precision, so scores equal the in-memory store's; writes are
 * serialized per instance. Needs the optional peer `@lancedb/lancedb` (see the README).
 *
 * @example
 * ```ts
 * const store = await LanceVectorStore.open({ uri: '.dspex/vectors' });
 * await store.upsert([{ id: 'p1', vector: [1, 0], text: 'first passage' }]);
 * const hits = await store.search([0.9, 0.1], 3);
 * await store.close();
 * ```
 */
export class LanceVectorStore implements VectorStore {
  private table: LanceTable | undefined;
  private dims: number | undefined;
  /** Writes run one after another: LanceDB commits are versioned, not merged. */
  private writes: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly db: LanceConnection,
    private readonly tableName: string,
    private readonly tieMargin: number,
  ) {}

  /** Opens (or prepares to create) the table `options.table` in the database at `options.uri`. */
  static async open(options: LanceVectorStoreOptions): Promise<LanceVectorStore> {
    const tableName = options.table ?? 'passages';
    if (!/^[A-Za-z0-9_.-]+$/.test(tableName)) {
      throw new RetrievalError(
        'invalid_argument',
        `Table name '${tableName}' may use only letters, digits, '_', '-' and '.'.`,
      );
    }
    const lance = await loadLance();
    const db = await lance.connect(options.uri);
    const store = new LanceVectorStore(db, tableName, options.tieMargin ?? 16);
    if ((await db.tableNames()).includes(tableName)) {
      const table = await db.openTable(tableName);
      store.table = table;
      const vector = (await table.schema()).fields.find((f) => f.name === 'vector');
      store.dims = vector?.type.listSize;
    }
    return store;
  }

  get dimensions(): number | undefined {
    return this.dims;
  }

  upsert(records: readonly VectorRecord[]): Promise<void> {
    return this.serialize(async () => {
      const dims = checkBatch(records, this.dims);
      if (records.length === 0) return;
      // Last write of an id within the batch wins, as in repeated upserts.
      const rows = [...new Map(records.map((r) => [r.id, toRow(r)])).values()];
      if (this.table === undefined) {
        this.table = await this.db.createTable(this.tableName, rows, { mode: 'create' });
      } else {
        await this.table
          .mergeInsert('id')
          .whenMatchedUpdateAll()
          .whenNotMatchedInsertAll()
          .execute(rows);
      }
      this.dims = dims;
    });
  }

  async search(vector: readonly number[], k: number): Promise<VectorHit[]> {
    checkK(k);
    if (this.table === undefined || this.dims === undefined) return [];
    checkDims(vector, this.dims);
    const q = unitVector(vector);
    const rows = await this.table
      .vectorSearch([...vector])
      .distanceType('cosine')
      .limit(k + this.tieMargin)
      .toArray();
    const hits = rows.map((row): VectorHit => {
      const unit = unitVector(Array.from(row['vector'] as ArrayLike<number>));
      return {
        id: String(row['id']),
        text: String(row['text']),
        metadata: JSON.parse(String(row['metadata'])) as Record<string, unknown>,
        score: dot(q, unit),
      };
    });
    return rankHits(hits, k);
  }

  delete(ids: readonly string[]): Promise<void> {
    return this.serialize(async () => {
      if (this.table === undefined || ids.length === 0) return;
      await this.table.delete(`id IN (${ids.map(sqlString).join(', ')})`);
      if ((await this.table.countRows()) === 0) {
        // An emptied store forgets its vector length, as MemoryVectorStore does.
        this.table.close();
        await this.db.dropTable(this.tableName);
        this.table = undefined;
        this.dims = undefined;
      }
    });
  }

  async count(): Promise<number> {
    await this.settled();
    return this.table === undefined ? 0 : this.table.countRows();
  }

  /** Waits for pending writes and releases the table and the connection. */
  async close(): Promise<void> {
    await this.settled();
    this.table?.close();
    this.db.close();
  }

  /** Resolves once the writes started so far are done (failed ones included). */
  private settled(): Promise<unknown> {
    return this.writes.catch(() => undefined);
  }

  private serialize(fn: () => Promise<void>): Promise<void> {
    const run = this.settled().then(fn);
    this.writes = run;
    return run;
  }
}

function toRow(r: VectorRecord): Record<string, unknown> {
  return {
    id: r.id,
    text: r.text,
    // Metadata of any shape: LanceDB columns are typed, so it is kept as JSON text.
    metadata: JSON.stringify(r.metadata ?? {}),
    vector: [...r.vector],
  };
}

/** A SQL string literal (LanceDB's DataFusion dialect: quotes doubled). */
function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}
