import {
  EVALUATION_EXAMPLES_KEPT,
  EVALUATION_LIFECYCLE,
  EVALUATION_REASON_CHARS,
  evaluationCreateSchema,
  evaluationPatchSchema,
  evaluationSchema,
  type Evaluation,
  type EvaluationCreate,
  type EvaluationExample,
  type EvaluationPatch,
  type EvaluationStatus,
} from './evaluation-record.js';
import { assertInitialStatus, assertTransition, isFinalStatus } from './lifecycle.js';
import type { RecordBackend } from './record-backend.js';
import { RecordTable, filterName, type RecordKind } from './record-table.js';
import type { EvaluationRepository, Page, PageQuery, WriteOptions } from './store.js';
import type { ResolvedStoreOptions } from './store-options.js';
import { definedFields, parseInput } from './validation.js';

const EVALUATION_KIND: RecordKind<Evaluation> = {
  name: 'evaluation',
  schema: evaluationSchema,
  keyParts: (r) => [r.id],
  filters: (r) => [
    filterName(),
    filterName({ status: r.status }),
    filterName({ program: r.program }),
    filterName({ program: r.program, status: r.status }),
  ],
};

/** The first {@link EVALUATION_EXAMPLES_KEPT} examples, each reason cut to its bound. */
function bounded(examples: readonly EvaluationExample[]): EvaluationExample[] {
  return examples
    .slice(0, EVALUATION_EXAMPLES_KEPT)
    .map((e) =>
      e.error === undefined || e.error.length <= EVALUATION_REASON_CHARS
        ? e
        : { ...e, error: `${e.error.slice(0, EVALUATION_REASON_CHARS - 1)}…` },
    );
}

/** {@link EvaluationRepository} over any backend. @internal */
export class EvaluationTable implements EvaluationRepository {
  private readonly table: RecordTable<Evaluation>;

  constructor(backend: RecordBackend, options: ResolvedStoreOptions) {
    this.table = new RecordTable(EVALUATION_KIND, backend, options);
  }

  async create(input: EvaluationCreate): Promise<Evaluation> {
    const data = parseInput(evaluationCreateSchema, input, 'evaluation create');
    const now = this.table.now();
    const id = data.id ?? this.table.generateId();
    assertInitialStatus(EVALUATION_LIFECYCLE, id, 'running');
    const { result, record } = await this.table.insert({
      id,
      program: data.program,
      ...(data.version === undefined ? {} : { version: data.version }),
      ...(data.dataset === undefined ? {} : { dataset: data.dataset }),
      metric: data.metric,
      status: 'running',
      shards: data.shards ?? 1,
      score: null,
      counts: { total: 0, errors: 0 },
      examples: [],
      ...(data.node === undefined ? {} : { node: data.node }),
      startedAt: now,
      revision: 1,
      createdAt: now,
      updatedAt: now,
    });
    if (result.kind !== 'created') throw this.table.conflict(id);
    return record;
  }

  async get(id: string): Promise<Evaluation> {
    return this.table.get([id]);
  }

  async find(id: string): Promise<Evaluation | undefined> {
    return this.table.find([id]);
  }

  async list(
    query: { program?: string; status?: EvaluationStatus } & PageQuery = {},
  ): Promise<Page<Evaluation>> {
    const { program, status, ...page } = query;
    return this.table.list(filterName({ program, status }), page);
  }

  async update(id: string, patch: EvaluationPatch, options?: WriteOptions): Promise<Evaluation> {
    const { examples, ...data } = definedFields(
      parseInput(evaluationPatchSchema, patch, 'evaluation update'),
    );
    return this.table.write(
      [id],
      (current, now) => {
        const to = data.status ?? current.status;
        assertTransition(EVALUATION_LIFECYCLE, id, current.status, to);
        const next: Evaluation = { ...current, ...data, status: to };
        if (examples !== undefined) {
          next.examples = bounded(examples);
          const omitted = examples.length - next.examples.length;
          if (omitted > 0) next.examplesOmitted = omitted;
          else delete next.examplesOmitted;
        }
        if (to !== current.status && isFinalStatus(EVALUATION_LIFECYCLE, to)) next.finishedAt = now;
        return next;
      },
      options,
    );
  }
}
