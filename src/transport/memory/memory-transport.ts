import { systemClock, type TimerClock as TransportClock } from '../../time/index.js';
import { TransportError, jobFailedError, jobNotFoundError, waitTimeoutError } from '../errors.js';
import {
  assertPayload,
  assertQueueName,
  normalizeConcurrency,
  normalizeEnqueueOptions,
} from '../job-options.js';
import type { RunLedger } from '../pipeline/run-ledger.js';
import type { Transport } from '../transport.js';
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
} from '../types.js';
import { MemoryConsumer } from './memory-consumer.js';
import { MemoryQueue } from './memory-queue.js';
import { MemoryRunLedger } from './memory-run-ledger.js';

/** Options of {@link MemoryTransport}. */
export interface MemoryTransportOptions {
  /** Time source for delays, backoff and deadlines. Default: the system clock. */
  readonly clock?: TransportClock;
}

/**
 * The embedded transport: every queue lives in this process, with the same semantics as
 * {@link BullMQTransport} (same conformance suite): attempts and backoff, unrecoverable errors,
 * idempotent job ids, events, graceful close with a deadline, kept finished jobs.
 *
 * Stalls: a BullMQ job is re-delivered only when its node stops renewing the job's lock (process
 * dead or event loop blocked); a handler that is merely slow keeps its lock. In one process there
 * is no dead node, so MemoryTransport never re-delivers a running handler and never emits
 * `stalled`. The one re-delivery it shares with BullMQ is a consumer closed past its deadline: the
 * attempt is aborted (its `signal`), the job goes back to the head of the queue with attempts
 * unchanged, and a late result is ignored.
 *
 * @example
 * ```ts
 * const transport = new MemoryTransport();
 * await transport.process('dspex-run', async (job) => ({ ok: true }));
 * const id = await transport.enqueue('dspex-run', { program: 'qa', inputs: {} });
 * await transport.waitForResult('dspex-run', id, 1000); // { ok: true }
 * ```
 */
export class MemoryTransport implements Transport {
  readonly kind = 'memory' as const;
  readonly #clock: TransportClock;
  readonly #queues = new Map<string, MemoryQueue>();
  readonly #listeners = new Map<string, Set<(event: TransportEvent) => void>>();
  readonly #consumers = new Set<MemoryConsumer>();
  readonly #abortWaits = new Set<(error: TransportError) => void>();
  readonly #ledger = new MemoryRunLedger();
  #closed = false;

  constructor(options: MemoryTransportOptions = {}) {
    this.#clock = options.clock ?? systemClock;
  }

  #assertOpen(): void {
    if (this.#closed) throw new TransportError('closed', 'the transport is closed');
  }

  #queue(name: string): MemoryQueue {
    assertQueueName(name);
    let queue = this.#queues.get(name);
    if (queue === undefined) {
      queue = new MemoryQueue(name, this.#clock, (event) => this.#emit(event));
      this.#queues.set(name, queue);
    }
    return queue;
  }

  #emit(event: TransportEvent): void {
    for (const listener of this.#listeners.get(event.queue) ?? []) {
      try {
        listener(event);
      } catch {
        // A throwing listener must not corrupt the queue's transition that emitted the event.
      }
    }
  }

  async enqueue(queue: string, data: JsonObject, options?: EnqueueOptions): Promise<string> {
    this.#assertOpen();
    assertPayload(data);
    const normalized = normalizeEnqueueOptions(options);
    return this.#queue(queue).add(data, normalized);
  }

  async process<D extends JsonObject = JsonObject>(
    queue: string,
    handler: JobHandler<D, JsonValue | void>,
    options?: ProcessOptions,
  ): Promise<Consumer> {
    this.#assertOpen();
    const concurrency = normalizeConcurrency(options);
    const consumer = new MemoryConsumer(
      this.#queue(queue),
      handler as JobHandler<JsonObject, JsonValue | void>,
      concurrency,
      this.#clock,
      (closed) => this.#consumers.delete(closed),
      {
        ...(options?.keepCompleted === undefined ? {} : { keepCompleted: options.keepCompleted }),
        ...(options?.keepFailed === undefined ? {} : { keepFailed: options.keepFailed }),
      },
    );
    this.#consumers.add(consumer);
    return consumer;
  }

  async getJob(queue: string, id: string): Promise<JobInfo | undefined> {
    const q = this.#queue(queue);
    const job = q.jobs.get(id);
    return job === undefined ? undefined : q.info(job);
  }

  async waitForResult(queue: string, id: string, timeoutMs: number): Promise<JsonValue> {
    this.#assertOpen();
    const q = this.#queue(queue);
    return new Promise<JsonValue>((resolve, reject) => {
      let timer: unknown = undefined;
      const settle = (): boolean => {
        const job = q.jobs.get(id);
        if (job === undefined) {
          finish(jobNotFoundError(queue, id));
          return true;
        }
        const info = q.info(job);
        if (info.state === 'completed') finish(undefined, info.returnvalue ?? null);
        else if (info.state === 'failed') finish(jobFailedError(queue, id, info.failedReason));
        else return false;
        return true;
      };
      const listeners = this.#listenersOf(queue);
      const onEvent = (event: TransportEvent): void => {
        if (event.jobId === id && (event.type === 'completed' || event.type === 'failed')) settle();
      };
      const abort = (error: TransportError): void => finish(error);
      const finish = (error: TransportError | undefined, value?: JsonValue): void => {
        listeners.delete(onEvent);
        this.#abortWaits.delete(abort);
        if (timer !== undefined) this.#clock.clearTimeout(timer);
        if (error === undefined) resolve(value ?? null);
        else reject(error);
      };
      if (settle()) return;
      listeners.add(onEvent);
      this.#abortWaits.add(abort);
      timer = this.#clock.setTimeout(
        () => finish(waitTimeoutError(queue, id, timeoutMs)),
        timeoutMs,
      );
    });
  }

  #listenersOf(queue: string): Set<(event: TransportEvent) => void> {
    let set = this.#listeners.get(queue);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(queue, set);
    }
    return set;
  }

  async getCounts(queue: string): Promise<JobCounts> {
    return this.#queue(queue).counts();
  }

  async listJobs(queue: string, state: JobState, options: ListOptions = {}): Promise<JobInfo[]> {
    return this.#queue(queue).list(state, options.offset ?? 0, options.limit ?? 50);
  }

  async retryJob(queue: string, id: string): Promise<void> {
    this.#assertOpen();
    this.#queue(queue).retry(id);
  }

  async subscribe(queue: string, listener: (event: TransportEvent) => void): Promise<Subscription> {
    assertQueueName(queue);
    const wrapped = (event: TransportEvent): void => listener(event);
    const listeners = this.#listenersOf(queue);
    listeners.add(wrapped);
    return { unsubscribe: async () => void listeners.delete(wrapped) };
  }

  /** MemoryTransport has no connection: it is always `ready` and never reports a change. */
  onConnection(_listener: (event: ConnectionEvent) => void): () => void {
    return () => undefined;
  }

  runLedger(): RunLedger {
    return this.#ledger;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#consumers].map((consumer) => consumer.close()));
    for (const queue of this.#queues.values()) queue.stopTimers();
    const closed = new TransportError('closed', 'the transport was closed while waiting');
    for (const abort of [...this.#abortWaits]) abort(closed);
  }
}
