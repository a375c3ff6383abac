import {
  datasetCreateSchema,
  datasetSchema,
  type Dataset,
  type DatasetCreate,
} from './dataset-record.js';
import type { RecordBackend } from './record-backend.js';
import { RecordTable, filterName, type RecordKind } from './record-table.js';
import type { DatasetRepository, Page, PageQuery } from './store.js';
import type { ResolvedStoreOptions } from './store-options.js';
import { parseInput } from './validation.js';

const DATASET_KIND: RecordKind<Dataset> = {
  name: 'dataset',
  schema: datasetSchema,
  keyParts: (d) => [d.name, d.version],
  filters: (d) => [filterName(), filterName({ name: d.name })],
};

/** {@link DatasetRepository} over any backend. @internal */
export class DatasetTable implements DatasetRepository {
  private readonly table: RecordTable<Dataset>;

  constructor(backend: RecordBackend, options: ResolvedStoreOptions) {
    this.table = new RecordTable(DATASET_KIND, backend, options);
  }

  async create(input: DatasetCreate): Promise<Dataset> {
    const data = parseInput(datasetCreateSchema, input, 'dataset create');
    const { result, record } = await this.table.insert({ ...data, createdAt: this.table.now() });
    if (result.kind !== 'created') throw this.table.conflict(`${data.name}@${data.version}`);
    return record;
  }

  async get(name: string, version?: string): Promise<Dataset> {
    const found = await this.find(name, version);
    if (found === undefined)
      throw this.table.notFound(version === undefined ? name : `${name}@${version}`);
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
}
