import { nanoid } from 'nanoid';
import { ActorError, AsyncChannel } from '../services/index.js';
import type { StreamPiece } from '../src/contracts/index.js';
import {
  SpanKind,
  activeTraceContext,
  inSpan,
  injectTraceContext,
} from '../src/telemetry/index.js';
import type { JsonObject } from '../src/transport/index.js';
import { executeInTree, validateRunJob } from './job-handlers.js';
import type { NodeServices } from './node-services.js';
import type { LocalRunOptions, RunOptions, RunResult, RunStreamEvent } from './runtime-types.js';

/**
 * Enqueues inside a producer span and carries its trace context in the job data (`trace`, an
 * optional field of every payload), so the consumer's spans, on whatever node, join the trace.
 */
export function publishTraced<T>(
  queue: string,
  data: JsonObject,
  enqueue: (data: JsonObject) => Promise<T>,
): Promise<T> {
  return inSpan(
    `publish ${queue}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: { 'messaging.system': 'dspex', 'messaging.destination.name': queue },
    },
    async (span) => {
      const carrier = injectTraceContext();
      const out = await enqueue(carrier === undefined ? data : { ...data, trace: { ...carrier } });
      const id = (out as { jobId?: unknown }).jobId;
      if (typeof id === 'string') span.setAttribute('messaging.message.id', id);
      return out;
    },
  );
}

/**
 * Running programs: at once on this node's tree (`run`, `stream`: a program worker, not the
 * queue), as `dspex-run` jobs (`submit`, `waitForJob`), or as a hosted pipeline (`runPipeline`).
 */
export class RunService {
  constructor(
    private readonly node: Pick<
      NodeServices,
      'transport' | 'queues' | 'jobOptions' | 'intake' | 'handlers' | 'pipelines'
    >,
  ) {}

  run(
    program: string,
    inputs: Record<string, unknown>,
    opts: LocalRunOptions = {},
  ): Promise<RunResult> {
    return this.runLocal(program, inputs, opts);
  }

  stream(
    program: string,
    inputs: Record<string, unknown>,
    opts: LocalRunOptions = {},
  ): AsyncIterable<RunStreamEvent> {
    const channel = new AsyncChannel<RunStreamEvent>();
    let started: Promise<void> | undefined;
    const start = (): Promise<void> =>
      (started ??= this.runLocal(program, inputs, opts, (d) => channel.push(d)).then(
        (result) => {
          channel.push({ type: 'result', result });
          channel.close();
        },
        (error: unknown) => channel.fail(error),
      ));
    return {
      [Symbol.asyncIterator]: () => {
        void start();
        return channel.drain();
      },
    };
  }

  /** One run on a fresh program worker of this node (`run`, `stream`). */
  private async runLocal(
    program: string,
    inputs: Record<string, unknown>,
    opts: LocalRunOptions,
    onDelta?: (piece: StreamPiece) => void,
  ): Promise<RunResult> {
    const { intake, handlers } = this.node;
    intake.assertOpen();
    const { signal, ...job } = opts;
    return intake.track(
      inSpan(`run ${program}`, { attributes: { 'dspex.program': program } }, async () => {
        const data = await validateRunJob(handlers, { program, inputs, ...job });
        return executeInTree(handlers, {
          jobId: `run-${nanoid()}`,
          program: data.program,
          inputs: data.inputs,
          version: data.version,
          config: data.config,
          attempt: 1,
          attempts: 1,
          // A fresh id: nothing can be recorded under it yet, so the record is written once.
          firstDelivery: true,
          ...(signal === undefined ? {} : { signal }),
          ...(onDelta === undefined ? {} : { onDelta }),
          traceContext: activeTraceContext(),
        });
      }),
    );
  }

  submit(
    program: string,
    inputs: Record<string, unknown>,
    opts: RunOptions = {},
  ): Promise<{ jobId: string }> {
    const { transport, queues, jobOptions } = this.node;
    return publishTraced(queues.run, { program, inputs, ...opts } as JsonObject, async (data) => ({
      jobId: await transport.enqueue(queues.run, data, jobOptions),
    }));
  }

  async waitForJob(jobId: string, timeoutMs = 60_000): Promise<RunResult> {
    const { transport, queues } = this.node;
    return (await transport.waitForResult(queues.run, jobId, timeoutMs)) as unknown as RunResult;
  }

  async runPipeline(
    name: string,
    input: Record<string, unknown>,
    options: { runId?: string; timeoutMs?: number } = {},
  ): Promise<{ runId: string; outputs: Record<string, RunResult> }> {
    const { intake, pipelines } = this.node;
    intake.assertOpen();
    const hosted = pipelines.get(name);
    if (hosted === undefined)
      throw new ActorError(
        'unknown_program',
        `unknown pipeline '${name}' (known: ${[...pipelines.keys()].join(', ')})`,
      );
    const runId = await hosted.runner.startRun(JSON.parse(JSON.stringify(input)) as JsonObject, {
      ...(options.runId === undefined ? {} : { runId: options.runId }),
    });
    const done = await hosted.runner.waitForRun(runId, options.timeoutMs ?? 60_000);
    return { runId, outputs: done.outputs as unknown as Record<string, RunResult> };
  }
}
