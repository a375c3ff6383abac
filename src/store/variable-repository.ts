import { canonicalJson } from './dataset-hash.js';
import type { JsonObject } from './record-fields.js';
import type { RecordBackend } from './record-backend.js';
import { RecordTable, filterName, type RecordKind } from './record-table.js';
import type {
  DeploymentRepository,
  Page,
  PageQuery,
  VariableConfigurationRepository,
  VariableSpaceRepository,
} from './store.js';
import type { ResolvedStoreOptions } from './store-options.js';
import { parseInput } from './validation.js';
import {
  deploymentSchema,
  variableConfigurationCreateSchema,
  variableConfigurationSchema,
  variableDescriptorSchema,
  variableSpaceSchema,
  type Deployment,
  type VariableConfigurationCreate,
  type VariableConfigurationRecord,
  type VariableDescriptor,
  type VariableSpaceRecord,
} from './variable-record.js';
import { z } from 'zod';

const SPACE_KIND: RecordKind<VariableSpaceRecord> = {
  name: 'variable-space',
  schema: variableSpaceSchema,
  keyParts: (s) => [s.program, s.version],
  filters: (s) => [filterName(), filterName({ program: s.program })],
};

const CONFIGURATION_KIND: RecordKind<VariableConfigurationRecord> = {
  name: 'variable-configuration',
  schema: variableConfigurationSchema,
  keyParts: (c) => [c.id],
  filters: (c) => [
    filterName(),
    filterName({ program: c.program }),
    ...(c.runId === undefined ? [] : [filterName({ run: c.runId })]),
  ],
};

const DEPLOYMENT_KIND: RecordKind<Deployment> = {
  name: 'deployment',
  schema: deploymentSchema,
  keyParts: (d) => [d.program],
  filters: () => [filterName()],
};

/** Same variables (JSON with sorted keys), so re-registering an unchanged space is a no-op. */
function sameVariables(
  a: readonly VariableDescriptor[],
  b: readonly VariableDescriptor[],
): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** Rounds of register/deploy races before giving up (each lost round means another writer won). */
const MAX_ROUNDS = 10;

/** {@link VariableSpaceRepository} over any backend. @internal */
export class VariableSpaceTable implements VariableSpaceRepository {
  private readonly table: RecordTable<VariableSpaceRecord>;

  constructor(backend: RecordBackend, options: ResolvedStoreOptions) {
    this.table = new RecordTable(SPACE_KIND, backend, options);
  }

  async register(
    program: string,
    variables: readonly VariableDescriptor[],
  ): Promise<VariableSpaceRecord> {
    const parsed = parseInput(z.array(variableDescriptorSchema), variables, 'variable space');
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const latest = await this.find(program);
      if (latest !== undefined && sameVariables(latest.variables, parsed)) return latest;
      const version = String(latest === undefined ? 1 : Number(latest.version) + 1);
      const { result, record } = await this.table.insert({
        program,
        version,
        variables: parsed,
        createdAt: this.table.now(),
      });
      if (result.kind === 'created') return record;
      // Another node registered this version first: compare with it.
    }
    throw this.table.conflict(program, { reason: 'concurrent registrations kept winning' });
  }

  async get(program: string, version?: string): Promise<VariableSpaceRecord> {
    const found = await this.find(program, version);
    if (found === undefined)
      throw this.table.notFound(version === undefined ? program : `${program}@${version}`);
    return found;
  }

  async find(program: string, version?: string): Promise<VariableSpaceRecord | undefined> {
    if (version !== undefined) return this.table.find([program, version]);
    const { items } = await this.table.list(filterName({ program }), { limit: 1, order: 'desc' });
    return items[0];
  }

  list(query: { program?: string } & PageQuery = {}): Promise<Page<VariableSpaceRecord>> {
    const { program, ...page } = query;
    return this.table.list(filterName({ program }), page);
  }
}

/** {@link VariableConfigurationRepository} over any backend. @internal */
export class VariableConfigurationTable implements VariableConfigurationRepository {
  private readonly table: RecordTable<VariableConfigurationRecord>;

  constructor(backend: RecordBackend, options: ResolvedStoreOptions) {
    this.table = new RecordTable(CONFIGURATION_KIND, backend, options);
  }

  async create(input: VariableConfigurationCreate): Promise<VariableConfigurationRecord> {
    const data = parseInput(variableConfigurationCreateSchema, input, 'variable configuration');
    const id = data.id ?? this.table.generateId();
    const { result, record } = await this.table.insert({
      ...data,
      id,
      source: data.source ?? 'manual',
      createdAt: this.table.now(),
    });
    if (result.kind !== 'created') throw this.table.conflict(id);
    return record;
  }

  get(id: string): Promise<VariableConfigurationRecord> {
    return this.table.get([id]);
  }

  find(id: string): Promise<VariableConfigurationRecord | undefined> {
    return this.table.find([id]);
  }

  list(
    query: { program?: string; runId?: string } & PageQuery = {},
  ): Promise<Page<VariableConfigurationRecord>> {
    const { program, runId, ...page } = query;
    return this.table.list(
      runId === undefined ? filterName({ program }) : filterName({ run: runId }),
      page,
    );
  }
}

/** {@link DeploymentRepository} over any backend. @internal */
export class DeploymentTable implements DeploymentRepository {
  private readonly table: RecordTable<Deployment>;

  constructor(backend: RecordBackend, options: ResolvedStoreOptions) {
    this.table = new RecordTable(DEPLOYMENT_KIND, backend, options);
  }

  find(program: string): Promise<Deployment | undefined> {
    return this.table.find([program]);
  }

  async deploy(program: string, change: (current: JsonObject) => JsonObject): Promise<Deployment> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const current = await this.find(program);
      if (current !== undefined)
        return this.table.write([program], (record) => ({
          ...record,
          config: parseInput(deploymentSchema.shape.config, change(record.config), 'deployment'),
        }));
      const now = this.table.now();
      const config = parseInput(deploymentSchema.shape.config, change({}), 'deployment');
      const { result, record } = await this.table.insert({
        program,
        config,
        revision: 1,
        createdAt: now,
        updatedAt: now,
      });
      if (result.kind === 'created') return record;
      // Created by another node meanwhile: apply the change on top of theirs.
    }
    throw this.table.conflict(program, { reason: 'concurrent deploys kept winning' });
  }

  list(query: PageQuery = {}): Promise<Page<Deployment>> {
    return this.table.list(filterName(), query);
  }
}
