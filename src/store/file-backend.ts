import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { MemoryBackend, type MemorySnapshot } from './memory-backend.js';
import type {
  CompareAndSetOp,
  InsertOp,
  InsertResult,
  RangeQuery,
  RecordBackend,
  StoredValue,
} from './record-backend.js';
import { StoreError } from './store-error.js';

/** How long a writer waits for the lock, and when a lock is old enough to be a crashed writer's. */
const LOCK_WAIT_MS = 10_000;
const LOCK_STALE_MS = 30_000;
const LOCK_POLL_MS = 10;

/**
 * {@link RecordBackend} in one JSON file, for embedded mode's records that outlive a command
 * (datasets added with `dspex datasets add`). Each write takes a lock directory beside the file
 * (`mkdir` is atomic), reloads the file, applies the operation in memory and replaces the file by
 * rename, so concurrent commands of one folder never lose each other's writes and a reader never
 * sees half a file. Reads take no lock. Meant for small stores: every write rewrites the file.
 *
 * @internal
 */
export class FileBackend implements RecordBackend {
  constructor(
    private readonly path: string,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  insert(op: InsertOp): Promise<InsertResult> {
    return this.mutate((m) => m.insert(op));
  }

  async read(keys: readonly string[]): Promise<(StoredValue | undefined)[]> {
    return this.load().read(keys);
  }

  compareAndSet(op: CompareAndSetOp): Promise<'ok' | 'stale' | 'not_found'> {
    return this.mutate((m) => m.compareAndSet(op));
  }

  async readString(key: string): Promise<string | undefined> {
    return this.load().readString(key);
  }

  async range(index: string, query: RangeQuery): Promise<string[]> {
    return this.load().range(index, query);
  }

  async close(): Promise<void> {}

  private load(): MemoryBackend {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return new MemoryBackend();
      throw this.unavailable(`cannot read ${this.path}`, cause);
    }
    try {
      return MemoryBackend.fromSnapshot(JSON.parse(text) as MemorySnapshot);
    } catch (cause) {
      throw new StoreError('corrupt_record', `${this.path} is not a store file`, {
        cause,
        details: { path: this.path },
      });
    }
  }

  private async mutate<T>(op: (m: MemoryBackend) => Promise<T>): Promise<T> {
    const lock = `${this.path}.lock`;
    await this.acquire(lock);
    try {
      const memory = this.load();
      const result = await op(memory);
      const tmp = `${this.path}.${process.pid}.tmp`;
      try {
        writeFileSync(tmp, JSON.stringify(memory.snapshot()));
        renameSync(tmp, this.path);
      } catch (cause) {
        throw this.unavailable(`cannot write ${this.path}`, cause);
      }
      return result;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }

  private async acquire(lock: string): Promise<void> {
    mkdirSync(dirname(lock), { recursive: true });
    for (let waited = 0; ; waited += LOCK_POLL_MS) {
      try {
        mkdirSync(lock);
        return;
      } catch (cause) {
        if ((cause as NodeJS.ErrnoException).code !== 'EEXIST')
          throw this.unavailable(`cannot lock ${this.path}`, cause);
      }
      // A lock this old belongs to a command that died mid-write: the file itself is whole.
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true });
      else if (waited >= LOCK_WAIT_MS)
        throw new StoreError('unavailable', `${this.path} stayed locked for ${LOCK_WAIT_MS} ms`, {
          retryable: true,
          details: { path: this.path, lock },
        });
      else await this.sleep(LOCK_POLL_MS);
    }
  }

  private unavailable(message: string, cause: unknown): StoreError {
    return new StoreError('unavailable', `${message}: ${(cause as Error).message}`, {
      cause,
      retryable: true,
      details: { path: this.path },
    });
  }
}
