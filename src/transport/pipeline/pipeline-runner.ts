import { nanoid } from 'nanoid';
import {
  TransportError,
  UnrecoverableJobError,
  failureReason,
  isUnrecoverable,
} from '../errors.js';
import type { Transport } from '../transport.js';
import type {
  BackoffOptions,
  Consumer,
  JobContext,
  JobProgress,
  JsonObject,
  JsonValue,
  Subscription,
  TransportEvent,
} from '../types.js';
import type { Pipeline } from './define-pipeline.js';
import type { RunLedger, RunRecord } from './run-ledger.js';
import { runOutcome, type RunResult } from './run-outcome.js';

/** What a stage handler receives. */
export interface StageInvocation<S extends string = string> {
  readonly runId: string;
  readonly stage: S;
  /** The run's input (the same for every stage). */
  readonly input: JsonObject;
  /** Outputs of the stage's parents, by parent name (`{}` for a root). */
  readonly parents: Readonly<Record<string, JsonValue>>;
  /** This attempt's number (1-based) and the stage's total attempts. */
  readonly attempt: number;
  readonly attempts: number;
  /** Aborted when the consumer gives up on the attempt (see {@link JobContext.signal}). */
  readonly signal: AbortSignal;
  updateProgress(progress: JobProgress): Promise<void>;
}

/**
 * Runs one stage; its JSON result becomes the stage's output. Throw to fail the attempt (retried
 * while attempts remain), {@link UnrecoverableJobError} to fail the run at once. Delivery is at
 * least once, so a stage may run twice; only its first recorded output counts.
 */
export type StageHandler<S extends string = string> = (
  invocation: StageInvocation<S>,
) => Promise<JsonValue>;

/** Options of {@link PipelineRunner}. */
export interface PipelineRunnerOptions<S extends string> {
  readonly transport: Transport;
  readonly pipeline: Pipeline<S>;
  /** Needed by nodes that execute stages ({@link PipelineRunner.work}); producers can omit it. */
  readonly handler?: StageHandler<S>;
  /** Queue of the stage jobs. Default `dspex-pipeline-<pipeline name>`. */
  readonly queue?: string;
  /** Attempts per stage. Default 3. */
  readonly attempts?: number;
  /** Backoff between stage attempts. Default exponential from 1 000 ms. */
  readonly backoff?: BackoffOptions;
  /** Clock for ledger timestamps. Default `Date.now`. */
  readonly now?: () => number;
  /** How often {@link PipelineRunner.waitForRun} re-reads the ledger besides reacting to events, ms. Default 500. */
  readonly pollInterval?: number;
}

/** Payload of a stage job. */
interface StageJobData extends JsonObject {
  runId: string;
  stage: string;
  pipeline: string;
}

const RUN_ID = /^[A-Za-z0-9_-]+$/;

/**
 * Runs a {@link Pipeline} over any {@link Transport}: every stage is a job (so the stages of one
 * run may execute on different nodes), with the deterministic id `<runId>.<stage>` (BullMQ forbids
 * `:` in custom ids). Completion bookkeeping lives in the transport's {@link RunLedger}: the stage
 * that records the last missing parent output enqueues the fan-in child, and the id makes a second
 * enqueue a no-op, so a fan-in stage starts once even under retries and duplicate deliveries. A
 * stage job delivered again after its output was recorded does not run the handler again.
 *
 * @example
 * ```ts
 * const runner = new PipelineRunner({ transport, pipeline: diamond, handler: async ({ stage, parents }) => ({ stage, parents }) });
 * await runner.work({ concurrency: 4 });           // on every node that executes stages
 * const runId = await runner.startRun({ question: 'why?' });
 * const { outputs } = await runner.waitForRun(runId, 30_000); // { d: … }
 * ```
 */
export class PipelineRunner<S extends string = string> {
  readonly queue: string;
  readonly #transport: Transport;
  readonly #pipeline: Pipeline<S>;
  readonly #ledger: RunLedger;
  readonly #handler: StageHandler<S> | undefined;
  readonly #attempts: number;
  readonly #backoff: BackoffOptions;
  readonly #now: () => number;
  readonly #pollInterval: number;
  readonly #consumers = new Set<Consumer>();
  readonly #subscriptions = new Set<Subscription>();

  constructor(options: PipelineRunnerOptions<S>) {
    this.#transport = options.transport;
    this.#pipeline = options.pipeline;
    this.#ledger = options.transport.runLedger();
    this.#handler = options.handler;
    this.queue = options.queue ?? `dspex-pipeline-${options.pipeline.name}`;
    this.#attempts = options.attempts ?? 3;
    this.#backoff = options.backoff ?? { type: 'exponential', delay: 1000 };
    this.#now = options.now ?? Date.now;
    this.#pollInterval = options.pollInterval ?? 500;
  }

  /** The job id of a stage of a run. */
  stageJobId(runId: string, stage: S): string {
    return `${runId}.${stage}`;
  }

  /** Starts executing stage jobs on this node. */
  async work(options: { concurrency?: number } = {}): Promise<Consumer> {
    const handler = this.#handler;
    if (handler === undefined) {
      throw new TransportError('invalid_options', 'PipelineRunner.work needs a stage handler');
    }
    // Stage jobs can also fail outside the handler (e.g. stalled too often); record those too.
    this.#subscriptions.add(
      await this.#transport.subscribe(this.queue, (event) => this.#onEvent(event)),
    );
    const consumer = await this.#transport.process<StageJobData>(
      this.queue,
      (job) => this.#runStage(handler, job),
      options.concurrency === undefined ? {} : { concurrency: options.concurrency },
    );
    this.#consumers.add(consumer);
    return consumer;
  }

  /** Creates a run and enqueues its root stages; resolves with the run id. Idempotent by `runId`. */
  async startRun(input: JsonObject, options: { runId?: string } = {}): Promise<string> {
    const runId = options.runId ?? nanoid();
    if (!RUN_ID.test(runId)) {
      throw new TransportError(
        'invalid_options',
        `run id ${JSON.stringify(runId)} must match ${RUN_ID}`,
        {
          details: { runId },
        },
      );
    }
    await this.#ledger.createRun(runId, this.#pipeline.name, input, this.#now());
    await this.#enqueueStages(runId, this.#pipeline.roots);
    return runId;
  }

  getRun(runId: string): Promise<RunRecord | undefined> {
    return this.#ledger.getRun(runId);
  }

  /**
   * Resolves when the run completes, with its sink outputs. Rejects with `TransportError`
   * `run_failed` (details: `stage`, `reason`), `run_not_found` or `timeout`.
   */
  waitForRun(runId: string, timeoutMs: number): Promise<RunResult> {
    return new Promise<RunResult>((resolve, reject) => {
      let done = false;
      let subscription: Subscription | undefined;
      const finish = (error: unknown, result?: RunResult): void => {
        if (done) return;
        done = true;
        clearTimeout(deadline);
        clearInterval(poll);
        void subscription?.unsubscribe();
        if (result !== undefined) resolve(result);
        else reject(error);
      };
      const check = async (): Promise<void> => {
        const outcome = runOutcome(runId, await this.#ledger.getRun(runId), this.#pipeline.sinks);
        if (outcome === undefined) return;
        if ('result' in outcome) finish(undefined, outcome.result);
        else finish(outcome.error);
      };
      // A failed read (Redis away) is not the run's outcome: the next read or the deadline decides.
      const recheck = (): void => void check().catch(() => undefined);
      const deadline = setTimeout(
        () =>
          finish(
            new TransportError(
              'timeout',
              `pipeline run ${runId} did not finish within ${timeoutMs} ms`,
              {
                retryable: true,
                details: { runId, timeoutMs },
              },
            ),
          ),
        timeoutMs,
      );
      // Events make the wait prompt; the poll makes it robust to events lost in a reconnect.
      const poll = setInterval(recheck, this.#pollInterval);
      this.#transport
        .subscribe(this.queue, (event) => {
          if (!event.jobId.startsWith(`${runId}.`)) return;
          if (event.type === 'failed') void this.#onEvent(event).then(recheck, recheck);
          else if (event.type === 'completed') recheck();
        })
        .then((s) => {
          subscription = s;
          if (done) void s.unsubscribe();
          recheck();
        })
        .catch((error: unknown) => finish(error));
    });
  }

  /** Stops this node's stage consumers (graceful, see {@link Consumer.close}) and subscriptions. */
  async close(options: { timeout?: number } = {}): Promise<void> {
    const consumers = [...this.#consumers];
    this.#consumers.clear();
    await Promise.all(consumers.map((c) => c.close(options)));
    const subscriptions = [...this.#subscriptions];
    this.#subscriptions.clear();
    await Promise.all(subscriptions.map((s) => s.unsubscribe()));
  }

  async #onEvent(event: TransportEvent): Promise<void> {
    if (event.type !== 'failed') return;
    const dot = event.jobId.lastIndexOf('.');
    if (dot <= 0) return;
    await this.#ledger.failRun(
      event.jobId.slice(0, dot),
      event.jobId.slice(dot + 1),
      event.failedReason,
      this.#now(),
    );
  }

  async #enqueueStages(runId: string, stages: readonly string[]): Promise<void> {
    await Promise.all(
      stages.map((stage) =>
        this.#transport.enqueue(
          this.queue,
          { runId, stage, pipeline: this.#pipeline.name } satisfies StageJobData,
          { jobId: `${runId}.${stage}`, attempts: this.#attempts, backoff: this.#backoff },
        ),
      ),
    );
  }

  async #runStage(handler: StageHandler<S>, job: JobContext<StageJobData>): Promise<JsonValue> {
    const { runId, pipeline } = job.data;
    const stage = job.data.stage as S;
    if (pipeline !== this.#pipeline.name || !this.#pipeline.stages.includes(stage)) {
      throw new UnrecoverableJobError(
        `stage ${String(stage)} is not part of pipeline ${this.#pipeline.name}`,
        {
          details: { pipeline, stage },
        },
      );
    }
    const run = await this.#ledger.getRun(runId);
    if (run === undefined)
      throw new UnrecoverableJobError(`no pipeline run ${runId}`, { details: { runId } });
    // A failed run starts nothing more; its still-queued stages complete as no-ops.
    if (run.status === 'failed') return null;
    const topology = this.#pipeline.topologyOf(stage);
    const recordedBefore = run.outputs[stage];
    if (recordedBefore !== undefined) {
      // Duplicate delivery: do not run the stage again, but repair a crash between record and enqueue.
      const again = await this.#ledger.recordStage(
        runId,
        stage,
        recordedBefore,
        topology,
        this.#now(),
      );
      await this.#enqueueStages(runId, again.ready);
      return again.output ?? recordedBefore;
    }
    const parents: Record<string, JsonValue> = {};
    for (const parent of this.#pipeline.parentsOf(stage)) {
      const output = run.outputs[parent];
      if (output === undefined)
        throw new Error(`stage ${stage} started before parent ${parent} finished`);
      parents[parent] = output;
    }
    let output: JsonValue;
    try {
      output = await handler({
        runId,
        stage,
        input: run.input,
        parents,
        attempt: job.attempt,
        attempts: job.attempts,
        signal: job.signal,
        updateProgress: (progress) => job.updateProgress(progress),
      });
    } catch (error) {
      if (isUnrecoverable(error) || job.attempt >= job.attempts) {
        await this.#ledger.failRun(runId, stage, failureReason(error), this.#now());
      }
      throw error;
    }
    const recorded = await this.#ledger.recordStage(
      runId,
      stage,
      output ?? null,
      topology,
      this.#now(),
    );
    await this.#enqueueStages(runId, recorded.ready);
    return recorded.output ?? output ?? null;
  }
}
