import type { Dataset, DatasetAdd, DatasetAddResult, DatasetCreate } from './dataset-record.js';
import type {
  Evaluation,
  EvaluationCreate,
  EvaluationPatch,
  EvaluationStatus,
} from './evaluation-record.js';
import type {
  Execution,
  ExecutionCreate,
  ExecutionSucceeded,
  ExecutionPatch,
  ExecutionStatus,
} from './execution-record.js';
import type {
  OptimizationRun,
  OptimizationRunCreate,
  OptimizationRunPatch,
  OptimizationRunStatus,
} from './optimization-run-record.js';
import type {
  Program,
  ProgramCreate,
  ProgramPatch,
  ProgramPublish,
  ProgramStatus,
  ProgramVersion,
} from './program-record.js';
import type { JsonObject, JsonValue } from './record-fields.js';
import type {
  Deployment,
  VariableConfigurationCreate,
  VariableConfigurationRecord,
  VariableDescriptor,
  VariableSpaceRecord,
} from './variable-record.js';

/**
 * Paging of a `list` call. Results are ordered by creation time (then key); `cursor` is the opaque
 * `nextCursor` of the previous page, so pages stay stable while records are added.
 */
export interface PageQuery {
  /** Page size, 1–1000. Default 50. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
  /** `desc` (newest first, the default) or `asc`. */
  order?: 'asc' | 'desc';
}

/** One page of a `list` call; `nextCursor` is absent on the last page. */
export interface Page<R> {
  items: R[];
  nextCursor?: string;
}

/** Options of every write that supports optimistic concurrency. */
export interface WriteOptions {
  /**
   * Apply the write only if the record is still at this `revision`; otherwise fail with
   * `stale_revision`. Without it the store re-reads and re-validates the write until it lands on
   * the latest revision, so concurrent writers never lose each other's changes.
   */
  ifRevision?: number;
}

/** Options of `executions.update`. */
export interface ExecutionWriteOptions extends WriteOptions {
  /**
   * The record exactly as the store last returned it to the caller (from `recordOnce`, `get` or a
   * previous `update`). The write then compares-and-sets against its revision without reading the
   * record first (one round trip instead of two); if another write landed since, the store re-reads
   * and re-applies the patch as usual, so the result is the same as without it.
   */
  known?: Execution;
}

/**
 * Programs, keyed by name. Lifecycle `draft → active → archived` (see `PROGRAM_LIFECYCLE`).
 *
 * @example
 * ```ts
 * await store.programs.create({ name: 'qa' });
 * await store.programs.publishVersion('qa', { state: qa.save(), note: 'MIPRO run 7' });
 * await store.programs.activate('qa', '1');
 * const { state } = await store.programs.getVersion('qa'); // the active version
 * ```
 */
export interface ProgramRepository {
  /** Creates a draft. `conflict` if the name exists. */
  create(input: ProgramCreate): Promise<Program>;
  /** `not_found` if absent. */
  get(name: string): Promise<Program>;
  /** `undefined` if absent. */
  find(name: string): Promise<Program | undefined>;
  /** All programs, or those in one status. */
  list(query?: { status?: ProgramStatus } & PageQuery): Promise<Page<Program>>;
  /** Status changes follow the lifecycle (`invalid_transition` otherwise). */
  update(name: string, patch: ProgramPatch, options?: WriteOptions): Promise<Program>;
  /** Appends a version (`conflict` if the version exists; `invalid_transition` if archived). Does not activate it. */
  publishVersion(name: string, input: ProgramPublish, options?: WriteOptions): Promise<Program>;
  /** Serves `version` (`not_found` if unpublished); a draft becomes active. */
  activate(name: string, version: string, options?: WriteOptions): Promise<Program>;
  /** A published version, the active one by default (`not_found` if none). */
  getVersion(name: string, version?: string): Promise<ProgramVersion>;
}

/** What `executions.recordOnce` returns: the one execution of the job and whether this call made it. */
export interface RecordOnceResult {
  execution: Execution;
  created: boolean;
}

/**
 * Executions, keyed by id. Lifecycle `pending → running → succeeded | failed`.
 *
 * @example
 * ```ts
 * const { execution, created } = await store.executions.recordOnce(job.id, { program: 'qa', inputs });
 * if (execution.status === 'succeeded') return execution.outputs; // a retried stage: reuse the result
 * await store.executions.update(execution.id, { status: 'running', node: nodeId });
 * ```
 */
export interface ExecutionRepository {
  /** `conflict` if the id, or the job id, already has an execution. */
  create(input: ExecutionCreate): Promise<Execution>;
  /**
   * The execution of transport job `jobId`, created from `input` if the job has none yet. Atomic:
   * any number of concurrent calls, on any nodes, create exactly one record and all return it.
   * Mark it `failed` only when the job will not be retried (a retry reuses the same record).
   * `jobId` must be unique across every queue sharing the store: BullMQ numbers jobs per queue, so
   * qualify it (`dspex-run:42`).
   */
  recordOnce(jobId: string, input: Omit<ExecutionCreate, 'jobId'>): Promise<RecordOnceResult>;
  /**
   * The execution of transport job `jobId`, created already `succeeded` from `input` if the job
   * has none yet: one write for a run nobody needed to see `running` (a job's first delivery that
   * finished quickly). Atomic like {@link recordOnce}; when the job already has a record (another
   * run of it, a reused id), that record is returned unchanged with `created: false` and the
   * caller decides. A created record expires after `executionTtlSeconds` like any final one.
   */
  recordSucceeded(jobId: string, input: ExecutionSucceeded): Promise<RecordOnceResult>;
  /** A fresh execution id from the store's generator (for a record written later). */
  newId(): string;
  /** The execution recorded for `jobId`, if any. */
  findByJobId(jobId: string): Promise<Execution | undefined>;
  /** `not_found` if absent. */
  get(id: string): Promise<Execution>;
  /** `undefined` if absent. */
  find(id: string): Promise<Execution | undefined>;
  /** Filter by program, status or both (each combination is indexed). */
  list(
    query?: { program?: string; status?: ExecutionStatus } & PageQuery,
  ): Promise<Page<Execution>>;
  /** Status changes follow the lifecycle; a final execution is immutable (`invalid_transition`). */
  update(id: string, patch: ExecutionPatch, options?: ExecutionWriteOptions): Promise<Execution>;
}

/**
 * Optimization runs, keyed by id. Lifecycle `queued → running → succeeded | failed | cancelled`.
 *
 * @example
 * ```ts
 * const run = await store.optimizationRuns.create({ program: 'qa', optimizer: 'mipro', params });
 * await store.optimizationRuns.update(run.id, { status: 'running' });
 * await store.optimizationRuns.update(run.id, { progress: { done: 3, total: 20 }, appendHistory: [{ step: 3, score: 0.71 }] });
 * await store.optimizationRuns.saveCheckpoint(run.id, optimizerState);
 * ```
 */
export interface OptimizationRunRepository {
  /** Creates a `queued` run (or `running`); `conflict` if an explicit id exists. */
  create(input: OptimizationRunCreate): Promise<OptimizationRun>;
  /** `not_found` if absent. */
  get(id: string): Promise<OptimizationRun>;
  /** `undefined` if absent. */
  find(id: string): Promise<OptimizationRun | undefined>;
  /** Filter by program, status or both. */
  list(
    query?: { program?: string; status?: OptimizationRunStatus } & PageQuery,
  ): Promise<Page<OptimizationRun>>;
  /** Status changes follow the lifecycle; a final run is immutable (`invalid_transition`). */
  update(id: string, patch: OptimizationRunPatch, options?: WriteOptions): Promise<OptimizationRun>;
  /**
   * Replaces the run's checkpoint and stamps `checkpointAt`, atomically with the record write.
   * `invalid_transition` once the run is final.
   */
  saveCheckpoint(
    id: string,
    checkpoint: JsonValue,
    options?: WriteOptions,
  ): Promise<OptimizationRun>;
  /** The last saved checkpoint (`undefined` if none was saved); readable in any status, to resume. */
  loadCheckpoint(id: string): Promise<JsonValue | undefined>;
}

/**
 * Evaluations, keyed by id. Lifecycle `running → succeeded | failed`: one record per
 * `runtime.evaluate` (the CLI's `dspex eval`, `POST /v1/evaluations`), written by the node that
 * runs it.
 *
 * @example
 * ```ts
 * const ev = await store.evaluations.create({ program: 'qa', metric: 'exact_match' });
 * await store.evaluations.update(ev.id, { status: 'succeeded', score: 75, counts: { total: 4, errors: 0 } });
 * (await store.evaluations.list({ program: 'qa' })).items; // newest first
 * ```
 */
export interface EvaluationRepository {
  /** Creates a `running` evaluation; `conflict` if an explicit id exists. */
  create(input: EvaluationCreate): Promise<Evaluation>;
  /** `not_found` if absent. */
  get(id: string): Promise<Evaluation>;
  /** `undefined` if absent. */
  find(id: string): Promise<Evaluation | undefined>;
  /** Filter by program, status or both. */
  list(
    query?: { program?: string; status?: EvaluationStatus } & PageQuery,
  ): Promise<Page<Evaluation>>;
  /** Records the outcome; a final evaluation is immutable (`invalid_transition`). */
  update(id: string, patch: EvaluationPatch, options?: WriteOptions): Promise<Evaluation>;
}

/** Datasets, keyed by `(name, version)`; immutable once created. */
export interface DatasetRepository {
  /** `conflict` if that name and version exist. */
  create(input: DatasetCreate): Promise<Dataset>;
  /**
   * Stores a version unless one of that name already holds the same examples (same content hash),
   * which is returned instead with `created: false`. Without `version` the next free `v<n>` is
   * used (`v1`, `v2`, …); an explicit version that exists with other examples is a `conflict`.
   *
   * @example
   * ```ts
   * const { dataset, created } = await store.datasets.add({ name: 'qa', examples, inputKeys: ['question'] });
   * dataset.version; // 'v1' the first time; the same 'v1' (created: false) for the same examples
   * ```
   */
  add(input: DatasetAdd): Promise<DatasetAddResult>;
  /** That version, or the latest created one when `version` is omitted. */
  get(name: string, version?: string): Promise<Dataset>;
  /** Like `get`, but `undefined` when absent. */
  find(name: string, version?: string): Promise<Dataset | undefined>;
  /** All datasets, or the versions of one name. */
  list(query?: { name?: string } & PageQuery): Promise<Page<Dataset>>;
}

/**
 * Versions of each program's variable space (immutable per `(program, version)`).
 *
 * @example
 * ```ts
 * const space = await store.variableSpaces.register('qa', descriptors); // same variables: same version
 * (await store.variableSpaces.get('qa')).variables.map((v) => v.name);
 * ```
 */
export interface VariableSpaceRepository {
  /**
   * The latest version if its variables equal `variables`, else a new version (numbered from 1).
   * Safe to call from every node at start: concurrent registrations agree on one version.
   */
  register(program: string, variables: readonly VariableDescriptor[]): Promise<VariableSpaceRecord>;
  /** That version, or the latest when `version` is omitted (`not_found` if none). */
  get(program: string, version?: string): Promise<VariableSpaceRecord>;
  /** Like `get`, but `undefined` when absent. */
  find(program: string, version?: string): Promise<VariableSpaceRecord | undefined>;
  /** All spaces, or the versions of one program. */
  list(query?: { program?: string } & PageQuery): Promise<Page<VariableSpaceRecord>>;
}

/**
 * Configurations (points of a variable space), keyed by id; immutable once created.
 *
 * @example
 * ```ts
 * const c = await store.variableConfigurations.create({ program: 'qa', values: { model: 'gpt-4o-mini' } });
 * await store.variableConfigurations.list({ runId: 'front-1' }); // the points of one search
 * ```
 */
export interface VariableConfigurationRepository {
  /** `conflict` if an explicit id exists. */
  create(input: VariableConfigurationCreate): Promise<VariableConfigurationRecord>;
  /** `not_found` if absent. */
  get(id: string): Promise<VariableConfigurationRecord>;
  find(id: string): Promise<VariableConfigurationRecord | undefined>;
  /** All configurations, those of one program, or those of one search run (`runId` wins). */
  list(
    query?: { program?: string; runId?: string } & PageQuery,
  ): Promise<Page<VariableConfigurationRecord>>;
}

/**
 * What each program serves on every node (the variable registry's configuration), one record per
 * program whose `revision` orders the changes.
 *
 * @example
 * ```ts
 * await store.deployments.deploy('qa', (current) => ({ ...current, temperature: 0 }));
 * ```
 */
export interface DeploymentRepository {
  find(program: string): Promise<Deployment | undefined>;
  /**
   * Replaces the program's configuration by `change(current)` (`{}` when never deployed) as one
   * compare-and-set: concurrent deploys from several nodes are serialised, none lost.
   */
  deploy(program: string, change: (current: JsonObject) => JsonObject): Promise<Deployment>;
  list(query?: PageQuery): Promise<Page<Deployment>>;
}

/**
 * The resource store of the runtime (DESIGN §4): Program, Execution, OptimizationRun, Evaluation
 * and Dataset records with enforced lifecycles. Implementations: `MemoryStore` (embedded mode) and `RedisStore`
 * (shared by every node); both pass one conformance suite, so code written against `Store` behaves
 * the same on either. Records are plain JSON; values returned are copies (mutating them changes
 * nothing stored). Failures are `StoreError`s with a stable `code`.
 *
 * @example
 * ```ts
 * const store: Store = config.redis ? new RedisStore({ redis: config.redis.url }) : new MemoryStore();
 * const page = await store.executions.list({ program: 'qa', status: 'failed', limit: 20 });
 * await store.close();
 * ```
 */
export interface Store {
  readonly programs: ProgramRepository;
  readonly executions: ExecutionRepository;
  readonly optimizationRuns: OptimizationRunRepository;
  readonly evaluations: EvaluationRepository;
  readonly datasets: DatasetRepository;
  readonly variableSpaces: VariableSpaceRepository;
  readonly variableConfigurations: VariableConfigurationRepository;
  readonly deployments: DeploymentRepository;
  /** Releases connections the store owns. */
  close(): Promise<void>;
}
