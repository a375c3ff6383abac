import { afterEach, describe, expect, it } from 'vitest';
import {
  TransportError,
  UnrecoverableJobError,
  type JsonObject,
  type Transport,
  type TransportEvent,
} from '../../src/transport/index.js';
import { deferred, eventually } from './async-helpers.js';

/** How a conformance run gets fresh, isolated transports (own prefix or instance per call). */
export interface TransportFactory {
  /** A new transport; the suite closes it after the test. */
  create(): Transport | Promise<Transport>;
}

/** Collects a queue's events into an array. */
export async function recordEvents(transport: Transport, queue: string): Promise<TransportEvent[]> {
  const events: TransportEvent[] = [];
  await transport.subscribe(queue, (event) => events.push(event));
  return events;
}

function eventsOf(
  events: readonly TransportEvent[],
  jobId: string,
  ...types: TransportEvent['type'][]
): TransportEvent[] {
  return events.filter((e) => e.jobId === jobId && types.includes(e.type));
}

async function rejection(promise: Promise<unknown>): Promise<TransportError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TransportError);
    return error as TransportError;
  }
  throw new Error('expected a rejection');
}

/**
 * The one behaviour suite every {@link Transport} implementation must pass. Timing-sensitive
 * cases use short real delays (tens of ms) so the same test runs against Redis.
 */
export function describeTransportConformance(name: string, factory: TransportFactory): void {
  describe(`Transport conformance: ${name}`, () => {
    const open: Transport[] = [];
    let queueSeq = 0;
    const queueName = (): string => `conf-${++queueSeq}`;
    const create = async (): Promise<Transport> => {
      const transport = await factory.create();
      open.push(transport);
      return transport;
    };

    afterEach(async () => {
      await Promise.all(open.splice(0).map((t) => t.close()));
    });

    describe('delivery and results', () => {
      it('runs_an_enqueued_job_and_records_its_return_value', async () => {
        const t = await create();
        const q = queueName();
        await t.process(q, async (job) => ({ doubled: (job.data.n as number) * 2 }));
        const id = await t.enqueue(q, { n: 21 });
        expect(await t.waitForResult(q, id, 5000)).toEqual({ doubled: 42 });
        const job = await t.getJob(q, id);
        expect(job).toMatchObject({
          id,
          queue: q,
          state: 'completed',
          attemptsMade: 1,
          attempts: 1,
          returnvalue: { doubled: 42 },
        });
        expect(job?.data).toEqual({ n: 21 });
        expect(job?.finishedAt).toBeGreaterThanOrEqual(job?.createdAt ?? Infinity);
      });

      it('stores_undefined_return_values_as_null', async () => {
        const t = await create();
        const q = queueName();
        await t.process(q, async () => undefined);
        const id = await t.enqueue(q, {});
        expect(await t.waitForResult(q, id, 5000)).toBeNull();
      });

      it('resolves_wait_for_result_of_an_already_completed_job_at_once', async () => {
        const t = await create();
        const q = queueName();
        await t.process(q, async () => 'done');
        const id = await t.enqueue(q, {});
        await t.waitForResult(q, id, 5000);
        expect(await t.waitForResult(q, id, 5000)).toBe('done');
      });

      it('enqueues_a_duplicate_job_id_only_once', async () => {
        const t = await create();
        const q = queueName();
        let calls = 0;
        await t.process(q, async () => ++calls);
        const first = await t.enqueue(q, { v: 1 }, { jobId: 'order-7' });
        const second = await t.enqueue(q, { v: 2 }, { jobId: 'order-7' });
        expect([first, second]).toEqual(['order-7', 'order-7']);
        await t.waitForResult(q, 'order-7', 5000);
        expect(await t.enqueue(q, { v: 3 }, { jobId: 'order-7' })).toBe('order-7');
        await t.enqueue(q, {}, { jobId: 'barrier' });
        await t.waitForResult(q, 'barrier', 5000);
        expect(calls).toBe(2);
        expect((await t.getJob(q, 'order-7'))?.data).toEqual({ v: 1 });
      });

      it('generates_distinct_ids_without_a_job_id', async () => {
        const t = await create();
        const q = queueName();
        const ids = await Promise.all([t.enqueue(q, {}), t.enqueue(q, {}), t.enqueue(q, {})]);
        expect(new Set(ids).size).toBe(3);
      });

      it('shares_a_queue_between_two_consumers_running_each_job_once', async () => {
        const t = await create();
        const q = queueName();
        const seen: string[] = [];
        await t.process(q, async (job) => void seen.push(job.id), { concurrency: 2 });
        await t.process(q, async (job) => void seen.push(job.id), { concurrency: 2 });
        const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => t.enqueue(q, { i })));
        await Promise.all(ids.map((id) => t.waitForResult(q, id, 5000)));
        expect([...seen].sort()).toEqual([...ids].sort());
      });
    });

    describe('validation', () => {
      it.each([
        ['an integer string', '42'],
        ['a colon', 'run:a'],
        ['an empty string', ''],
      ])('rejects_a_job_id_that_is_%s', async (_label, jobId) => {
        const t = await create();
        const error = await rejection(t.enqueue(queueName(), {}, { jobId }));
        expect(error.code).toBe('invalid_job_id');
      });

      it('rejects_a_payload_that_is_not_a_json_object', async () => {
        const t = await create();
        const error = await rejection(t.enqueue(queueName(), [1, 2] as unknown as JsonObject));
        expect(error.code).toBe('invalid_payload');
      });

      it.each([
        [{ attempts: 0 }],
        [{ attempts: 1.5 }],
        [{ backoff: { type: 'linear' as 'fixed', delay: 10 } }],
        [{ backoff: -1 }],
        [{ priority: -2 }],
        [{ delay: -5 }],
      ])('rejects_invalid_options_%j', async (options) => {
        const t = await create();
        const error = await rejection(t.enqueue(queueName(), {}, options));
        expect(error.code).toBe('invalid_options');
      });

      it('rejects_a_concurrency_below_one', async () => {
        const t = await create();
        const error = await rejection(t.process(queueName(), async () => null, { concurrency: 0 }));
        expect(error.code).toBe('invalid_options');
      });
    });

    describe('attempts, backoff and failures', () => {
      it('retries_a_failing_job_until_attempts_are_used_then_fails_it', async () => {
        const t = await create();
        const q = queueName();
        const events = await recordEvents(t, q);
        const attemptsSeen: number[] = [];
        await t.process(q, async (job) => {
          attemptsSeen.push(job.attempt);
          throw new Error(`boom ${job.attempt}`);
        });
        const id = await t.enqueue(q, {}, { attempts: 3 });
        const error = await rejection(t.waitForResult(q, id, 5000));
        expect(error.code).toBe('job_failed');
        expect(error.details.failedReason).toBe('boom 3');
        expect(attemptsSeen).toEqual([1, 2, 3]);
        expect(await t.getJob(q, id)).toMatchObject({
          state: 'failed',
          attemptsMade: 3,
          failedReason: 'boom 3',
        });
        await eventually(() => eventsOf(events, id, 'failed').length === 1, 2000, 'failed event');
        expect(
          eventsOf(events, id, 'retrying').map((e) =>
            e.type === 'retrying' ? e.attemptsMade : -1,
          ),
        ).toEqual([1, 2]);
        expect(eventsOf(events, id, 'failed')[0]).toMatchObject({ failedReason: 'boom 3' });
      });

      it('completes_a_job_that_succeeds_on_a_retry', async () => {
        const t = await create();
        const q = queueName();
        await t.process(q, async (job) => {
          if (job.attempt === 1) throw new Error('transient');
          return { attempt: job.attempt, attempts: job.attempts };
        });
        const id = await t.enqueue(q, {}, { attempts: 3 });
        expect(await t.waitForResult(q, id, 5000)).toEqual({ attempt: 2, attempts: 3 });
        expect(await t.getJob(q, id)).toMatchObject({ state: 'completed', attemptsMade: 2 });
      });

      it('fails_at_once_on_an_unrecoverable_error_whatever_the_attempts', async () => {
        const t = await create();
        const q = queueName();
        const events = await recordEvents(t, q);
        let calls = 0;
        await t.process(q, async () => {
          calls++;
          throw new UnrecoverableJobError('program "nope" does not exist');
        });
        const id = await t.enqueue(q, {}, { attempts: 5, backoff: 10 });
        const error = await rejection(t.waitForResult(q, id, 5000));
        expect(error.details.failedReason).toBe('program "nope" does not exist');
        expect(calls).toBe(1);
        expect(await t.getJob(q, id)).toMatchObject({ state: 'failed', attemptsMade: 1 });
        await eventually(() => eventsOf(events, id, 'failed').length === 1, 2000, 'failed event');
        expect(eventsOf(events, id, 'retrying')).toEqual([]);
      });

      it('waits_the_exponential_backoff_between_attempts', async () => {
        const t = await create();
        const q = queueName();
        const events = await recordEvents(t, q);
        const startedAt: number[] = [];
        await t.process(q, async () => {
          startedAt.push(Date.now());
          throw new Error('again');
        });
        const id = await t.enqueue(
          q,
          {},
          { attempts: 3, backoff: { type: 'exponential', delay: 60 } },
        );
        await rejection(t.waitForResult(q, id, 5000));
        await eventually(
          () => eventsOf(events, id, 'retrying').length === 2,
          2000,
          'retrying events',
        );
        expect(
          eventsOf(events, id, 'retrying').map((e) => (e.type === 'retrying' ? e.delay : -1)),
        ).toEqual([60, 120]);
        const [a = 0, b = 0, c = 0] = startedAt;
        expect(b - a).toBeGreaterThanOrEqual(55);
        expect(c - b).toBeGreaterThanOrEqual(115);
      });

      it('keeps_a_job_delayed_during_a_fixed_backoff', async () => {
        const t = await create();
        const q = queueName();
        const failedOnce = deferred();
        await t.process(q, async (job) => {
          if (job.attempt === 1) {
            failedOnce.resolve();
            throw new Error('first');
          }
          return 'second';
        });
        const id = await t.enqueue(q, {}, { attempts: 2, backoff: 400 });
        await failedOnce.promise;
        await eventually(
          async () => (await t.getJob(q, id))?.state === 'delayed',
          300,
          'delayed state',
        );
        expect(await t.waitForResult(q, id, 5000)).toBe('second');
      });
    });

    describe('scheduling', () => {
      it('holds_a_delayed_job_until_its_delay_elapses', async () => {
        const t = await create();
        const q = queueName();
        await t.process(q, async () => Date.now());
        const before = Date.now();
        const id = await t.enqueue(q, {}, { delay: 150 });
        expect((await t.getJob(q, id))?.state).toBe('delayed');
        const ranAt = (await t.waitForResult(q, id, 5000)) as number;
        expect(ranAt - before).toBeGreaterThanOrEqual(140);
      });

      it('takes_unprioritized_jobs_first_then_by_priority', async () => {
        const t = await create();
        const q = queueName();
        const order: string[] = [];
        await t.enqueue(q, { name: 'p3' }, { priority: 3 });
        await t.enqueue(q, { name: 'p1' }, { priority: 1 });
        await t.enqueue(q, { name: 'none' });
        const last = await t.enqueue(q, { name: 'p2' }, { priority: 2 });
        await t.process(q, async (job) => void order.push(job.data.name as string), {
          concurrency: 1,
        });
        await t.waitForResult(q, last, 5000);
        await eventually(() => order.length === 4, 2000, 'four jobs');
        expect(order).toEqual(['none', 'p1', 'p2', 'p3']);
      });

      it('never_runs_more_handlers_than_the_concurrency', async () => {
        const t = await create();
        const q = queueName();
        let running = 0;
        let peak = 0;
        const release = deferred();
        await t.process(
          q,
          async () => {
            running++;
            peak = Math.max(peak, running);
            await release.promise;
            running--;
          },
          { concurrency: 2 },
        );
        const ids = await Promise.all(Array.from({ length: 5 }, () => t.enqueue(q, {})));
        await eventually(() => running === 2, 2000, 'two handlers running');
        expect((await t.getCounts(q)).active).toBe(2);
        release.resolve();
        await Promise.all(ids.map((id) => t.waitForResult(q, id, 5000)));
        expect(peak).toBe(2);
      });
    });

    describe('progress and events', () => {
      it('records_progress_and_emits_progress_events', async () => {
        const t = await create();
        const q = queueName();
        const events = await recordEvents(t, q);
        await t.process(q, async (job) => {
          await job.updateProgress(50);
          await job.updateProgress({ step: 'done', pct: 100 });
          return null;
        });
        const id = await t.enqueue(q, {});
        await t.waitForResult(q, id, 5000);
        expect((await t.getJob(q, id))?.progress).toEqual({ step: 'done', pct: 100 });
        await eventually(
          () => eventsOf(events, id, 'progress').length === 2,
          2000,
          'progress events',
        );
        expect(
          eventsOf(events, id, 'progress').map((e) => (e.type === 'progress' ? e.progress : null)),
        ).toEqual([50, { step: 'done', pct: 100 }]);
      });

      it('rejects_progress_that_is_not_a_number_or_an_object', async () => {
        const t = await create();
        const q = queueName();
        await t.process(q, async (job) => {
          const error = await rejection(job.updateProgress('half' as unknown as number));
          return error.code;
        });
        const id = await t.enqueue(q, {});
        expect(await t.waitForResult(q, id, 5000)).toBe('invalid_payload');
      });

      it('emits_active_then_completed_with_the_return_value', async () => {
        const t = await create();
        const q = queueName();
        const events = await recordEvents(t, q);
        await t.process(q, async () => ({ ok: true }));
        const id = await t.enqueue(q, {});
        await t.waitForResult(q, id, 5000);
        await eventually(
          () => eventsOf(events, id, 'completed').length === 1,
          2000,
          'completed event',
        );
        expect(eventsOf(events, id, 'active', 'completed')).toEqual([
          { type: 'active', queue: q, jobId: id },
          { type: 'completed', queue: q, jobId: id, returnvalue: { ok: true } },
        ]);
      });

      it('stops_delivering_events_after_unsubscribe', async () => {
        const t = await create();
        const q = queueName();
        const seen: TransportEvent[] = [];
        const subscription = await t.subscribe(q, (event) => seen.push(event));
        const kept = await recordEvents(t, q);
        await subscription.unsubscribe();
        await t.process(q, async () => null);
        const id = await t.enqueue(q, {});
        await t.waitForResult(q, id, 5000);
        await eventually(
          () => eventsOf(kept, id, 'completed').length === 1,
          2000,
          'completed event',
        );
        expect(seen).toEqual([]);
      });
    });

    describe('inspection and retry', () => {
      it('counts_and_lists_jobs_by_state_newest_first', async () => {
        const t = await create();
        const q = queueName();
        await t.process(q, async (job) => {
          if (job.data.fail === true) throw new UnrecoverableJobError('bad input');
          return job.data.i ?? null;
        });
        const a = await t.enqueue(q, { i: 1 }, { jobId: 'job-a' });
        await t.waitForResult(q, a, 5000);
        await new Promise((resolve) => setTimeout(resolve, 5)); // distinct creation times for the ordering
        const b = await t.enqueue(q, { i: 2 }, { jobId: 'job-b' });
        await t.waitForResult(q, b, 5000);
        const c = await t.enqueue(q, { fail: true }, { jobId: 'job-c' });
        await rejection(t.waitForResult(q, c, 5000));
        await t.enqueue(q, {}, { jobId: 'job-d', delay: 60_000 });
        expect(await t.getCounts(q)).toEqual({
          waiting: 0,
          delayed: 1,
          active: 0,
          completed: 2,
          failed: 1,
        });
        expect((await t.listJobs(q, 'completed')).map((j) => j.id)).toEqual(['job-b', 'job-a']);
        expect(
          (await t.listJobs(q, 'completed', { offset: 1, limit: 1 })).map((j) => j.id),
        ).toEqual(['job-a']);
        expect(await t.listJobs(q, 'failed')).toMatchObject([
          { id: 'job-c', state: 'failed', failedReason: 'bad input' },
        ]);
        expect((await t.listJobs(q, 'delayed')).map((j) => j.id)).toEqual(['job-d']);
      });

      it('retries_a_failed_job_with_a_fresh_attempt_budget', async () => {
        const t = await create();
        const q = queueName();
        let healthy = false;
        await t.process(q, async () => {
          if (!healthy) throw new Error('down');
          return 'recovered';
        });
        const id = await t.enqueue(q, {}, { attempts: 2 });
        await rejection(t.waitForResult(q, id, 5000));
        healthy = true;
        await t.retryJob(q, id);
        expect(await t.waitForResult(q, id, 5000)).toBe('recovered');
        expect(await t.getJob(q, id)).toMatchObject({ state: 'completed', attemptsMade: 1 });
      });

      it('refuses_to_retry_a_job_that_has_not_failed_or_does_not_exist', async () => {
        const t = await create();
        const q = queueName();
        await t.process(q, async () => null);
        const id = await t.enqueue(q, {});
        await t.waitForResult(q, id, 5000);
        expect((await rejection(t.retryJob(q, id))).code).toBe('invalid_state');
        expect((await rejection(t.retryJob(q, 'missing-job'))).code).toBe('job_not_found');
      });

      it('returns_undefined_for_an_unknown_job_and_rejects_waits_on_it', async () => {
        const t = await create();
        const q = queueName();
        expect(await t.getJob(q, 'nope')).toBeUndefined();
        expect((await rejection(t.waitForResult(q, 'nope', 1000))).code).toBe('job_not_found');
      });

      it('times_out_a_wait_on_a_job_nobody_processes', async () => {
        const t = await create();
        const q = queueName();
        const id = await t.enqueue(q, {});
        const error = await rejection(t.waitForResult(q, id, 50));
        expect(error.code).toBe('timeout');
        expect(error.retryable).toBe(true);
        expect((await t.getJob(q, id))?.state).toBe('waiting');
      });
    });

    describe('graceful close', () => {
      it('waits_for_in_flight_handlers_that_finish_before_the_deadline', async () => {
        const t = await create();
        const q = queueName();
        const started = deferred();
        const release = deferred();
        const consumer = await t.process(q, async () => {
          started.resolve();
          await release.promise;
          return 'finished';
        });
        const id = await t.enqueue(q, {});
        await started.promise;
        expect(consumer.inFlight).toBe(1);
        const closed = consumer.close({ timeout: 5000 });
        setTimeout(() => release.resolve(), 50);
        await closed;
        expect(await t.getJob(q, id)).toMatchObject({
          state: 'completed',
          returnvalue: 'finished',
        });
      });

      it('takes_no_new_jobs_after_close', async () => {
        const t = await create();
        const q = queueName();
        const consumer = await t.process(q, async () => null);
        await consumer.close();
        const id = await t.enqueue(q, {});
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect((await t.getJob(q, id))?.state).toBe('waiting');
      });

      it('hands_an_attempt_past_the_deadline_to_another_consumer_and_aborts_it', async () => {
        const t = await create();
        const q = queueName();
        const started = deferred();
        let aborted = false;
        const slow = await t.process(q, async (job) => {
          started.resolve();
          await new Promise((_, reject) =>
            job.signal.addEventListener('abort', () => {
              aborted = true;
              reject(new Error('aborted'));
            }),
          );
          return 'slow';
        });
        const id = await t.enqueue(q, {}, { attempts: 1 });
        await started.promise;
        await t.process(q, async (job) => `other after ${job.attempt - 1} finished attempts`);
        await slow.close({ timeout: 100 });
        expect(aborted).toBe(true);
        expect(await t.waitForResult(q, id, 5000)).toBe('other after 0 finished attempts');
        expect(await t.getJob(q, id)).toMatchObject({ state: 'completed', attemptsMade: 1 });
      });
    });
  });
}
