/** Any JSON value. Job payloads and results cross process boundaries as JSON. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object: the shape of every job payload. */
export type JsonObject = { [key: string]: JsonValue };

/**
 * Lifecycle of a job: `waiting` (or `delayed` until its delay or backoff elapses) → `active` →
 * `completed` | `failed`. A failed attempt with attempts left goes back to `waiting`/`delayed`.
 */
export type JobState = 'waiting' | 'delayed' | 'active' | 'completed' | 'failed';

/** Every job state, in lifecycle order. */
export const JOB_STATES: readonly JobState[] = [
  'waiting',
  'delayed',
  'active',
  'completed',
  'failed',
];

/**
 * Delay between attempts. `fixed`: always `delay` ms. `exponential`: `2^(n-1) × delay` ms before
 * retry n (so `delay`, `2·delay`, `4·delay`…), the same formula as BullMQ.
 */
export interface BackoffOptions {
  readonly type: 'fixed' | 'exponential';
  /** Base delay in ms (≥ 0). */
  readonly delay: number;
}

/** Options of {@link Transport.enqueue}. */
export interface EnqueueOptions {
  /**
   * Custom id. Enqueue is idempotent by id: while a job with this id exists in the queue (in any
   * state, finished ones included), enqueueing it again is a no-op that returns the same id.
   * Must not be empty, an integer string, or contain `:`. Default: a generated id.
   */
  readonly jobId?: string;
  /** Total attempts including the first (integer ≥ 1). Default 1: no retry. */
  readonly attempts?: number;
  /** Delay between attempts; a number means fixed. Default: retry at once. */
  readonly backoff?: BackoffOptions | number;
  /**
   * 1 (highest) … 2 097 152 (lowest). Jobs without priority are taken before prioritized ones,
   * as in BullMQ. Default: none.
   */
  readonly priority?: number;
  /** Milliseconds to wait in `delayed` before the job becomes `waiting`. Default 0. */
  readonly delay?: number;
}

/** A job's reported progress: a number (e.g. percent) or a JSON object. */
export type JobProgress = number | JsonObject;

/** What a handler receives for one attempt of one job. */
export interface JobContext<D extends JsonObject = JsonObject> {
  readonly id: string;
  readonly queue: string;
  /** The payload (a fresh copy per attempt). */
  readonly data: D;
  /** This attempt's number, 1-based. */
  readonly attempt: number;
  /** The job's total attempts; the attempt is the last one when `attempt >= attempts`. */
  readonly attempts: number;
  /**
   * When the job was enqueued, epoch ms (as {@link JobInfo.createdAt}): stable across attempts,
   * so a handler can tell a job from an earlier one that had the same id without a `getJob`.
   */
  readonly createdAt: number;
  /**
   * How many times the job has been taken by a consumer, this run included (1 on the first run):
   * counts failed attempts, runs that ended in a {@link DelayJobError} and runs lost with a dead
   * consumer.
   */
  readonly started: number;
  /**
   * How many times the job was taken back from a consumer that died or stopped renewing its lock
   * (BullMQ stall detection; always 0 in memory).
   */
  readonly stalls: number;
  /** The job's backoff between attempts (undefined: a failed attempt is retried at once). */
  readonly backoff: BackoffOptions | undefined;
  /**
   * Aborted when the consumer gives up on this attempt (close deadline passed). The job is then
   * handed back to the queue and a late result is ignored, so long handlers should watch it.
   */
  readonly signal: AbortSignal;
  /** Records progress and emits a `progress` event. */
  updateProgress(progress: JobProgress): Promise<void>;
}

/**
 * Processes one attempt of a job. Resolve with the result (JSON; `undefined` is stored as `null`),
 * throw to fail the attempt (retried while attempts remain), throw {@link UnrecoverableJobError}
 * to fail the job at once.
 */
export type JobHandler<
  D extends JsonObject = JsonObject,
  R extends JsonValue | void = JsonValue,
> = (job: JobContext<D>) => Promise<R>;

/** How many finished jobs of one outcome a queue keeps (the older or surplus ones are removed). */
export interface KeepJobs {
  /** Seconds a finished job is kept. */
  readonly ageSeconds: number;
  /** Most finished jobs kept. */
  readonly count: number;
}

/** Options of {@link Transport.process}. */
export interface ProcessOptions {
  /** Maximum jobs this consumer runs at the same time (integer ≥ 1). Default 1. */
  readonly concurrency?: number;
  /** Completed jobs this consumer finishes are kept this long / this many. Default: all, for ever. */
  readonly keepCompleted?: KeepJobs;
  /** Failed jobs this consumer finishes are kept this long / this many. Default: all, for ever. */
  readonly keepFailed?: KeepJobs;
}

/** Options of {@link Consumer.close}. */
export interface CloseOptions {
  /**
   * How long to wait for in-flight handlers after intake stops, in ms. Past it, their signals are
   * aborted and their jobs go back to `waiting` for another consumer (attempts unchanged).
   * Default 30 000.
   */
  readonly timeout?: number;
}

/** A running consumer of one queue. */
export interface Consumer {
  readonly queue: string;
  /** Jobs being handled right now. */
  readonly inFlight: number;
  /** Stops taking jobs, then waits for in-flight handlers up to the deadline. Idempotent. */
  close(options?: CloseOptions): Promise<void>;
}

/** A snapshot of one job. */
export interface JobInfo<D extends JsonObject = JsonObject> {
  readonly id: string;
  readonly queue: string;
  readonly data: D;
  readonly state: JobState;
  /** Finished attempts (failed ones and the successful one). */
  readonly attemptsMade: number;
  /** Total attempts allowed. */
  readonly attempts: number;
  /** Times the job was recovered from a dead consumer (BullMQ stall detection). */
  readonly stalledCount: number;
  /**
   * Times a consumer took the job: failed attempts, runs a handler delayed ({@link DelayJobError},
   * e.g. the node's own retries) and runs lost with a dead consumer.
   */
  readonly started?: number;
  readonly progress: JobProgress;
  readonly priority: number;
  /** Set once completed. */
  readonly returnvalue?: JsonValue;
  /** Set once an attempt failed (the last failure's message). */
  readonly failedReason?: string;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly startedAt?: number;
  readonly finishedAt?: number;
}

/** Number of jobs per state. */
export type JobCounts = Record<JobState, number>;

/** Paging of {@link Transport.listJobs}. Newest first. */
export interface ListOptions {
  /** Default 0. */
  readonly offset?: number;
  /** Default 50. */
  readonly limit?: number;
}

/** Events of one queue, seen from every node (BullMQ: the queue's Redis event stream). */
export type TransportEvent =
  | { readonly type: 'active'; readonly queue: string; readonly jobId: string }
  | {
      readonly type: 'progress';
      readonly queue: string;
      readonly jobId: string;
      readonly progress: JobProgress;
    }
  | {
      readonly type: 'completed';
      readonly queue: string;
      readonly jobId: string;
      readonly returnvalue: JsonValue;
    }
  | {
      readonly type: 'retrying';
      readonly queue: string;
      readonly jobId: string;
      /** Attempts finished so far (the failed one included). */
      readonly attemptsMade: number;
      /** Backoff before the next attempt, ms. */
      readonly delay: number;
      readonly failedReason: string;
    }
  /** Final failure: no attempt left, or an unrecoverable error. */
  | {
      readonly type: 'failed';
      readonly queue: string;
      readonly jobId: string;
      readonly failedReason: string;
    }
  /** A dead consumer's job went back to `waiting` (BullMQ only: see MemoryTransport docs). */
  | { readonly type: 'stalled'; readonly queue: string; readonly jobId: string };

/** The `type`s of {@link TransportEvent}. */
export type TransportEventType = TransportEvent['type'];

/** A listener registration; `unsubscribe` is idempotent. */
export interface Subscription {
  unsubscribe(): Promise<void>;
}

/** State of one connection to the backend. MemoryTransport is always `ready`. */
export type ConnectionState = 'connecting' | 'ready' | 'reconnecting' | 'closed';

/** A connection changed state. `client` names it (`commands`, `worker:<queue>`, `events:<queue>`). */
export interface ConnectionEvent {
  readonly client: string;
  readonly state: ConnectionState;
  /** The last error seen on that connection, if any. */
  readonly error?: string;
}
