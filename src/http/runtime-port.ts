/**
 * What the HTTP API needs from a runtime: a narrow, structural port (like src/daemon/runtime-port.ts)
 * so src/http never imports the framework, actors/ or supervisors/. `httpRuntimeOf(runtime)` in
 * supervisors/http-port.ts builds it from a `startRuntime` runtime.
 */
import type { z } from 'zod';

/** A run's result (DESIGN §5: the `dspex-run` job's return value). */
export interface RunResultView {
  outputs: Record<string, unknown>;
  executionId: string;
  usage: Record<string, unknown>;
}

/** Options of a run: the `dspex-run` job's optional fields, plus an abort signal. */
export interface HttpRunOptions {
  version?: string;
  config?: Record<string, unknown>;
  /** Aborted at the request's deadline or when the client goes away. */
  signal?: AbortSignal;
}

/** What a streamed run yields: field pieces as the LM streams them, then the result. */
export type HttpStreamEvent =
  | { type: 'delta'; predictor: string; field: string; text: string; last: boolean }
  | { type: 'result'; result: RunResultView };

/** One hosted program as `GET /v1/programs` lists it. */
export interface ProgramView {
  name: string;
  /** The first predictor's signature (`question -> answer`), or null for a program without one. */
  signature: string | null;
  inputs: string[];
  outputs: string[];
  /** The store's active optimized version, or null. */
  activeVersion: string | null;
}

/** A queued `dspex-run` job as `GET /v1/jobs/:id` shows it. */
export interface JobView {
  id: string;
  state: string;
  attemptsMade: number;
  attempts: number;
  /** The run's result once completed. */
  result?: unknown;
  failedReason?: string;
  /** Epoch ms. */
  createdAt: number;
  finishedAt?: number;
}

/** An evaluation as `POST /v1/evaluations` asks it (a metric by name: shards run on any node). */
export interface HttpEvaluateRequest {
  devset: Record<string, unknown>[];
  metric: string;
  inputKeys?: string[];
  concurrency?: number;
  shards?: number;
}

/** An optimization run as `POST /v1/optimizations` asks it. */
export interface HttpOptimizeRequest {
  optimizer: string;
  trainset: Record<string, unknown>[];
  valset?: Record<string, unknown>[];
  inputKeys?: string[];
  params?: Record<string, unknown>;
}

/**
 * The runtime surface the HTTP API serves.
 *
 * @example
 * ```ts
 * const api = await startHttpServer({ runtime: httpRuntimeOf(rt), port: 8080, logger });
 * ```
 */
export interface HttpRuntime {
  readonly nodeId: string;
  /** The job schemas request bodies are validated with (`run`: the `dspex-run` job data). */
  readonly schemas: { readonly run: z.ZodType };
  /** Optimizer names `POST /v1/optimizations` accepts. */
  readonly optimizers: readonly string[];
  describePrograms(): Promise<ProgramView[]>;
  run(
    program: string,
    inputs: Record<string, unknown>,
    opts?: HttpRunOptions,
  ): Promise<RunResultView>;
  stream(
    program: string,
    inputs: Record<string, unknown>,
    opts?: HttpRunOptions,
  ): AsyncIterable<HttpStreamEvent>;
  submit(
    program: string,
    inputs: Record<string, unknown>,
    opts?: Omit<HttpRunOptions, 'signal'>,
  ): Promise<{ jobId: string }>;
  /** A `dspex-run` job, or undefined when the queue has no job of that id. */
  job(jobId: string): Promise<JobView | undefined>;
  evaluate(program: string, request: HttpEvaluateRequest): Promise<unknown>;
  optimize(program: string, request: HttpOptimizeRequest): Promise<{ runId: string }>;
  /** An optimization run's record, or undefined. */
  optimizationRun(runId: string): Promise<unknown>;
  cancelOptimization(runId: string): Promise<unknown>;
  /** This node's program-worker slots: in use now, and the most it runs at once. */
  slots(): Promise<{ busy: number; limit: number }>;
  /** Jobs waiting in the `dspex-run` queue (all nodes). */
  queuedJobs(): Promise<number>;
}
