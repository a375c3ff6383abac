import { formatTerm, isNormalExitReason, type KernelEvent, type Pid } from '../src/kernel/index.js';
import {
  SpanKind,
  extractTraceContext,
  inSpan,
  otelRegistered,
  type Logger,
  type RuntimeMetrics,
} from '../src/telemetry/index.js';
import type { Clock } from '../src/time/index.js';
import type { RuntimeEvent } from './runtime-types.js';

/** A runtime event without its time (`at` is stamped by {@link RuntimeEvents.emit}). */
export type EventBody = RuntimeEvent extends infer E
  ? E extends unknown
    ? Omit<E, 'at'>
    : never
  : never;

/**
 * The node's runtime events (`Runtime.subscribe`): created first by the composition root and handed
 * to every service that reports something (the client pool's circuit changes, executions, shard and
 * optimization progress, config changes, reloads, the tree). An event is built only when someone
 * listens; a listener that throws is logged and never breaks the emitter.
 */
export class RuntimeEvents {
  private readonly listeners = new Set<(e: RuntimeEvent) => void>();

  constructor(
    private readonly clock: Pick<Clock, 'now'>,
    private readonly logger: Logger,
  ) {}

  /** Whether anyone listens (callers skip building an event's body otherwise). */
  get observed(): boolean {
    return this.listeners.size > 0;
  }

  /** Stamps `body` with the clock's time and gives it to every listener. */
  emit(body: EventBody): void {
    if (this.listeners.size === 0) return;
    const event = { ...body, at: this.clock.now() } as RuntimeEvent;
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch (e) {
        this.logger.warn({ err: e }, 'runtime event listener threw');
      }
    }
  }

  /** Registers a listener; returns the unsubscribe function. */
  subscribe(listener: (event: RuntimeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}

function supervisorName(pid: Pid): string {
  return (pid.proc as { id?: string }).id ?? pid.toString();
}

/**
 * What the node is doing, as `inspect()` shows it: jobs in flight per queue, which job each live
 * worker runs, abnormal child exits per supervisor. Fed by the kernel's events and by the bridge
 * handlers it wraps ({@link NodeActivity.countJobs}); turns tree events into runtime events.
 */
export class NodeActivity {
  private readonly queueInFlight = new Map<string, number>();
  // By pid object: labelled and cleared once per job, looked up by name only by inspect().
  private readonly workerJobs = new Map<Pid, Record<string, unknown>>();
  /** Abnormal child exits by supervisor id (a temporary worker's crash is never a restart). */
  private readonly childCrashes = new Map<string, number>();

  constructor(
    private readonly nodeId: string,
    private readonly metrics: RuntimeMetrics,
    private readonly events: RuntimeEvents,
  ) {}

  /** Jobs of `queue` being handled on this node now. */
  inFlight(queue: string): number {
    return this.queueInFlight.get(queue) ?? 0;
  }

  /** What the live worker `pid` runs (job id, program), if labelled. */
  workerJob(pid: string): Record<string, unknown> | undefined {
    for (const [p, details] of this.workerJobs) if (p.toString() === pid) return details;
    return undefined;
  }

  /** Abnormal child exits under supervisor `id` so far. */
  crashes(id: string): number {
    return this.childCrashes.get(id) ?? 0;
  }

  /** Labels a worker with its job (shown by `inspect()` until the process exits). */
  labelWorker(pid: Pid, details: Record<string, unknown>): void {
    this.workerJobs.set(pid, details);
  }

  /** The kernel's event subscriber. */
  readonly onKernelEvent = (e: KernelEvent): void => {
    // Restarts and crashes are counted whoever listens; the rest are runtime events built only
    // when observed.
    if (e.type === 'child_exited' && !isNormalExitReason(e.reason)) {
      const supervisor = supervisorName(e.supervisor);
      this.childCrashes.set(supervisor, (this.childCrashes.get(supervisor) ?? 0) + 1);
    }
    if (!this.events.observed && e.type !== 'child_restarted' && e.type !== 'process_exited')
      return;
    switch (e.type) {
      case 'child_started':
        return this.events.emit({
          type: 'child_started',
          supervisor: supervisorName(e.supervisor),
          id: e.id,
          pid: e.pid.toString(),
        });
      case 'child_exited':
        return this.events.emit({
          type: 'child_exited',
          supervisor: supervisorName(e.supervisor),
          id: e.id,
          pid: e.pid.toString(),
          reason: formatTerm(e.reason),
        });
      case 'child_restarted':
        this.metrics.restarts.inc({
          supervisor: supervisorName(e.supervisor),
          child: e.id,
        });
        return this.events.emit({
          type: 'child_restarted',
          supervisor: supervisorName(e.supervisor),
          id: e.id,
        });
      case 'supervisor_report':
        return this.events.emit({
          type: 'supervisor_report',
          supervisor: e.supervisor,
          errorContext: e.errorContext,
          reason: formatTerm(e.reason),
          offender: e.offender.id,
        });
      case 'process_exited':
        this.workerJobs.delete(e.pid);
        return;
    }
  };

  /** Wraps a bridge handler with in-flight counts, metrics, job events and a consumer span. */
  countJobs<J extends { id: string; data?: unknown }, T>(
    queue: string,
    handler: (job: J) => Promise<T>,
  ): (job: J) => Promise<T> {
    const counted = this.countedJobs(queue, handler);
    // A consumer span per job, a child of the producer's span carried in the job data.
    return (job: J): Promise<T> =>
      !otelRegistered()
        ? counted(job)
        : inSpan(
            `process ${queue}`,
            {
              kind: SpanKind.CONSUMER,
              parent: extractTraceContext((job.data as { trace?: unknown } | undefined)?.trace),
              attributes: {
                'messaging.system': 'dspex',
                'messaging.destination.name': queue,
                'messaging.message.id': job.id,
                'dspex.node': this.nodeId,
              },
            },
            () => counted(job),
          );
  }

  private countedJobs<J extends { id: string }, T>(queue: string, handler: (job: J) => Promise<T>) {
    const { metrics, events } = this;
    return (job: J): Promise<T> => {
      this.queueInFlight.set(queue, (this.queueInFlight.get(queue) ?? 0) + 1);
      metrics.jobsInFlight.inc({ queue });
      const end = metrics.jobDuration.startTimer({ queue });
      if (events.observed) events.emit({ type: 'job', queue, jobId: job.id, phase: 'started' });
      const finish = (): void => {
        end();
        metrics.jobsInFlight.dec({ queue });
        this.queueInFlight.set(queue, (this.queueInFlight.get(queue) ?? 1) - 1);
      };
      let running: Promise<T>;
      try {
        running = handler(job);
      } catch (error) {
        running = Promise.reject(error);
      }
      // One `.then` on the handler's promise (no async frame around it).
      return running.then(
        (out) => {
          metrics.jobsTotal.inc({ queue, outcome: 'completed' });
          if (events.observed)
            events.emit({ type: 'job', queue, jobId: job.id, phase: 'completed' });
          finish();
          return out;
        },
        (error: unknown) => {
          metrics.jobsTotal.inc({ queue, outcome: 'failed' });
          events.emit({
            type: 'job',
            queue,
            jobId: job.id,
            phase: 'failed',
            reason: (error as Error).message,
          });
          finish();
          throw error;
        },
      );
    };
  }
}
