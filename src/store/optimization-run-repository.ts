import {
  assertInitialStatus,
  assertTransition,
  invalidTransition,
  isFinalStatus,
} from './lifecycle.js';
import {
  OPTIMIZATION_RUN_LIFECYCLE,
  optimizationRunCreateSchema,
  optimizationRunPatchSchema,
  optimizationRunSchema,
  type OptimizationRun,
  type OptimizationRunCreate,
  type OptimizationRunPatch,
  type OptimizationRunStatus,
} from './optimization-run-record.js';
import type { RecordBackend } from './record-backend.js';
import { jsonValueSchema, type JsonValue } from './record-fields.js';
import { RecordTable, filterName, type RecordKind } from './record-table.js';
import type { OptimizationRunRepository, Page, PageQuery, WriteOptions } from './store.js';
import type { ResolvedStoreOptions } from './store-options.js';
import { definedFields, parseInput, parseStored } from './validation.js';

const RUN_KIND: RecordKind<OptimizationRun> = {
  name: 'run',
  schema: optimizationRunSchema,
  keyParts: (r) => [r.id],
  filters: (r) => [
    filterName(),
    filterName({ status: r.status }),
    filterName({ program: r.program }),
    filterName({ program: r.program, status: r.status }),
  ],
};

/** {@link OptimizationRunRepository} over any backend. @internal */
/** Whether `patch` only records what a cancelled run found before it stopped (see the patch schema). */
function keepsCancelledResult(status: OptimizationRunStatus, patch: OptimizationRunPatch): boolean {
  if (status !== 'cancelled') return false;
  return Object.entries(patch).every(
    ([k, v]) => v === undefined || k === 'result' || k === 'bestScore' || k === 'spend',
  );
}

export class OptimizationRunTable implements OptimizationRunRepository {
  private readonly table: RecordTable<OptimizationRun>;

  constructor(backend: RecordBackend, options: ResolvedStoreOptions) {
    this.table = new RecordTable(RUN_KIND, backend, options);
  }

  async create(input: OptimizationRunCreate): Promise<OptimizationRun> {
    const data = parseInput(optimizationRunCreateSchema, input, 'optimization run create');
    const now = this.table.now();
    const id = data.id ?? this.table.generateId();
    const status = data.status ?? OPTIMIZATION_RUN_LIFECYCLE.initial[0];
    assertInitialStatus(OPTIMIZATION_RUN_LIFECYCLE, id, status);
    const { result, record } = await this.table.insert({
      id,
      program: data.program,
      optimizer: data.optimizer,
      params: data.params ?? {},
      ...(data.dataset === undefined ? {} : { dataset: data.dataset }),
      ...(data.valDataset === undefined ? {} : { valDataset: data.valDataset }),
      status,
      progress: data.progress ?? { done: 0, total: 0 },
      bestScore: null,
      history: [],
      checkpointAt: null,
      ...(status === 'running' ? { startedAt: now } : {}),
      revision: 1,
      createdAt: now,
      updatedAt: now,
    });
    if (result.kind !== 'created') throw this.table.conflict(id);
    return record;
  }

  async get(id: string): Promise<OptimizationRun> {
    return this.table.get([id]);
  }

  async find(id: string): Promise<OptimizationRun | undefined> {
    return this.table.find([id]);
  }

  async list(
    query: { program?: string; status?: OptimizationRunStatus } & PageQuery = {},
  ): Promise<Page<OptimizationRun>> {
    const { program, status, ...page } = query;
    return this.table.list(filterName({ program, status }), page);
  }

  async update(
    id: string,
    patch: OptimizationRunPatch,
    options?: WriteOptions,
  ): Promise<OptimizationRun> {
    const { appendHistory, ...data } = definedFields(
      parseInput(optimizationRunPatchSchema, patch, 'optimization run update'),
    );
    return this.table.write(
      [id],
      (current, now) => {
        const to = data.status ?? current.status;
        if (!keepsCancelledResult(current.status, patch))
          assertTransition(OPTIMIZATION_RUN_LIFECYCLE, id, current.status, to);
        const appended = (appendHistory ?? []).map((h) => ({
          step: h.step,
          score: h.score,
          at: h.at ?? now,
        }));
        const next: OptimizationRun = {
          ...current,
          ...data,
          status: to,
          history: [...current.history, ...appended],
        };
        if (to === 'running' && next.startedAt === undefined) next.startedAt = now;
        if (to !== current.status && isFinalStatus(OPTIMIZATION_RUN_LIFECYCLE, to))
          next.finishedAt = now;
        return next;
      },
      options,
    );
  }

  async saveCheckpoint(
    id: string,
    checkpoint: JsonValue,
    options?: WriteOptions,
  ): Promise<OptimizationRun> {
    const value = JSON.stringify(parseInput(jsonValueSchema, checkpoint, 'checkpoint'));
    return this.table.write(
      [id],
      (current, now) => {
        if (isFinalStatus(OPTIMIZATION_RUN_LIFECYCLE, current.status)) {
          throw invalidTransition(
            OPTIMIZATION_RUN_LIFECYCLE,
            id,
            current.status,
            current.status,
            `saving a checkpoint of a ${current.status} run`,
          );
        }
        return { ...current, checkpointAt: now };
      },
      options,
      { key: this.checkpointKey(id), value },
    );
  }

  async loadCheckpoint(id: string): Promise<JsonValue | undefined> {
    const key = this.checkpointKey(id);
    const value = await this.table.readString(key);
    if (value !== undefined) return parseStored(jsonValueSchema, value, key);
    // No checkpoint yet: distinguish "none saved" from "no such run".
    await this.table.get([id]);
    return undefined;
  }

  private checkpointKey(id: string): string {
    return this.table.sideKey('checkpoint', id);
  }
}
