import type { TimerClock as TransportClock } from '../../time/index.js';
import { DEFAULT_CLOSE_TIMEOUT_MS } from '../job-options.js';
import { DelayJobError } from '../errors.js';
import type {
  CloseOptions,
  Consumer,
  JobContext,
  JobHandler,
  JsonObject,
  JsonValue,
  ProcessOptions,
} from '../types.js';
import type { MemoryJob, MemoryJobTaker, MemoryQueue } from './memory-queue.js';

interface Attempt {
  readonly job: MemoryJob;
  readonly lease: number;
  readonly controller: AbortController;
}

/**
 * A consumer of one {@link MemoryQueue}: runs up to `concurrency` handlers at once and closes
 * gracefully (stop intake, wait for in-flight attempts up to a deadline, then hand them back).
 */
export class MemoryConsumer implements Consumer, MemoryJobTaker {
  readonly #attempts = new Set<Attempt>();
  readonly #idleWaiters = new Set<() => void>();
  #closing: Promise<void> | undefined;

  constructor(
    private readonly memoryQueue: MemoryQueue,
    private readonly handler: JobHandler<JsonObject, JsonValue | void>,
    private readonly concurrency: number,
    private readonly clock: TransportClock,
    private readonly onClosed: (consumer: MemoryConsumer) => void,
    private readonly retention: Pick<ProcessOptions, 'keepCompleted' | 'keepFailed'> = {},
  ) {
    memoryQueue.attach(this);
  }

  get queue(): string {
    return this.memoryQueue.name;
  }

  get inFlight(): number {
    return this.#attempts.size;
  }

  hasCapacity(): boolean {
    return this.#closing === undefined && this.#attempts.size < this.concurrency;
  }

  take(job: MemoryJob, lease: number): void {
    const attempt: Attempt = { job, lease, controller: new AbortController() };
    this.#attempts.add(attempt);
    const context: JobContext = {
      id: job.id,
      queue: this.memoryQueue.name,
      data: JSON.parse(job.data) as JsonObject,
      attempt: job.attemptsMade + 1,
      attempts: job.attempts,
      createdAt: job.createdAt,
      started: job.started,
      stalls: 0,
      backoff: job.backoff,
      signal: attempt.controller.signal,
      updateProgress: async (progress) => this.memoryQueue.progress(job, progress),
    };
    // The handler starts on a later microtask, like a job fetched from Redis, never inside enqueue.
    Promise.resolve()
      .then(() => this.handler(context))
      .then(
        (result) => {
          this.memoryQueue.complete(job, lease, result);
          const keep = this.retention.keepCompleted;
          if (keep !== undefined) this.memoryQueue.prune('completed', keep);
        },
        (error: unknown) => {
          if (error instanceof DelayJobError) {
            this.memoryQueue.delayRun(job, lease, error.delayMs, error.message);
            return;
          }
          this.memoryQueue.fail(job, lease, error);
          const keep = this.retention.keepFailed;
          if (keep !== undefined) this.memoryQueue.prune('failed', keep);
        },
      )
      .finally(() => {
        this.#attempts.delete(attempt);
        if (this.#attempts.size === 0) for (const wake of this.#idleWaiters) wake();
        this.memoryQueue.pump();
      });
  }

  close(options: CloseOptions = {}): Promise<void> {
    this.#closing ??= this.#close(options.timeout ?? DEFAULT_CLOSE_TIMEOUT_MS);
    return this.#closing;
  }

  async #close(timeoutMs: number): Promise<void> {
    this.memoryQueue.detach(this);
    if (this.#attempts.size > 0) {
      let timer: unknown;
      const idle = new Promise<'idle'>((resolve) => this.#idleWaiters.add(() => resolve('idle')));
      const deadline = new Promise<'deadline'>((resolve) => {
        timer = this.clock.setTimeout(() => resolve('deadline'), timeoutMs);
      });
      const outcome = await Promise.race([idle, deadline]);
      this.clock.clearTimeout(timer);
      if (outcome === 'deadline') {
        for (const attempt of this.#attempts) {
          attempt.controller.abort(new Error('consumer closed before the job finished'));
          this.memoryQueue.handBack(attempt.job, attempt.lease);
        }
      }
    }
    this.onClosed(this);
  }
}
