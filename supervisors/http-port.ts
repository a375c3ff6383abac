import {
  runJobSchema,
  type HttpRuntime,
  type JobStatusView,
  type ProgramView,
} from '../src/contracts/index.js';
import { checkJobConfig } from '../services/execution.js';
import { DspexError } from '../src/errors/index.js';
import { programSignature } from '../src/modules/index.js';
import { optimizerParamsProblem } from '../src/optimizers/index.js';
import { TREE_NAMES } from './tree.js';
import type { RuntimeNodeImpl } from './runtime-node.js';
import type { Runtime } from './runtime-types.js';

function programView(rt: RuntimeNodeImpl, name: string, activeVersion: string | null): ProgramView {
  // What the caller passes and gets, not a turn signature rebuilt inside (ReActV2).
  const signature = programSignature(rt.catalog.get(name));
  return {
    name,
    signature: signature?.toString() ?? null,
    inputs: signature?.inputFields.map((f) => f.name) ?? [],
    outputs: signature?.outputFields.map((f) => f.name) ?? [],
    activeVersion,
  };
}

/**
 * The HTTP API's view of a runtime started by `startRuntime` (src/http/runtime-port.ts): runs,
 * streams and jobs on its queues, its programs with their signatures and active versions, its
 * worker slots for backpressure (followed from the runtime's events from now on: build it right
 * after `startRuntime`, before work arrives).
 *
 * @example
 * ```ts
 * const rt = await startRuntime(config);
 * const api = await startHttpServer({ runtime: httpRuntimeOf(rt), port: 8080, logger });
 * ```
 */
export function httpRuntimeOf(runtime: Runtime): HttpRuntime {
  const rt = runtime as RuntimeNodeImpl;
  if (rt.catalog === undefined || rt.deps === undefined)
    throw new TypeError('httpRuntimeOf needs a runtime started by startRuntime');
  const runQueue = rt.queues.run;
  // Program workers alive now, followed from the runtime's events (no supervisor call per request).
  const busy = { count: 0 };
  rt.subscribe((e) => {
    if (e.type === 'child_started' && e.supervisor === TREE_NAMES.programWorkers) busy.count++;
    else if (e.type === 'child_exited' && e.supervisor === TREE_NAMES.programWorkers)
      busy.count = Math.max(0, busy.count - 1);
  });
  return {
    nodeId: rt.nodeId,
    schemas: { run: runJobSchema },
    // Read per request: a hot reload may register or drop optimizers.
    get optimizers() {
      return rt.registeredNames().optimizers;
    },
    get metrics() {
      return rt.registeredNames().metrics;
    },
    optimizerParamsProblem,
    jobConfigProblem(program, opts) {
      const { workers } = rt.services;
      if (workers.variables === undefined) return undefined;
      try {
        checkJobConfig({ ...workers, variables: workers.variables }, { program, ...opts });
        return undefined;
      } catch (error) {
        if (error instanceof DspexError && error.code === 'invalid_job') return error.message;
        throw error;
      }
    },
    describePrograms: () =>
      Promise.all(
        rt
          .programs()
          .map(async (name) =>
            programView(rt, name, (await rt.store.programs.find(name))?.activeVersion ?? null),
          ),
      ),
    run: (program, inputs, opts) => rt.run(program, inputs, opts),
    stream: (program, inputs, opts) => rt.stream(program, inputs, opts),
    submit: (program, inputs, opts) => rt.submit(program, inputs, opts),
    job: async (jobId) => {
      const job = await rt.transport.getJob(runQueue, jobId);
      if (job === undefined) return undefined;
      const view: JobStatusView = {
        id: job.id,
        state: job.state,
        attemptsMade: job.attemptsMade,
        attempts: job.attempts,
        createdAt: job.createdAt,
        ...(job.returnvalue === undefined ? {} : { result: job.returnvalue }),
        ...(job.failedReason === undefined ? {} : { failedReason: job.failedReason }),
        ...(job.finishedAt === undefined ? {} : { finishedAt: job.finishedAt }),
      };
      return view;
    },
    evaluate: (program, request) => rt.evaluate(program, request),
    optimize: (program, request) => rt.optimize(program, request),
    optimizationRun: (runId) => rt.optimizationRun(runId),
    evaluation: (evalId) => rt.evaluation(evalId),
    listEvaluations: (query) =>
      rt.listEvaluations(query as Parameters<Runtime['listEvaluations']>[0]),
    cancelOptimization: (runId) => rt.cancelOptimization(runId),
    slots: async () => ({
      busy: busy.count,
      limit: rt.slots.supervisor(TREE_NAMES.programWorkers).supervisorFlags.maxChildren,
    }),
    queuedJobs: async () => {
      const counts = await rt.transport.getCounts(runQueue);
      return (counts.waiting ?? 0) + (counts.delayed ?? 0);
    },
  };
}
