import { StoreError } from './store-error.js';
import { assertTransition, invalidTransition, isFinalStatus } from './lifecycle.js';
import {
  PROGRAM_LIFECYCLE,
  programCreateSchema,
  programPatchSchema,
  programPublishSchema,
  programSchema,
  type Program,
  type ProgramCreate,
  type ProgramPatch,
  type ProgramPublish,
  type ProgramStatus,
  type ProgramVersion,
} from './program-record.js';
import type { RecordBackend } from './record-backend.js';
import { RecordTable, filterName, type RecordKind } from './record-table.js';
import type { Page, PageQuery, ProgramRepository, WriteOptions } from './store.js';
import type { ResolvedStoreOptions } from './store-options.js';
import { definedFields, parseInput } from './validation.js';

const PROGRAM_KIND: RecordKind<Program> = {
  name: 'program',
  schema: programSchema,
  keyParts: (p) => [p.name],
  filters: (p) => [filterName(), filterName({ status: p.status })],
};

/** {@link ProgramRepository} over any backend. @internal */
export class ProgramTable implements ProgramRepository {
  private readonly table: RecordTable<Program>;

  constructor(backend: RecordBackend, options: ResolvedStoreOptions) {
    this.table = new RecordTable(PROGRAM_KIND, backend, options);
  }

  async create(input: ProgramCreate): Promise<Program> {
    const data = parseInput(programCreateSchema, input, 'program create');
    const now = this.table.now();
    const { result, record } = await this.table.insert({
      ...data,
      status: PROGRAM_LIFECYCLE.initial[0],
      versions: [],
      activeVersion: null,
      revision: 1,
      createdAt: now,
      updatedAt: now,
    });
    if (result.kind !== 'created') throw this.table.conflict(data.name);
    return record;
  }

  async get(name: string): Promise<Program> {
    return this.table.get([name]);
  }

  async find(name: string): Promise<Program | undefined> {
    return this.table.find([name]);
  }

  async list(query: { status?: ProgramStatus } & PageQuery = {}): Promise<Page<Program>> {
    const { status, ...page } = query;
    return this.table.list(filterName({ status }), page);
  }

  async update(name: string, patch: ProgramPatch, options?: WriteOptions): Promise<Program> {
    const data = definedFields(parseInput(programPatchSchema, patch, 'program update'));
    return this.table.write(
      [name],
      (current) => {
        const to = data.status ?? current.status;
        assertTransition(PROGRAM_LIFECYCLE, name, current.status, to);
        let activeVersion = current.activeVersion;
        if (to === 'active' && activeVersion === null) {
          // A draft activated by status alone serves its newest version; it needs one.
          const latest = current.versions[current.versions.length - 1];
          if (latest === undefined)
            throw invalidTransition(
              PROGRAM_LIFECYCLE,
              name,
              current.status,
              to,
              'no version published',
            );
          activeVersion = latest.version;
        }
        return { ...current, ...data, status: to, activeVersion };
      },
      options,
    );
  }

  async publishVersion(
    name: string,
    input: ProgramPublish,
    options?: WriteOptions,
  ): Promise<Program> {
    const data = parseInput(programPublishSchema, input, 'program version');
    return this.table.write(
      [name],
      (current, now) => {
        this.assertWritable(current, 'publishing a version');
        // Default names count up; computed inside the write loop so concurrent publishers never collide.
        const version = data.version ?? String(current.versions.length + 1);
        if (current.versions.some((v) => v.version === version)) {
          throw this.table.conflict(name, { version });
        }
        const entry: ProgramVersion = {
          version,
          state: data.state,
          createdAt: now,
          ...(data.note === undefined ? {} : { note: data.note }),
        };
        return { ...current, versions: [...current.versions, entry] };
      },
      options,
    );
  }

  async activate(name: string, version: string, options?: WriteOptions): Promise<Program> {
    return this.table.write(
      [name],
      (current) => {
        assertTransition(PROGRAM_LIFECYCLE, name, current.status, 'active');
        if (!current.versions.some((v) => v.version === version)) {
          throw this.table.notFound(name, { version });
        }
        return { ...current, status: 'active', activeVersion: version };
      },
      options,
    );
  }

  async getVersion(name: string, version?: string): Promise<ProgramVersion> {
    const program = await this.table.find([name]);
    const wanted = version ?? program?.activeVersion ?? null;
    const found = wanted === null ? undefined : program?.versions.find((v) => v.version === wanted);
    if (found !== undefined) return found;
    // Say which version of which program is missing, and what there is instead.
    const stored = program?.versions.map((v) => v.version) ?? [];
    const what =
      wanted === null
        ? `program ${JSON.stringify(name)} has no active version`
        : `version ${JSON.stringify(wanted)} of program ${JSON.stringify(name)} not found`;
    const known =
      stored.length === 0
        ? 'it has no stored versions'
        : `stored versions: ${stored.map((v) => JSON.stringify(v)).join(', ')}`;
    throw new StoreError('not_found', `${what}; ${known}`, {
      details: { record: 'program', id: name, version: wanted, stored },
    });
  }

  private assertWritable(current: Program, action: string): void {
    if (isFinalStatus(PROGRAM_LIFECYCLE, current.status)) {
      throw invalidTransition(
        PROGRAM_LIFECYCLE,
        current.name,
        current.status,
        current.status,
        `${action} on a ${current.status} program`,
      );
    }
  }
}
