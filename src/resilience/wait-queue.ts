import type { TimerClock as Clock, TimerHandle } from '../time/index.js';
import { abortedError } from './resilience-error.js';
import type { TryAcquireResult } from './rate-limiter.js';
import { waitExceededError } from './token-bucket.js';

/** How a {@link FifoWaitQueue} talks to its bucket. @internal */
export interface WaitQueueBackend {
  readonly clock: Clock;
  /** One raw attempt on the bucket (ignoring the queue). May throw (e.g. Redis unreachable). */
  attempt(key: string, cost: number): TryAcquireResult | Promise<TryAcquireResult>;
  /** Returns cost an attempt took for a waiter that aborted while the attempt was in flight. */
  giveBack(key: string, cost: number): void | Promise<void>;
  /** Delay before the next attempt, given the bucket's `retryInMs` (adds jitter when polling). */
  pollDelay(retryInMs: number): number;
  /**
   * Whether each waiter also gets a timer rejecting it at `maxWaitMs`. Needed when the wait cannot
   * be predicted on entry (Redis: other nodes spend the budget too); the memory limiter predicts.
   */
  readonly rejectAtDeadline: boolean;
  /** Estimate for the error of a waiter rejected by its deadline timer. */
  estimateWaitMs(key: string, costAhead: number): number;
}

interface Waiter {
  readonly cost: number;
  readonly maxWaitMs: number;
  readonly deadline: number;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
  done: boolean;
  cleanup: () => void;
}

interface KeyQueue {
  readonly waiters: Waiter[];
  timer: TimerHandle | undefined;
  running: boolean;
  /** A kick arrived while an attempt was in flight: its refusal may be stale, so try again. */
  kicked: boolean;
}

/** Longest delay a Node timer takes (a longer one would fire after 1 ms). */
const MAX_TIMER_MS = 2_147_483_647;

/** Slack for comparing float millisecond sums against a deadline. */
const DEADLINE_SLACK_MS = 1e-3;

/**
 * The per-key FIFO of callers waiting on a token bucket. Only the head of a key's queue attempts
 * the bucket; when refused it sleeps for the bucket's `retryInMs` (so a memory bucket wakes exactly
 * when refilled, and a Redis bucket is polled with jitter), and when admitted the next waiter tries
 * at once. That gives FIFO order per key per limiter instance.
 * @internal
 */
export class FifoWaitQueue {
  private readonly queues = new Map<string, KeyQueue>();

  constructor(private readonly backend: WaitQueueBackend) {}

  /** Whether anybody is waiting on `key`. */
  has(key: string): boolean {
    return this.queues.has(key);
  }

  /** Total cost waiting on `key`. */
  queuedCost(key: string): number {
    let sum = 0;
    for (const w of this.queues.get(key)?.waiters ?? []) if (!w.done) sum += w.cost;
    return sum;
  }

  /** Queues a waiter; resolves when the bucket admitted `cost` for it. */
  enqueue(
    key: string,
    cost: number,
    options: { signal?: AbortSignal | undefined; maxWaitMs: number },
  ): Promise<void> {
    const { clock } = this.backend;
    const { signal, maxWaitMs } = options;
    if (signal?.aborted) return Promise.reject(abortedError(key, signal));
    let queue = this.queues.get(key);
    if (queue === undefined) {
      queue = { waiters: [], timer: undefined, running: false, kicked: false };
      this.queues.set(key, queue);
    }
    const costAhead = this.queuedCost(key);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        cost,
        maxWaitMs,
        deadline: clock.now() + maxWaitMs,
        resolve,
        reject,
        done: false,
        cleanup: () => undefined,
      };
      const onAbort = (): void => {
        if (signal !== undefined) this.finish(waiter, abortedError(key, signal));
        this.kick(key);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      let deadlineTimer: TimerHandle | undefined;
      if (this.backend.rejectAtDeadline && maxWaitMs <= MAX_TIMER_MS) {
        deadlineTimer = clock.setTimeout(() => {
          const estimate = this.backend.estimateWaitMs(key, costAhead + cost);
          this.finish(waiter, waitExceededError(key, cost, estimate, maxWaitMs));
          this.kick(key);
        }, maxWaitMs);
      }
      waiter.cleanup = () => {
        signal?.removeEventListener('abort', onAbort);
        if (deadlineTimer !== undefined) clock.clearTimeout(deadlineTimer);
      };
      queue.waiters.push(waiter);
      if (queue.waiters.length === 1) void this.pump(key);
    });
  }

  /**
   * Makes the head try again now instead of at its scheduled time: after a refund, or when the
   * head left the queue.
   */
  kick(key: string): void {
    const queue = this.queues.get(key);
    if (queue === undefined) return;
    if (queue.running) {
      queue.kicked = true;
      return;
    }
    if (queue.timer !== undefined) {
      this.backend.clock.clearTimeout(queue.timer);
      queue.timer = undefined;
    }
    void this.pump(key);
  }

  private finish(waiter: Waiter, error?: unknown): void {
    if (waiter.done) return;
    waiter.done = true;
    waiter.cleanup();
    if (error === undefined) waiter.resolve();
    else waiter.reject(error);
  }

  private async pump(key: string): Promise<void> {
    const queue = this.queues.get(key);
    if (queue === undefined || queue.running) return;
    queue.running = true;
    const { clock } = this.backend;
    for (;;) {
      while (queue.waiters[0]?.done === true) queue.waiters.shift();
      const head = queue.waiters[0];
      if (head === undefined) {
        this.queues.delete(key);
        queue.running = false;
        return;
      }
      let result: TryAcquireResult;
      queue.kicked = false;
      try {
        result = await this.backend.attempt(key, head.cost);
      } catch (e) {
        this.finish(head, e);
        continue;
      }
      if (result.ok) {
        if (head.done) await this.safeGiveBack(key, head.cost);
        else this.finish(head);
        continue;
      }
      if (head.done || queue.kicked) continue;
      if (clock.now() + result.retryInMs > head.deadline + DEADLINE_SLACK_MS) {
        const retryAfterMs = Math.ceil(result.retryInMs);
        this.finish(head, waitExceededError(key, head.cost, retryAfterMs, head.maxWaitMs));
        continue;
      }
      queue.timer = clock.setTimeout(() => {
        queue.timer = undefined;
        void this.pump(key);
      }, this.backend.pollDelay(result.retryInMs));
      queue.running = false;
      return;
    }
  }

  private async safeGiveBack(key: string, cost: number): Promise<void> {
    try {
      await this.backend.giveBack(key, cost);
    } catch {
      // The waiter already left; a lost refund only makes the bucket stricter, never looser.
    }
  }
}
