import { DelayedError, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { DelayJobError, failureReason, isUnrecoverable } from '../errors.js';
import { DEFAULT_CLOSE_TIMEOUT_MS, assertProgress, backoffDelay } from '../job-options.js';
import type {
  BackoffOptions,
  CloseOptions,
  Consumer,
  JobContext,
  JobHandler,
  JobProgress,
  JsonObject,
  JsonValue,
  ProcessOptions,
} from '../types.js';
import type { ResolvedBullMQOptions } from './bullmq-options.js';

interface Attempt {
  readonly controller: AbortController;
  /** Gives up on this attempt (close deadline): its run ends at once, its late result is dropped. */
  abandon(): void;
}

/** How a handler ended. */
type Outcome = { ok: true; value: JsonValue | void } | { ok: false; error: unknown };

const ABANDONED = Symbol('abandoned');

/** What the consumer needs from its transport. */
export interface BullMQConsumerDeps {
  readonly options: ResolvedBullMQOptions;
  /** A dedicated client for this worker (`maxRetriesPerRequest: null`), closed with the consumer. */
  readonly client: Redis;
  /** Publishes the `retrying` event to the queue's event stream (BullMQ has no such event). */
  readonly publishRetrying: (
    jobId: string,
    attemptsMade: number,
    delay: number,
    failedReason: string,
  ) => void;
  readonly onClosed: (consumer: BullMQConsumer) => void;
}

/**
 * A BullMQ `Worker` running a transport handler: maps {@link UnrecoverableJobError} to BullMQ's
 * `UnrecoverableError`, publishes `retrying`, and adds the close deadline BullMQ lacks
 * (`worker.close()` waits for ever): past it, attempts are aborted and handed back to `wait` at
 * once (not left to stall detection), and a late result is dropped.
 */
export class BullMQConsumer implements Consumer {
  readonly worker: Worker;
  readonly #attempts = new Set<Attempt>();
  /** Failures whose job BullMQ is about to retry, keyed by job id, read by the 'failed' listener. */
  readonly #retrying = new Map<string, string>();
  #closing: Promise<void> | undefined;

  constructor(
    readonly queue: string,
    handler: JobHandler<JsonObject, JsonValue | void>,
    concurrency: number,
    private readonly deps: BullMQConsumerDeps,
    retention: Pick<ProcessOptions, 'keepCompleted' | 'keepFailed'> = {},
  ) {
    const { options } = deps;
    this.worker = new Worker(queue, (job, token) => this.#run(handler, job, token), {
      connection: deps.client,
      prefix: options.prefix,
      concurrency,
      lockDuration: options.lockDuration,
      stalledInterval: options.stalledInterval,
      maxStalledCount: options.maxStalledCount,
      ...(retention.keepCompleted === undefined
        ? {}
        : {
            removeOnComplete: {
              age: retention.keepCompleted.ageSeconds,
              count: retention.keepCompleted.count,
            },
          }),
      ...(retention.keepFailed === undefined
        ? {}
        : {
            removeOnFail: {
              age: retention.keepFailed.ageSeconds,
              count: retention.keepFailed.count,
            },
          }),
      autorun: true,
    });
    // Worker 'failed' fires after BullMQ moved the job, so `retrying` never precedes the state.
    this.worker.on('failed', (job) => {
      if (job?.id === undefined) return;
      const reason = this.#retrying.get(job.id);
      if (reason === undefined) return;
      this.#retrying.delete(job.id);
      // Recomputed rather than read from job.delay, which still holds an enqueue-time delay when
      // the retry is immediate.
      const delay = backoffDelay(toBackoff(job.opts.backoff), job.attemptsMade);
      deps.publishRetrying(job.id, job.attemptsMade, delay, reason);
    });
    // Connection errors are reported by the ConnectionMonitor; without a listener they would throw.
    this.worker.on('error', () => undefined);
  }

  get inFlight(): number {
    return this.#attempts.size;
  }

  #run(
    handler: JobHandler<JsonObject, JsonValue | void>,
    job: Job,
    token: string | undefined,
  ): Promise<unknown> {
    // The processor's own promise settles the attempt: with the handler's outcome, or when the
    // close deadline gives up on it (`abandon`), whichever comes first (no async frame, no race of
    // two promises per job).
    return new Promise((resolve, reject) => {
      let concluded = false;
      const end = (ok: boolean, value: unknown): void => {
        this.#attempts.delete(attempt);
        if (ok) resolve(value);
        else reject(value);
      };
      const conclude = (outcome: Outcome | typeof ABANDONED): void => {
        if (concluded) return;
        concluded = true;
        let out: unknown;
        try {
          out = this.#conclude(job, token, outcome);
        } catch (error) {
          end(false, error);
          return;
        }
        if (out instanceof Promise)
          out.then(
            (value) => end(true, value),
            (error: unknown) => end(false, error),
          );
        else end(true, out);
      };
      const attempt: Attempt = {
        controller: new AbortController(),
        abandon: () => conclude(ABANDONED),
      };
      const context: JobContext = {
        id: job.id ?? '',
        queue: this.queue,
        data: job.data as JsonObject,
        attempt: job.attemptsMade + 1,
        attempts: job.opts.attempts ?? 1,
        createdAt: job.timestamp,
        started: Math.max(1, job.attemptsStarted),
        stalls: job.stalledCounter,
        backoff: toBackoff(job.opts.backoff),
        signal: attempt.controller.signal,
        updateProgress: async (progress: JobProgress) => {
          assertProgress(progress);
          await job.updateProgress(progress);
        },
      };
      this.#retrying.delete(job.id ?? ''); // a failure whose 'failed' event never came (lock lost)
      this.#attempts.add(attempt);
      let running: Promise<JsonValue | void>;
      try {
        running = handler(context);
      } catch (error) {
        running = Promise.reject(error);
      }
      running.then(
        (value) => conclude({ ok: true, value }),
        (error: unknown) => conclude({ ok: false, error }),
      );
    });
  }

  /**
   * What the processor returns (or throws) for an attempt's outcome: at once, but for an
   * abandoned or delayed job, which is moved first.
   */
  #conclude(job: Job, token: string | undefined, outcome: Outcome | typeof ABANDONED): unknown {
    if (outcome === ABANDONED) return this.#handBack(job, token);
    if (outcome.ok) return outcome.value === undefined ? null : outcome.value;
    if (outcome.error instanceof DelayJobError && token !== undefined)
      return this.#delay(job, token, outcome.error);
    const reason = failureReason(outcome.error);
    if (isUnrecoverable(outcome.error)) throw new UnrecoverableError(reason);
    if (job.attemptsMade + 1 < (job.opts.attempts ?? 1)) this.#retrying.set(job.id ?? '', reason);
    throw outcome.error instanceof Error ? outcome.error : new Error(reason);
  }

  /** An abandoned attempt: its job back to `wait`. */
  async #handBack(job: Job, token: string | undefined): Promise<never> {
    if (token !== undefined) await job.moveToWait(token).catch(() => undefined);
    // WaitingError tells the worker the job was moved already: record no result, no failure.
    throw new WaitingError();
  }

  /** Back to `delayed` without using an attempt; DelayedError tells the worker it moved. */
  async #delay(job: Job, token: string, error: DelayJobError): Promise<never> {
    const delay = Math.max(0, error.delayMs);
    await job.moveToDelayed(Date.now() + delay, token);
    this.deps.publishRetrying(job.id ?? '', job.attemptsMade, delay, error.message);
    throw new DelayedError();
  }

  close(options: CloseOptions = {}): Promise<void> {
    this.#closing ??= this.#close(options.timeout ?? DEFAULT_CLOSE_TIMEOUT_MS);
    return this.#closing;
  }

  async #close(timeoutMs: number): Promise<void> {
    // worker.close() stops intake at once and resolves when every processor has returned.
    const closed = this.worker.close();
    const timer = setTimeout(() => {
      for (const attempt of this.#attempts) {
        attempt.controller.abort(new Error('consumer closed before the job finished'));
        attempt.abandon();
      }
    }, timeoutMs);
    try {
      await closed;
    } finally {
      clearTimeout(timer);
      await this.deps.client.quit().catch(() => this.deps.client.disconnect());
      this.deps.onClosed(this);
    }
  }
}

/** BullMQ's stored backoff (a number or `{ type, delay }`) as the transport's. */
function toBackoff(backoff: unknown): BackoffOptions | undefined {
  if (typeof backoff === 'number') return { type: 'fixed', delay: backoff };
  if (typeof backoff !== 'object' || backoff === null) return undefined;
  const { type, delay } = backoff as { type?: unknown; delay?: unknown };
  if ((type === 'fixed' || type === 'exponential') && typeof delay === 'number')
    return { type, delay };
  return undefined;
}
