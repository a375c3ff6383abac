import { checkRedisDurability, type RedisDurability } from './redis-durability.js';
import { Queue, QueueEvents, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { TransportError, jobFailedError, jobNotFoundError, waitTimeoutError } from '../errors.js';
import {
  assertPayload,
  assertQueueName,
  normalizeConcurrency,
  normalizeEnqueueOptions,
} from '../job-options.js';
import type { RunLedger } from '../pipeline/run-ledger.js';
import type { Transport } from '../transport.js';
import {
  JOB_STATES,
  type ConnectionEvent,
  type ConnectionState,
  type Consumer,
  type EnqueueOptions,
  type JobCounts,
  type JobHandler,
  type JobInfo,
  type JobState,
  type JsonObject,
  type JsonValue,
  type ListOptions,
  type ProcessOptions,
  type Subscription,
  type TransportEvent,
} from '../types.js';
import { BullMQConsumer } from './bullmq-consumer.js';
import {
  redisOptionsFromUrl,
  resolveBullMQOptions,
  type BullMQTransportOptions,
  type ResolvedBullMQOptions,
} from './bullmq-options.js';
import { ConnectionMonitor } from './connection-monitor.js';
import { BULL_TYPES_OF, mapBullState, toJobInfo } from './job-mapping.js';
import { QueueEventsHub } from './queue-events-hub.js';
import { RedisRunLedger } from './redis-run-ledger.js';

/**
 * The distributed {@link Transport}: BullMQ queues on Redis, so any number of nodes (processes,
 * machines) share queues, and a plain BullMQ producer feeds them:
 * `new Queue('dspex-run', { prefix: 'dspex' }).add('run', { program: 'qa', inputs })`.
 *
 * - Stall detection is tuned (see {@link BullMQTransportOptions}): a dead node's job is taken by
 *   another node within about 4 s instead of BullMQ's ~50 s.
 * - Every worker and event reader has its own connection with `maxRetriesPerRequest: null` and a
 *   capped reconnect backoff, so consumers carry on after Redis restarts; {@link onConnection}
 *   reports each client's state (`ready`, `reconnecting`, `closed`).
 * - Events come from each queue's Redis event stream, so a subscriber sees every node's jobs.
 * - Finished jobs are kept (no removeOnComplete), as `getJob`, `retryJob` and id idempotency need.
 *
 * A Redis without persistence loses its queues when it restarts; re-enqueue with the same job ids
 * (idempotent) to resubmit work, and run production Redis with AOF and `noeviction`.
 *
 * @example
 * ```ts
 * const transport = new BullMQTransport({ url: process.env.DSPEX_REDIS_URL });
 * transport.onConnection((e) => logger.info(e, 'redis connection'));
 * const consumer = await transport.process('dspex-run', handler, { concurrency: 8 });
 * process.on('SIGTERM', () => consumer.close({ timeout: 10_000 }).then(() => transport.close()));
 * ```
 */
export class BullMQTransport implements Transport {
  readonly kind = 'bullmq' as const;
  /** The resolved settings (tuned defaults applied). */
  readonly options: ResolvedBullMQOptions;
  readonly #monitor: ConnectionMonitor;
  readonly #client: Redis;
  readonly #queues = new Map<string, Queue>();
  readonly #consumers = new Set<BullMQConsumer>();
  readonly #events: QueueEventsHub;
  readonly #ledger: RedisRunLedger;
  #workerSeq = 0;
  #closed = false;

  constructor(options: BullMQTransportOptions = {}) {
    this.options = resolveBullMQOptions(options);
    const base = { ...redisOptionsFromUrl(this.options.url), ...this.options.redis };
    this.#monitor = new ConnectionMonitor(base, this.options.reconnectMaxDelay);
    this.#client = this.#monitor.createClient('commands', { blocking: false });
    this.#events = new QueueEventsHub((queue) => this.#createQueueEvents(queue, base));
    this.#ledger = new RedisRunLedger(
      this.#client,
      this.options.prefix,
      this.options.runTtlSeconds,
    );
  }

  async #createQueueEvents(queue: string, base: object): Promise<QueueEvents> {
    const reconnectMaxDelay = this.options.reconnectMaxDelay;
    const [last] = await this.#client.xrevrange(
      this.#queue(queue).toKey('events'),
      '+',
      '-',
      'COUNT',
      1,
    );
    return new QueueEvents(queue, {
      prefix: this.options.prefix,
      lastEventId: last?.[0] ?? '0-0',
      connection: {
        ...base,
        maxRetriesPerRequest: null,
        retryStrategy: (times: number) => Math.min(times * 100, reconnectMaxDelay),
      },
    });
  }

  #assertOpen(): void {
    if (this.#closed) throw new TransportError('closed', 'the transport is closed');
  }

  #queue(name: string): Queue {
    assertQueueName(name);
    let queue = this.#queues.get(name);
    if (queue === undefined) {
      queue = new Queue(name, { connection: this.#client, prefix: this.options.prefix });
      queue.on('error', () => undefined); // reported by the ConnectionMonitor
      this.#queues.set(name, queue);
    }
    return queue;
  }

  /** Whether queued jobs survive a Redis restart and eviction ({@link checkRedisDurability}). */
  durability(): Promise<RedisDurability> {
    return checkRedisDurability(this.#client);
  }

  async enqueue(queue: string, data: JsonObject, options?: EnqueueOptions): Promise<string> {
    this.#assertOpen();
    assertPayload(data);
    const o = normalizeEnqueueOptions(options);
    const job = await this.#queue(queue).add(queue, data, {
      attempts: o.attempts,
      ...(o.jobId === undefined ? {} : { jobId: o.jobId }),
      ...(o.backoff === undefined
        ? {}
        : { backoff: { type: o.backoff.type, delay: o.backoff.delay } }),
      ...(o.priority > 0 ? { priority: o.priority } : {}),
      ...(o.delay > 0 ? { delay: o.delay } : {}),
    });
    return job.id ?? o.jobId ?? '';
  }

  async process<D extends JsonObject = JsonObject>(
    queue: string,
    handler: JobHandler<D, JsonValue | void>,
    options?: ProcessOptions,
  ): Promise<Consumer> {
    this.#assertOpen();
    assertQueueName(queue);
    const concurrency = normalizeConcurrency(options);
    const clientName = `worker:${queue}#${++this.#workerSeq}`;
    const consumer = new BullMQConsumer(
      queue,
      handler as JobHandler<JsonObject, JsonValue | void>,
      concurrency,
      {
        options: this.options,
        client: this.#monitor.createClient(clientName, { blocking: true }),
        publishRetrying: (jobId, attemptsMade, delay, failedReason) =>
          void this.#client
            .xadd(
              this.#queue(queue).toKey('events'),
              'MAXLEN',
              '~',
              '10000',
              '*',
              'event',
              'retrying',
              'jobId',
              jobId,
              'attemptsMade',
              String(attemptsMade),
              'delay',
              String(delay),
              'failedReason',
              failedReason,
            )
            .catch(() => undefined),
        onClosed: (closed) => {
          this.#consumers.delete(closed);
          this.#monitor.forget(clientName);
        },
      },
      {
        ...(options?.keepCompleted === undefined ? {} : { keepCompleted: options.keepCompleted }),
        ...(options?.keepFailed === undefined ? {} : { keepFailed: options.keepFailed }),
      },
    );
    this.#consumers.add(consumer);
    await consumer.worker.waitUntilReady();
    return consumer;
  }

  async #findJob(queue: string, id: string): Promise<{ job: Job; state: JobState } | undefined> {
    // State first: a finished job's hash no longer changes, so reading it after the state can
    // not pair "completed" with the fields of its active days (no returnvalue yet).
    const q = this.#queue(queue);
    const state = mapBullState(await q.getJobState(id));
    if (state === undefined) return undefined;
    const job = await q.getJob(id);
    return job === undefined || job === null ? undefined : { job, state };
  }

  async getJob(queue: string, id: string): Promise<JobInfo | undefined> {
    const found = await this.#findJob(queue, id);
    return found === undefined ? undefined : toJobInfo(found.job, queue, found.state);
  }

  async waitForResult(queue: string, id: string, timeoutMs: number): Promise<JsonValue> {
    this.#assertOpen();
    return new Promise<JsonValue>((resolve, reject) => {
      let done = false;
      let subscription: Subscription | undefined;
      const finish = (error: TransportError | undefined, value?: JsonValue): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearInterval(poll);
        void subscription?.unsubscribe();
        if (error === undefined) resolve(value ?? null);
        else reject(error);
      };
      const timer = setTimeout(() => finish(waitTimeoutError(queue, id, timeoutMs)), timeoutMs);
      // Events make the wait prompt; this slow re-read covers events trimmed from the stream. Read
      // errors (Redis away) are not fatal here: the next read or the deadline settles the wait.
      const poll = setInterval(() => void check().catch(() => undefined), 1000);
      // Check the stored state after the listener is live, so a finish in between is not missed.
      const check = async (): Promise<void> => {
        const found = await this.#findJob(queue, id);
        if (found === undefined) finish(jobNotFoundError(queue, id));
        else if (found.state === 'completed')
          finish(undefined, (found.job.returnvalue ?? null) as JsonValue);
        else if (found.state === 'failed')
          finish(jobFailedError(queue, id, found.job.failedReason));
      };
      const onError = (error: unknown): void =>
        finish(
          error instanceof TransportError
            ? error
            : new TransportError('connection', `cannot read job ${id}: ${String(error)}`, {
                cause: error,
                retryable: true,
              }),
        );
      this.#events
        .subscribe(queue, (event) => {
          if (event.jobId === id && (event.type === 'completed' || event.type === 'failed'))
            check().catch(() => undefined);
        })
        .then((s) => {
          subscription = s;
          if (done) void s.unsubscribe();
          else return check();
          return undefined;
        })
        .catch(onError);
    });
  }

  async getCounts(queue: string): Promise<JobCounts> {
    const raw = await this.#queue(queue).getJobCounts(
      ...new Set(JOB_STATES.flatMap((s) => BULL_TYPES_OF[s])),
    );
    const counts = {} as JobCounts;
    for (const state of JOB_STATES) {
      counts[state] = BULL_TYPES_OF[state].reduce((sum, type) => sum + (raw[type] ?? 0), 0);
    }
    return counts;
  }

  async listJobs(queue: string, state: JobState, options: ListOptions = {}): Promise<JobInfo[]> {
    const offset = options.offset ?? 0;
    const limit = options.limit ?? 50;
    const types = BULL_TYPES_OF[state];
    // BullMQ pages each type separately; fetch enough of each, merge newest first, then page.
    const jobs = await this.#queue(queue).getJobs([...types], 0, offset + limit - 1, false);
    return jobs
      .filter((job): job is Job => job !== undefined && job !== null)
      .sort((a, b) => b.timestamp - a.timestamp)
      .slice(offset, offset + limit)
      .map((job) => toJobInfo(job, queue, state));
  }

  async retryJob(queue: string, id: string): Promise<void> {
    this.#assertOpen();
    const found = await this.#findJob(queue, id);
    if (found === undefined) throw jobNotFoundError(queue, id);
    if (found.state !== 'failed') {
      throw new TransportError(
        'invalid_state',
        `job ${id} is ${found.state}, only failed jobs can be retried`,
        {
          details: { queue, jobId: id, state: found.state },
        },
      );
    }
    await found.job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
  }

  subscribe(queue: string, listener: (event: TransportEvent) => void): Promise<Subscription> {
    this.#assertOpen();
    assertQueueName(queue);
    return this.#events.subscribe(queue, listener);
  }

  onConnection(listener: (event: ConnectionEvent) => void): () => void {
    return this.#monitor.on(listener);
  }

  /** Current state of each Redis client (`commands`, `worker:<queue>#n`). */
  connectionStates(): ReadonlyMap<string, ConnectionState> {
    return this.#monitor.states();
  }

  runLedger(): RunLedger {
    return this.#ledger;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#consumers].map((consumer) => consumer.close()));
    await this.#events.close();
    await Promise.all([...this.#queues.values()].map((queue) => queue.close()));
    await this.#client.quit().catch(() => this.#client.disconnect());
  }
}
