import {
  EXECUTION_LIFECYCLE,
  executionCreateSchema,
  executionPatchSchema,
  executionSchema,
  executionStatusSchema,
  executionSucceededSchema,
  type Execution,
  type ExecutionCreate,
  type ExecutionPatch,
  type ExecutionStatus,
  type ExecutionSucceeded,
} from './execution-record.js';
import { assertInitialStatus, assertTransition, isFinalStatus } from './lifecycle.js';
import type { RecordBackend } from './record-backend.js';
import { nameSchema } from './record-fields.js';
import { RecordTable, filterName, isoTimestamp, type RecordKind } from './record-table.js';
import type {
  ExecutionRepository,
  Page,
  PageQuery,
  ExecutionWriteOptions,
  RecordOnceResult,
} from './store.js';
import type { ResolvedStoreOptions } from './store-options.js';
import {
  definedFields,
  parseInput,
  parseWithJsonFields,
  type JsonFieldSpec,
} from './validation.js';

/** {@link executionFilters} made so far, by program then status. */
const filtersByProgram = new Map<string, Map<ExecutionStatus, readonly string[]>>();

/**
 * The index filters of an execution (its status, its program and status), made once per program
 * and status rather than per write (a deployment has a handful of programs; the memo is dropped
 * past 1024 of them).
 */
function executionFilters(program: string, status: ExecutionStatus): readonly string[] {
  let byStatus = filtersByProgram.get(program);
  if (byStatus === undefined) {
    if (filtersByProgram.size >= 1024) filtersByProgram.clear();
    byStatus = new Map();
    filtersByProgram.set(program, byStatus);
  }
  let filters = byStatus.get(status);
  if (filters === undefined) {
    filters = [filterName({ status }), filterName({ program, status })];
    byStatus.set(status, filters);
  }
  return filters;
}

const EXECUTION_KIND: RecordKind<Execution> = {
  name: 'execution',
  schema: executionSchema,
  keyParts: (e) => [e.id],
  // Only the status-split indexes are written (two sorted-set adds per insert, not four): `all`
  // and `program:…` are read as the union of their per-status parts (see `list`). Records written
  // before also sit in the per-status indexes, so they list the same.
  filters: (e) => executionFilters(e.program, e.status),
  // create/recordOnce/update parse their input; the rest is stored records and store-made fields.
  composedFromValidated: true,
};

// The JSON trees of an execution (inputs, outputs, usage, trace: the bulk of a record) are checked
// for JSON-ness in place rather than walked and copied by zod; the other fields by the schemas.
const SUCCEEDED_JSON: Record<string, JsonFieldSpec> = {
  inputs: { kind: 'object', required: true },
  outputs: { kind: 'value', required: true },
  usage: { kind: 'value', required: false },
  trace: { kind: 'value', required: false },
};
const succeededShallow = executionSucceededSchema.omit({
  inputs: true,
  outputs: true,
  usage: true,
  trace: true,
});
const CREATE_JSON: Record<string, JsonFieldSpec> = { inputs: { kind: 'object', required: true } };
const createShallow = executionCreateSchema.omit({ inputs: true });
const PATCH_JSON: Record<string, JsonFieldSpec> = {
  outputs: { kind: 'value', required: false },
  usage: { kind: 'value', required: false },
  trace: { kind: 'value', required: false },
};
const patchShallow = executionPatchSchema.omit({ outputs: true, usage: true, trace: true });

/** {@link ExecutionRepository} over any backend. @internal */
export class ExecutionTable implements ExecutionRepository {
  private readonly table: RecordTable<Execution>;

  constructor(
    private readonly backend: RecordBackend,
    private readonly options: ResolvedStoreOptions,
  ) {
    this.table = new RecordTable(EXECUTION_KIND, backend, options);
  }

  async create(input: ExecutionCreate): Promise<Execution> {
    const data = parseInput(executionCreateSchema, input, 'execution create');
    const { result, record } = await this.insert(data);
    if (result.kind === 'created') return record;
    if (result.kind === 'aliased') throw this.table.conflict(result.target, { jobId: data.jobId });
    throw this.table.conflict(record.id);
  }

  async recordOnce(
    jobId: string,
    input: Omit<ExecutionCreate, 'jobId'>,
  ): Promise<RecordOnceResult> {
    const data = parseWithJsonFields(
      executionCreateSchema,
      createShallow,
      CREATE_JSON,
      { ...input, jobId },
      'execution create',
    );
    const { result, record } = await this.insert(data);
    if (result.kind === 'created') return { execution: record, created: true };
    if (result.kind === 'conflict') throw this.table.conflict(record.id, { jobId });
    // Records are never deleted, so the execution an alias points at always exists.
    return { execution: await this.table.get([result.target]), created: false };
  }

  recordSucceeded(jobId: string, input: ExecutionSucceeded): Promise<RecordOnceResult> {
    // Not async (every succeeded job writes here): the insert's verdict is read in the table's one
    // promise handler; an invalid input still rejects rather than throws.
    let succeeded: ReturnType<ExecutionTable['succeeded']>;
    try {
      succeeded = this.succeeded(jobId, input);
    } catch (e) {
      return Promise.reject(e);
    }
    // Its JSON trees passed `isJsonValue` (or were copied through JSON): it reads back as is.
    return this.table.insertThen(
      succeeded.record,
      {
        alias: succeeded.alias,
        expireSeconds: this.options.executionTtlSeconds,
        readsBackAsIs: true,
        createdMs: succeeded.createdMs,
      },
      (result, stored): RecordOnceResult | Promise<RecordOnceResult> => {
        if (result.kind === 'created') return { execution: stored, created: true };
        if (result.kind === 'conflict')
          throw this.table.conflict(stored.id, { jobId: stored.jobId });
        return this.table.get([result.target]).then((execution) => ({ execution, created: false }));
      },
    );
  }

  /**
   * The final record of a first run (see `recordSucceeded`), its job alias and its `createdAt` in
   * ms; throws on invalid input.
   */
  private succeeded(
    jobId: string,
    input: ExecutionSucceeded,
  ): { record: Execution; alias: { key: string; target: string }; createdMs: number } {
    const data = parseWithJsonFields(
      executionSucceededSchema,
      succeededShallow,
      SUCCEEDED_JSON,
      input,
      'execution create',
    );
    const job = parseInput(nameSchema, jobId, 'job id');
    const finished = this.table.nowMs();
    const now = isoTimestamp(finished);
    // Whole ms, as a Date of it would hold it (durations may have fractions).
    const started = Math.trunc(finished - data.durationMs);
    const startedAt = isoTimestamp(started);
    const id = data.id ?? parseInput(nameSchema, this.table.generateId(), 'generated id');
    // The record of a run start → finish in one write: created at its start, final now.
    // Object.assign, not a spread with more keys after it (see parseWithJsonFields: V8 makes a
    // new map per key added to a spread's copy).
    const record: Execution = Object.assign({}, data, {
      id,
      jobId: job,
      status: 'succeeded' as const,
      startedAt,
      finishedAt: now,
      // +0 for a -0 (JSON writes it as 0): the record then reads back exactly as composed.
      durationMs: Math.max(0, data.durationMs),
      revision: 1,
      createdAt: startedAt,
      updatedAt: now,
    });
    return { record, alias: { key: this.jobKey(job), target: id }, createdMs: started };
  }

  newId(): string {
    return parseInput(nameSchema, this.table.generateId(), 'generated id');
  }

  async findByJobId(jobId: string): Promise<Execution | undefined> {
    const id = await this.table.readString(this.jobKey(parseInput(nameSchema, jobId, 'job id')));
    return id === undefined ? undefined : this.table.find([id]);
  }

  async get(id: string): Promise<Execution> {
    return this.table.get([id]);
  }

  async find(id: string): Promise<Execution | undefined> {
    return this.table.find([id]);
  }

  async list(
    query: { program?: string; status?: ExecutionStatus } & PageQuery = {},
  ): Promise<Page<Execution>> {
    const { program, status, ...page } = query;
    return this.table.list(
      status === undefined
        ? executionStatusSchema.options.map((s) => filterName({ program, status: s }))
        : filterName({ program, status }),
      page,
    );
  }

  async update(
    id: string,
    patch: ExecutionPatch,
    options?: ExecutionWriteOptions,
  ): Promise<Execution> {
    const data = definedFields(
      parseWithJsonFields(
        executionPatchSchema,
        patchShallow,
        PATCH_JSON,
        patch,
        'execution update',
      ),
    );
    const ttl = this.options.executionTtlSeconds;
    const written = await this.table.write(
      [id],
      (current, now) => {
        const to = data.status ?? current.status;
        assertTransition(EXECUTION_LIFECYCLE, id, current.status, to);
        const next: Execution = Object.assign({}, current, data, { status: to });
        if (to === 'running' && next.startedAt === undefined) next.startedAt = now;
        if (to !== current.status && isFinalStatus(EXECUTION_LIFECYCLE, to)) {
          next.finishedAt = now;
          if (data.durationMs === undefined && next.startedAt !== undefined) {
            next.durationMs = Math.max(0, Date.parse(now) - Date.parse(next.startedAt));
          }
        }
        return next;
      },
      options,
      undefined,
      // A final record (and its job alias) expires after the TTL, set in the same atomic write.
      (next) =>
        ttl > 0 && isFinalStatus(EXECUTION_LIFECYCLE, next.status)
          ? {
              keys: [
                this.table.key([next.id]),
                ...(next.jobId === undefined ? [] : [this.jobKey(next.jobId)]),
              ],
              seconds: ttl,
            }
          : undefined,
    );
    return written;
  }

  private async insert(data: ExecutionCreate) {
    const now = this.table.now();
    // Records are not re-validated as a whole (composedFromValidated): check the generated id.
    const id = data.id ?? parseInput(nameSchema, this.table.generateId(), 'generated id');
    const status = data.status ?? EXECUTION_LIFECYCLE.initial[0];
    assertInitialStatus(EXECUTION_LIFECYCLE, id, status);
    const record = Object.assign({}, data, {
      id,
      status,
      ...(status === 'running' ? { startedAt: now } : {}),
      revision: 1,
      createdAt: now,
      updatedAt: now,
    });
    const alias =
      data.jobId === undefined ? undefined : { key: this.jobKey(data.jobId), target: id };
    return this.table.insert(record, alias);
  }

  private jobKey(jobId: string): string {
    return this.table.sideKey('job', jobId);
  }
}
