import type { TimerClock as TransportClock } from '../../time/index.js';
import { TransportError, failureReason, isUnrecoverable } from '../errors.js';
import { assertProgress, backoffDelay, type NormalizedEnqueueOptions } from '../job-options.js';
import {
  type KeepJobs,
  JOB_STATES,
  type BackoffOptions,
  type JobCounts,
  type JobInfo,
  type JobProgress,
  type JobState,
  type JsonObject,
  type JsonValue,
  type TransportEvent,
} from '../types.js';

/** One job as the memory queue keeps it. Payload and result are stored as JSON text. */
export interface MemoryJob {
  readonly id: string;
  readonly data: string;
  readonly backoff: BackoffOptions | undefined;
  readonly priority: number;
  readonly createdAt: number;
  /** Enqueue order, for FIFO among equals and newest-first listings. */
  readonly seq: number;
  attempts: number;
  state: JobState;
  attemptsMade: number;
  /** Times a consumer took the job. */
  started: number;
  progress: JobProgress;
  returnvalue?: string;
  failedReason?: string;
  startedAt?: number;
  finishedAt?: number;
  /**
   * Bumped at every activation and hand-back. A handler settles only the lease it was given, so a
   * late result from an abandoned attempt is ignored (the fencing token BullMQ gets from its lock).
   */
  lease: number;
  timer?: unknown;
}

/** Something that can take a job from the queue: a memory consumer with free capacity. */
export interface MemoryJobTaker {
  hasCapacity(): boolean;
  take(job: MemoryJob, lease: number): void;
}

/**
 * The state of one queue in {@link MemoryTransport}: jobs by id, the waiting lists (plain FIFO
 * first, then prioritized, as BullMQ does), delayed timers and dispatch to consumers round-robin.
 * Every transition happens synchronously and then emits its event.
 */
export class MemoryQueue {
  readonly jobs = new Map<string, MemoryJob>();
  readonly #wait: MemoryJob[] = [];
  readonly #prioritized: MemoryJob[] = [];
  readonly #takers: MemoryJobTaker[] = [];
  #nextTaker = 0;
  #nextId = 1;
  #seq = 0;
  #pumpScheduled = false;
  /** Finished jobs in finish order, for {@link prune}. */
  readonly #finished: Record<'completed' | 'failed', MemoryJob[]> = { completed: [], failed: [] };

  constructor(
    readonly name: string,
    private readonly clock: TransportClock,
    private readonly emit: (event: TransportEvent) => void,
  ) {}

  add(data: JsonObject, options: NormalizedEnqueueOptions): string {
    if (options.jobId !== undefined && this.jobs.has(options.jobId)) return options.jobId;
    const id = options.jobId ?? String(this.#nextId++);
    const job: MemoryJob = {
      id,
      data: JSON.stringify(data),
      backoff: options.backoff,
      priority: options.priority,
      createdAt: this.clock.now(),
      seq: this.#seq++,
      attempts: options.attempts,
      state: 'waiting',
      attemptsMade: 0,
      started: 0,
      progress: 0,
      lease: 0,
    };
    this.jobs.set(id, job);
    if (options.delay > 0) this.#delay(job, options.delay);
    else this.#enqueueWaiting(job, 'back');
    return id;
  }

  attach(taker: MemoryJobTaker): void {
    this.#takers.push(taker);
    this.pump();
  }

  detach(taker: MemoryJobTaker): void {
    const index = this.#takers.indexOf(taker);
    if (index >= 0) this.#takers.splice(index, 1);
  }

  /** Dispatches waiting jobs on the next microtask (never inside the caller's stack). */
  pump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    queueMicrotask(() => {
      this.#pumpScheduled = false;
      this.#dispatch();
    });
  }

  #dispatch(): void {
    while (this.#wait.length > 0 || this.#prioritized.length > 0) {
      const taker = this.#nextFreeTaker();
      if (taker === undefined) return;
      const job = this.#wait.shift() ?? this.#prioritized.shift();
      if (job === undefined) return;
      job.state = 'active';
      job.lease += 1;
      job.startedAt = this.clock.now();
      job.started += 1;
      this.emit({ type: 'active', queue: this.name, jobId: job.id });
      taker.take(job, job.lease);
    }
  }

  #nextFreeTaker(): MemoryJobTaker | undefined {
    for (let i = 0; i < this.#takers.length; i++) {
      const index = (this.#nextTaker + i) % this.#takers.length;
      const taker = this.#takers[index];
      if (taker?.hasCapacity()) {
        this.#nextTaker = (index + 1) % this.#takers.length;
        return taker;
      }
    }
    return undefined;
  }

  #enqueueWaiting(job: MemoryJob, end: 'front' | 'back'): void {
    job.state = 'waiting';
    if (job.priority === 0) {
      if (end === 'front') this.#wait.unshift(job);
      else this.#wait.push(job);
    } else {
      // Stable insert by priority: a job goes after every job of the same or a better priority.
      const at = this.#prioritized.findIndex((other) => other.priority > job.priority);
      if (at < 0) this.#prioritized.push(job);
      else this.#prioritized.splice(at, 0, job);
    }
    this.pump();
  }

  #delay(job: MemoryJob, ms: number): void {
    job.state = 'delayed';
    job.timer = this.clock.setTimeout(() => {
      delete job.timer;
      if (job.state === 'delayed') this.#enqueueWaiting(job, 'back');
    }, ms);
  }

  #isCurrent(job: MemoryJob, lease: number): boolean {
    return job.state === 'active' && job.lease === lease && this.jobs.get(job.id) === job;
  }

  complete(job: MemoryJob, lease: number, result: unknown): void {
    if (!this.#isCurrent(job, lease)) return;
    let text: string;
    try {
      text = JSON.stringify(result === undefined ? null : result);
    } catch (error) {
      this.fail(job, lease, error);
      return;
    }
    job.state = 'completed';
    job.attemptsMade += 1;
    job.returnvalue = text;
    job.finishedAt = this.clock.now();
    this.#finished.completed.push(job);
    this.emit({
      type: 'completed',
      queue: this.name,
      jobId: job.id,
      returnvalue: JSON.parse(text) as JsonValue,
    });
  }

  fail(job: MemoryJob, lease: number, error: unknown): void {
    if (!this.#isCurrent(job, lease)) return;
    const reason = failureReason(error);
    job.attemptsMade += 1;
    job.failedReason = reason;
    if (!isUnrecoverable(error) && job.attemptsMade < job.attempts) {
      this.#requeue(job, backoffDelay(job.backoff, job.attemptsMade), reason);
      return;
    }
    job.state = 'failed';
    job.finishedAt = this.clock.now();
    this.#finished.failed.push(job);
    this.emit({ type: 'failed', queue: this.name, jobId: job.id, failedReason: reason });
  }

  /** Puts a running job back in `delayed` for `ms` without using an attempt ({@link DelayJobError}). */
  delayRun(job: MemoryJob, lease: number, ms: number, reason: string): void {
    if (!this.#isCurrent(job, lease)) return;
    job.lease += 1;
    this.#requeue(job, ms, reason);
  }

  /** Puts a job back for another run, `delayed` by `ms` (or at the back of `waiting`), and says so. */
  #requeue(job: MemoryJob, ms: number, reason: string): void {
    if (ms > 0) this.#delay(job, ms);
    else this.#enqueueWaiting(job, 'back');
    this.emit({
      type: 'retrying',
      queue: this.name,
      jobId: job.id,
      attemptsMade: job.attemptsMade,
      delay: ms,
      failedReason: reason,
    });
  }

  /**
   * Removes finished jobs of `state` beyond `keep` (older than `ageSeconds`, or past the newest
   * `count`), as BullMQ's `removeOnComplete` / `removeOnFail` do.
   */
  prune(state: 'completed' | 'failed', keep: KeepJobs): void {
    const finished = this.#finished[state];
    const oldest = this.clock.now() - keep.ageSeconds * 1000;
    // Finish order is age order; entries of jobs retried or removed since are skipped lazily.
    while (finished.length > 0) {
      const head = finished[0] as MemoryJob;
      const live = head.state === state && this.jobs.get(head.id) === head;
      if (live && finished.length <= keep.count && (head.finishedAt ?? 0) >= oldest) return;
      finished.shift();
      if (live) this.jobs.delete(head.id);
    }
  }

  /** Puts an abandoned attempt back at the head of the queue, attempts unchanged. */
  handBack(job: MemoryJob, lease: number): void {
    if (!this.#isCurrent(job, lease)) return;
    job.lease += 1;
    this.#enqueueWaiting(job, 'front');
  }

  progress(job: MemoryJob, progress: JobProgress): void {
    assertProgress(progress);
    job.progress = JSON.parse(JSON.stringify(progress)) as JobProgress;
    this.emit({ type: 'progress', queue: this.name, jobId: job.id, progress: job.progress });
  }

  retry(id: string): void {
    const job = this.jobs.get(id);
    if (job === undefined) {
      throw new TransportError('job_not_found', `no job ${id} in queue ${this.name}`, {
        details: { queue: this.name, jobId: id },
      });
    }
    if (job.state !== 'failed') {
      throw new TransportError(
        'invalid_state',
        `job ${id} is ${job.state}, only failed jobs can be retried`,
        {
          details: { queue: this.name, jobId: id, state: job.state },
        },
      );
    }
    job.attemptsMade = 0;
    delete job.failedReason;
    delete job.finishedAt;
    this.#enqueueWaiting(job, 'back');
  }

  counts(): JobCounts {
    const counts = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as JobCounts;
    for (const job of this.jobs.values()) counts[job.state] += 1;
    return counts;
  }

  list(state: JobState, offset: number, limit: number): JobInfo[] {
    return [...this.jobs.values()]
      .filter((job) => job.state === state)
      .sort((a, b) => b.seq - a.seq)
      .slice(offset, offset + limit)
      .map((job) => this.info(job));
  }

  info(job: MemoryJob): JobInfo {
    return {
      id: job.id,
      queue: this.name,
      data: JSON.parse(job.data) as JsonObject,
      state: job.state,
      attemptsMade: job.attemptsMade,
      attempts: job.attempts,
      stalledCount: 0,
      started: job.started,
      progress: job.progress,
      priority: job.priority,
      createdAt: job.createdAt,
      ...(job.returnvalue === undefined
        ? {}
        : { returnvalue: JSON.parse(job.returnvalue) as JsonValue }),
      ...(job.failedReason === undefined ? {} : { failedReason: job.failedReason }),
      ...(job.startedAt === undefined ? {} : { startedAt: job.startedAt }),
      ...(job.finishedAt === undefined ? {} : { finishedAt: job.finishedAt }),
    };
  }

  /** Cancels delayed timers (on transport close). */
  stopTimers(): void {
    for (const job of this.jobs.values()) {
      if (job.timer !== undefined) this.clock.clearTimeout(job.timer);
      delete job.timer;
    }
  }
}
