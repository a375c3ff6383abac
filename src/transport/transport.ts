import type { RunLedger } from './pipeline/run-ledger.js';
import type {
  ConnectionEvent,
  Consumer,
  EnqueueOptions,
  JobCounts,
  JobHandler,
  JobInfo,
  JobState,
  JsonObject,
  JsonValue,
  ListOptions,
  ProcessOptions,
  Subscription,
  TransportEvent,
} from './types.js';

/**
 * One job-queue interface for the runtime, with two implementations: {@link BullMQTransport}
 * (Redis, many nodes) and {@link MemoryTransport} (one process, the embedded default). Both pass
 * the same conformance suite, so code written against `Transport` behaves the same in both.
 *
 * Semantics shared by both implementations:
 * - **Named queues**, used verbatim (`dspex-run`), created on first use.
 * - **At-least-once delivery.** A job runs once in normal operation; a job whose consumer dies
 *   (BullMQ) or is closed past its deadline (both) runs again, so handlers must be idempotent.
 * - **Idempotent enqueue by `jobId`**: a duplicate id is not enqueued twice.
 * - **Lifecycle** waiting/delayed → active → completed | failed, `attempts` with fixed or
 *   exponential `backoff`, {@link UnrecoverableJobError} fails at once.
 * - **Finished jobs are kept** (for `getJob`, `listJobs`, `retryJob` and id idempotency).
 * - Payloads and results are JSON; the transport never looks inside them.
 *
 * @example
 * ```ts
 * const transport = new MemoryTransport(); // or new BullMQTransport({ url: 'redis://localhost:6379' })
 * const consumer = await transport.process('dspex-run', async (job) => ({ echo: job.data }), { concurrency: 4 });
 * const id = await transport.enqueue('dspex-run', { program: 'qa', inputs: {} }, { attempts: 3, backoff: { type: 'exponential', delay: 1000 } });
 * const result = await transport.waitForResult('dspex-run', id, 10_000);
 * await consumer.close({ timeout: 5000 });
 * await transport.close();
 * ```
 */
export interface Transport {
  /** Which implementation this is. */
  readonly kind: 'memory' | 'bullmq';

  /** Adds a job; resolves with its id (the existing id when `jobId` is a duplicate). */
  enqueue(queue: string, data: JsonObject, options?: EnqueueOptions): Promise<string>;

  /** Starts a consumer of `queue`; resolves once it is ready to take jobs. */
  process<D extends JsonObject = JsonObject>(
    queue: string,
    handler: JobHandler<D, JsonValue | void>,
    options?: ProcessOptions,
  ): Promise<Consumer>;

  /** A snapshot of the job, or `undefined` when there is none with that id. */
  getJob(queue: string, id: string): Promise<JobInfo | undefined>;

  /**
   * Resolves with the job's return value once it completes (at once if it already has). Rejects
   * with `TransportError` `job_failed` when it fails for good, `job_not_found`, or `timeout`.
   */
  waitForResult(queue: string, id: string, timeoutMs: number): Promise<JsonValue>;

  /** Number of jobs in each state. */
  getCounts(queue: string): Promise<JobCounts>;

  /** Jobs in a state, newest first (for `dspex jobs list`). */
  listJobs(queue: string, state: JobState, options?: ListOptions): Promise<JobInfo[]>;

  /**
   * Moves a failed job back to `waiting` with a fresh attempt budget (`attemptsMade` 0).
   * Rejects with `job_not_found` or `invalid_state` (not failed).
   */
  retryJob(queue: string, id: string): Promise<void>;

  /** Listens to a queue's events from every node; resolves once the listener is live. */
  subscribe(queue: string, listener: (event: TransportEvent) => void): Promise<Subscription>;

  /** Listens to connection state changes (reconnects). Returns the unsubscribe function. */
  onConnection(listener: (event: ConnectionEvent) => void): () => void;

  /** Atomic bookkeeping for pipeline runs, stored next to the queues. */
  runLedger(): RunLedger;

  /** Closes every consumer (with their default deadline), subscription and connection. */
  close(): Promise<void>;
}
