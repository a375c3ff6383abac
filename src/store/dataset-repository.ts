import {
  datasetCreateSchema,
  datasetSchema,
  type Dataset,
  type DatasetAdd,
  type DatasetAddResult,
  type DatasetCreate,
} from './dataset-record.js';
import { datasetHash } from './dataset-hash.js';
import type { RecordBackend } from './record-backend.js';
import { RecordTable, filterName, type RecordKind } from './record-table.js';
import type { DatasetRepository, Page, PageQuery } from './store.js';
import type { ResolvedStoreOptions } from './store-options.js';
import { STORE_DEFAULTS } from './store-options.js';
import { parseInput } from './validation.js';

const DATASET_KIND: RecordKind<Dataset> = {
  name: 'dataset',
  schema: datasetSchema,
  keyParts: (d) => [d.name, d.version],
  filters: (d) => [filterName(), filterName({ name: d.name })],
};

/** Rounds of auto-versioning races before giving up (each lost round means another writer won). */
const MAX_ROUNDS = 10;

/** `v<n>` versions as numbers (`v3` → 3); anything else → 0. */
function autoNumber(version: string): number {
  const m = /^v(\d+)$/.exec(version);
  return m === null ? 0 : Number(m[1]);
}

/** The hash of a stored version (computed for records written before hashes existed). */
export function hashOf(dataset: Dataset): string {
  return dataset.hash ?? datasetHash(dataset.examples);
}

/** {@link DatasetRepository} over any backend. @internal */
export class DatasetTable implements DatasetRepository {
  private readonly table: RecordTable<Dataset>;

  constructor(backend: RecordBackend, options: ResolvedStoreOptions) {
    this.table = new RecordTable(DATASET_KIND, backend, options);
  }

  async create(input: DatasetCreate): Promise<Dataset> {
    const data = parseInput(datasetCreateSchema, input, 'dataset create');
    const { result, record } = await this.table.insert({
      ...data,
      hash: datasetHash(data.examples),
      createdAt: this.table.now(),
    });
    if (result.kind !== 'created') throw this.table.conflict(`${data.name}@${data.version}`);
    return record;
  }

  async add(input: DatasetAdd): Promise<DatasetAddResult> {
    // Validated with a placeholder version, so a bad example or split is named before any read.
    const data = parseInput(
      datasetCreateSchema,
      { ...input, version: input.version ?? 'v1' },
      'dataset add',
    );
    const hash = datasetHash(data.examples);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const versions = await this.allVersions(data.name);
      const same = versions.find((d) => hashOf(d) === hash);
      if (same !== undefined) return { dataset: same, created: false };
      const version =
        input.version ?? `v${Math.max(0, ...versions.map((d) => autoNumber(d.version))) + 1}`;
      const { result, record } = await this.table.insert({
        ...data,
        version,
        hash,
        createdAt: this.table.now(),
      });
      if (result.kind === 'created') return { dataset: record, created: true };
      if (input.version !== undefined) throw this.table.conflict(`${data.name}@${version}`);
      // Another writer took this version number first: look again.
    }
    throw this.table.conflict(data.name, { reason: 'concurrent adds kept winning' });
  }

  async get(name: string, version?: string): Promise<Dataset> {
    const found = await this.find(name, version);
    if (found === undefined)
      throw this.table.notFound(version === undefined ? name : `${name}@${version}`, {
        known: (await this.allVersions(name)).map((d) => d.version),
      });
    return found;
  }

  async find(name: string, version?: string): Promise<Dataset | undefined> {
    if (version !== undefined) return this.table.find([name, version]);
    const { items } = await this.table.list(filterName({ name }), {
      limit: 1,
      order: 'desc',
    });
    return items[0];
  }

  async list(query: { name?: string } & PageQuery = {}): Promise<Page<Dataset>> {
    const { name, ...page } = query;
    return this.table.list(filterName({ name }), page);
  }

  /** Every version of `name`, oldest first. */
  private async allVersions(name: string): Promise<Dataset[]> {
    const all: Dataset[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.table.list(filterName({ name }), {
        order: 'asc',
        limit: STORE_DEFAULTS.maxPageLimit,
        ...(cursor === undefined ? {} : { cursor }),
      });
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return all;
  }
}
