/**
 * The job payloads and results of the runtime's queues (DESIGN §5), written once: the node
 * validates what it takes off a queue with these schemas and every producer (the CLI's `submit`,
 * `startRuntime().submit`, the HTTP API) builds its payload with the same ones.
 */
import { z } from 'zod';
import { flattenIssues, issuesText, type SchemaIssue } from './issues.js';

/** Default queue names (config `transport.runQueue`, `startRuntime({ queues })` may rename them). */
export const QUEUES = {
  /** Program runs: {@link RunJob} → {@link RunResult}. */
  run: 'dspex-run',
  /** Evaluation shards: {@link EvaluationShard} → {@link ShardResult}. */
  eval: 'dspex-eval',
  /** Optimization runs: {@link OptimizationJob} → {@link OptimizationOutcome}. */
  optimize: 'dspex-optimize',
} as const;

/** The queue of a pipeline's stage jobs. */
export function pipelineQueue(pipeline: string): string {
  return `dspex-pipeline-${pipeline}`;
}

/** Name of the built-in job-payload schema of the `dspex-run` queue. */
export const RUN_JOB_SCHEMA = 'dspex-run';

/**
 * Job data of the `dspex-run` queue (DESIGN §5): `{ program, inputs, version?, config? }`.
 * Unknown top-level keys are dropped, so producers may add their own metadata.
 */
export const runJobSchema = z.object({
  program: z.string().min(1, 'program must be a non-empty string'),
  inputs: z.record(z.string(), z.unknown()),
  version: z.string().min(1).optional(),
  config: z.record(z.string(), z.unknown()).optional(),
});

/** Validated `dspex-run` job data. */
export type RunJob = z.infer<typeof runJobSchema>;

/** The return value of a `dspex-run` job (DESIGN §5). */
export interface RunResult {
  outputs: Record<string, unknown>;
  executionId: string;
  usage: Record<string, unknown>;
}

/** Options of `run` and `submit`: the optional fields of a {@link RunJob}. */
export interface RunOptions {
  /** Optimized state version to run (default: the variable registry's). */
  version?: string;
  /** Per-run configuration overrides (`ProgramConfig` fields: model, temperature, …). */
  config?: Record<string, unknown>;
}

/**
 * A program's runtime configuration. Every field is optional: unset means "what the programs
 * module defined". `stateVersion` names a published optimized state (store program version).
 */
export const programConfigSchema = z
  .object({
    /** Model name; the program's LM is copied with it (same provider and credentials). */
    model: z.string().min(1).optional(),
    temperature: z.number().min(0).max(2).optional(),
    maxTokens: z.number().int().positive().optional(),
    /** `chat`, `json`, `xml`, or an adapter the programs module registers (extensions). */
    adapter: z.string().min(1).optional(),
    /** Demos given to every predictor (replacing theirs). */
    demos: z.array(z.record(z.string(), z.unknown())).optional(),
    /** Instructions of every predictor's signature. */
    instructions: z.string().min(1).optional(),
    /** Optimized state version to load (`store.programs` version), applied before the fields above. */
    stateVersion: z.string().min(1).optional(),
    /**
     * Values of the program's variables by dotted name (its `programSpace`), applied with
     * `applyConfiguration` before everything else. A job may set only the overridable ones.
     */
    variables: z
      .record(z.string().min(1), z.union([z.number(), z.string(), z.boolean(), z.null()]))
      .optional(),
    /** Id of the stored VariableConfiguration `variables` came from (set by a deploy). */
    configuration: z.string().min(1).optional(),
    /**
     * The chosen instruction texts and demos of `variables`' instruction and demo variables (set
     * by a deploy of a configuration that carries them), so every node serves them even when the
     * values index candidates a search filled in on another node.
     */
    candidates: z
      .record(
        z.string().min(1),
        z.union([z.string().min(1), z.array(z.record(z.string(), z.unknown()))]),
      )
      .optional(),
  })
  .strict();
/** A program's runtime configuration. */
export type ProgramConfig = z.infer<typeof programConfigSchema>;

/**
 * A deployment's next configuration: `change` over `prev`, except that deploying other
 * `variables` drops `prev`'s `candidates` (the instruction texts and demos a configuration
 * carries belong to its values, never to the next configuration's).
 *
 * @example
 * ```ts
 * mergeDeployedConfig({ variables: { i: 3 }, candidates: { i: 'Be terse.' } }, { variables: { i: 0 } });
 * // { variables: { i: 0 } }
 * ```
 */
export function mergeDeployedConfig(prev: ProgramConfig, change: ProgramConfig): ProgramConfig {
  const { candidates, ...rest } = prev;
  const kept = change.variables === undefined && candidates !== undefined ? { candidates } : {};
  return { ...rest, ...kept, ...change };
}

/** Why a payload is not a valid `dspex-run` job: the node's failure reason and the zod issues. */
export interface JobProblem {
  reason: string;
  issues: SchemaIssue[];
}

/**
 * Checks `dspex-run` job data as a node does before running it: the {@link runJobSchema} shape
 * (`invalid job data: …`), then the `config` overrides' shape (`invalid job config: …`). What
 * the program allows to override (variables, models) is the node's to check. Producers call it
 * before enqueueing, so a bad payload fails at once with the error a node would give.
 *
 * @example
 * ```ts
 * const problem = runJobProblem({ program: 'qa', inputs: 'x' });
 * // problem?.reason === 'invalid job data: inputs: Invalid input: expected record, received string'
 * ```
 */
export function runJobProblem(data: unknown): JobProblem | undefined {
  const job = runJobSchema.safeParse(data);
  if (!job.success) {
    const issues = flattenIssues(job.error);
    return { reason: `invalid job data: ${issuesText(issues)}`, issues };
  }
  if (job.data.config === undefined) return undefined;
  const config = programConfigSchema.safeParse(job.data.config);
  if (config.success) return undefined;
  const issues = flattenIssues(config.error);
  return { reason: `invalid job config: ${issuesText(issues)}`, issues };
}

/**
 * An example as it crosses a queue: its fields and which of them are inputs. Examples given as
 * plain objects must name their inputs (`inputKeys`).
 */
export const exampleDataSchema = z.object({
  data: z.record(z.string(), z.unknown()),
  inputs: z.array(z.string()).min(1),
});
/** An example as job data. */
export type ExampleData = z.infer<typeof exampleDataSchema>;

/** Job data of one evaluation shard (queue `dspex-eval`). */
export const evaluationShardSchema = z.object({
  evalId: z.string().min(1),
  shard: z.number().int().min(0),
  shards: z.number().int().min(1),
  program: z.string().min(1),
  metric: z.string().min(1),
  examples: z.array(exampleDataSchema),
  concurrency: z.number().int().min(1).optional(),
  config: programConfigSchema.optional(),
  /** A program state (`Module.save()`) loaded over the configured program: a candidate to score. */
  state: z.record(z.string(), z.unknown()).optional(),
  /** Return every example's outputs, trace and metric value too (GEPA's evaluations). */
  traces: z.boolean().optional(),
});
/** One evaluation shard. */
export type EvaluationShard = z.infer<typeof evaluationShardSchema>;

/** LM calls, tokens and dollars a piece of work spent. */
export interface JobSpend {
  lmCalls: number;
  promptTokens: number;
  completionTokens: number;
  usd: number;
}

/** What a shard returns: the metric value of each of its examples, in order. */
export interface ShardResult {
  evalId: string;
  shard: number;
  scores: number[];
  errors: number;
  /** The examples that raised an error: index within the shard and the error's message. */
  failures: { index: number; reason: string }[];
  /** LM calls, tokens and dollars the shard spent. */
  spend?: JobSpend;
  /** Each example's dollars, latency (ms on the shard's node) and LM calls, in order. */
  outcomes?: { cost: number; latencyMs: number; lmCalls: number }[];
  /** The node that ran the shard. */
  node?: string;
  /**
   * With `traces`: each example's outputs, trace and metric value, in order (the optimizers'
   * `TracedRun`; {@link tracedRunSchema} checks them where they arrive).
   */
  runs?: TracedRunData[];
}

/** One predictor call of a traced run: the predictor's name, its inputs and outputs. */
export const tracedStepSchema = z.object({
  predictor: z.string().min(1),
  inputs: z.record(z.string(), z.unknown()),
  outputs: z.record(z.string(), z.unknown()),
});
/** One predictor call of a traced run, as JSON. */
export type TracedStepData = z.infer<typeof tracedStepSchema>;

/**
 * One example's run in a `traces` shard (GEPA's evaluations): the program's outputs (absent when
 * the run raised), its trace, the metric's score, feedback and objective scores, and the error.
 */
export const tracedRunSchema = z.object({
  outputs: z.record(z.string(), z.unknown()).optional(),
  trace: z.array(tracedStepSchema),
  score: z.number(),
  feedback: z.string().nullable().optional(),
  objectives: z.record(z.string(), z.number()).optional(),
  error: z.string().optional(),
});
/** One example's traced run, as JSON. */
export type TracedRunData = z.infer<typeof tracedRunSchema>;

/** Optimizer names an optimization run accepts (the short names are aliases). */
export const OPTIMIZER_NAMES = [
  'labeled-few-shot',
  'bootstrap-few-shot',
  'random-search',
  'bootstrap',
  'random',
  'copro',
  'mipro',
  'simba',
  'gepa',
  'space-search',
] as const;
/** An optimizer name of a run. */
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

/** Job data of one optimization run (queue `dspex-optimize`; the job id is the run id). */
export const optimizationJobSchema = z.object({
  runId: z.string().min(1),
  program: z.string().min(1),
  /** A built-in optimizer (OPTIMIZER_NAMES) or one the programs module registered by name. */
  optimizer: z.string().min(1),
  trainset: z.array(exampleDataSchema),
  valset: z.array(exampleDataSchema).optional(),
  params: z
    .object({
      /** Metric name (the node's metric table). Required by every optimizer but the few-shot two. */
      metric: z.string().min(1).optional(),
      /** Publish the result as the program's active state and tell the variable registry (default true). */
      deploy: z.boolean().optional(),
      /** Evaluation shards per candidate evaluation, spread over the nodes (default 4). */
      shards: z.number().int().min(1).optional(),
      /** Examples run at once within a shard (default: the evaluation worker's). */
      shardConcurrency: z.number().int().min(1).optional(),
    })
    .catchall(z.unknown())
    .default({}),
});
/** One optimization run as job data. */
export type OptimizationJob = z.infer<typeof optimizationJobSchema>;

/** What an optimization run returns. */
export interface OptimizationOutcome {
  runId: string;
  /** Store program version holding the optimized state. */
  version: string;
  deployed: boolean;
  /** The best program's score (percentage), where the optimizer reports one. */
  score?: number;
  /** Why the optimizer stopped early (a budget cap, or `cancelled`). */
  stopReason?: string;
}
