/**
 * What the HTTP API needs from a runtime: the {@link HttpRuntime} surface of src/contracts, so
 * src/http never imports the framework, actors/ or supervisors/. `httpRuntimeOf(runtime)` in
 * supervisors/http-port.ts builds it from a `startRuntime` runtime. The names below are the HTTP
 * API's historical aliases of the contracts.
 */
import type {
  DatasetEvaluateRequestData,
  DatasetOptimizeRequestData,
  EvaluateRequestData,
  JobStatusView,
  LocalRunOptions,
  OptimizeRequestData,
  RunResult,
  RunStreamEvent,
} from '../contracts/index.js';

export type { HttpRuntime, ProgramView } from '../contracts/index.js';
/** A run's result (the `dspex-run` job's return value). */
export type RunResultView = RunResult;
/** Options of a run: the `dspex-run` job's optional fields, plus an abort signal. */
export type HttpRunOptions = LocalRunOptions;
/** What a streamed run yields: field pieces as the LM streams them, then the result. */
export type HttpStreamEvent = RunStreamEvent;
/** A queued `dspex-run` job as `GET /v1/jobs/:id` shows it. */
export type JobView = JobStatusView;
/** An evaluation as `POST /v1/evaluations` asks it: a `devset`, or a stored `dataset` and `split`. */
export type HttpEvaluateRequest = EvaluateRequestData | DatasetEvaluateRequestData;
/** An optimization run as `POST /v1/optimizations` asks it: a `trainset`, or stored datasets. */
export type HttpOptimizeRequest = OptimizeRequestData | DatasetOptimizeRequestData;
