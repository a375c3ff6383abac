import type { EventEmitter } from 'node:events';
import type { QueueEvents } from 'bullmq';
import type { JobProgress, JsonValue, Subscription, TransportEvent } from '../types.js';

type Listener = (event: TransportEvent) => void;

interface Entry {
  readonly ready: Promise<QueueEvents>;
  readonly listeners: Set<Listener>;
}

/**
 * One BullMQ `QueueEvents` reader per queue (it holds a blocking connection on the queue's Redis
 * stream), shared by every subscriber of that queue, translating stream entries to
 * {@link TransportEvent}s. `retrying` is our own entry in the same stream (see BullMQConsumer).
 *
 * The reader starts from the stream's last entry id read *before* it is created (`create` gets
 * it), not from `$`: `$` is resolved at the reader's first XREAD, which happens after
 * `waitUntilReady()`, so events in between would be lost and a waiter could miss its job's end.
 */
export class QueueEventsHub {
  readonly #entries = new Map<string, Entry>();

  constructor(private readonly create: (queue: string) => Promise<QueueEvents>) {}

  async subscribe(queue: string, listener: Listener): Promise<Subscription> {
    const entry = this.#entry(queue);
    const wrapped: Listener = (event) => listener(event);
    entry.listeners.add(wrapped);
    try {
      await entry.ready;
    } catch (error) {
      entry.listeners.delete(wrapped);
      if (this.#entries.get(queue) === entry) this.#entries.delete(queue);
      throw error;
    }
    return { unsubscribe: async () => void entry.listeners.delete(wrapped) };
  }

  #entry(queue: string): Entry {
    const existing = this.#entries.get(queue);
    if (existing !== undefined) return existing;
    const listeners = new Set<Listener>();
    const entry: Entry = {
      listeners,
      ready: this.create(queue).then(async (events) => {
        wire(events, queue, listeners);
        await events.waitUntilReady();
        return events;
      }),
    };
    this.#entries.set(queue, entry);
    return entry;
  }

  async close(): Promise<void> {
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    await Promise.all(
      entries.map((entry) => entry.ready.then((events) => events.close()).catch(() => undefined)),
    );
  }
}

function wire(events: QueueEvents, queue: string, listeners: ReadonlySet<Listener>): void {
  const emit = (event: TransportEvent): void => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        // Listeners observe; one that throws must not stop the others or the reader.
      }
    }
  };
  const emitter = events as unknown as EventEmitter;
  emitter.on('error', () => undefined); // connection errors are reported by the ConnectionMonitor
  emitter.on('active', (e: { jobId: string }) => emit({ type: 'active', queue, jobId: e.jobId }));
  emitter.on('progress', (e: { jobId: string; data: unknown }) =>
    emit({ type: 'progress', queue, jobId: e.jobId, progress: e.data as JobProgress }),
  );
  emitter.on('completed', (e: { jobId: string; returnvalue: unknown }) =>
    emit({
      type: 'completed',
      queue,
      jobId: e.jobId,
      returnvalue: (e.returnvalue ?? null) as JsonValue,
    }),
  );
  emitter.on('failed', (e: { jobId: string; failedReason: string }) =>
    emit({ type: 'failed', queue, jobId: e.jobId, failedReason: e.failedReason }),
  );
  emitter.on('stalled', (e: { jobId: string }) => emit({ type: 'stalled', queue, jobId: e.jobId }));
  emitter.on('retrying', (e: Record<string, string>) =>
    emit({
      type: 'retrying',
      queue,
      jobId: e.jobId ?? '',
      attemptsMade: Number(e.attemptsMade),
      delay: Number(e.delay),
      failedReason: e.failedReason ?? '',
    }),
  );
}
