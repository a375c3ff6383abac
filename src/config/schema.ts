import { z } from 'zod';
import { adminExposureProblem } from './loopback.js';

/** Defaults of every runtime setting, in one place (STYLE habit 2). */
export const CONFIG_DEFAULTS = {
  runQueue: 'dspex-run',
  prefix: 'dspex',
  concurrency: 8,
  adminHost: '127.0.0.1',
  adminPort: 7390,
  httpHost: '127.0.0.1',
  httpPort: 7391,
  /** Longest a synchronous HTTP run may take (a request's `deadlineMs` may only lower it). */
  httpRunDeadlineMs: 60_000,
  /** `Retry-After` of the HTTP API's 429 when the node's worker slots are full. */
  httpRetryAfterSeconds: 1,
  /** `dspex-run` jobs waiting in the queue before `POST /v1/programs/:name/jobs` answers 429. */
  httpMaxQueuedJobs: 10_000,
  httpMaxBodyBytes: 16 * 1024 * 1024,
  drainTimeoutMs: 30_000,
  heartbeatMs: 2_000,
  logLevel: 'info',
  /** Attempts of a `dspex-run` job under the node's own retry policy (a producer may ask for more). */
  jobAttempts: 3,
  /** Base of the exponential backoff between a job's attempts. */
  jobBackoffMs: 1_000,
  /** A job still running after this long is stopped and its worker killed (10 min). */
  jobDeadlineMs: 600_000,
  /** The longest a provider's retry hint (Retry-After, an open circuit) may delay a job. */
  maxRetryAfterMs: 60_000,
  /** Node deaths/hangs a job may cause (lost locks) before it is failed as a poison job. */
  maxCrashes: 2,
  /** Largest `maxTokens` a job may ask for in its `config`. */
  jobMaxTokens: 16_384,
  /** Per-attempt timeout of an LM call made by a hosted program (2 min). */
  lmTimeoutMs: 120_000,
  /** Largest LM answer accepted, in characters of text (1 MiB). */
  lmMaxResponseChars: 1_048_576,
  /** LM calls each LM keeps in its in-process history on a node (DSPy keeps 10 000 globally). */
  lmHistorySize: 100,
  /** Completed jobs kept in the queue: for this long (s) and at most this many. */
  keepCompletedSeconds: 24 * 3600,
  keepCompletedCount: 1_000,
  /** Failed jobs kept in the queue: for this long (s) and at most this many. */
  keepFailedSeconds: 7 * 24 * 3600,
  keepFailedCount: 10_000,
  /** How long an execution record lives in the store (7 days). */
  executionTtlSeconds: 7 * 24 * 3600,
} as const;

const keepSchema = (age: number, count: number) =>
  z
    .object({
      /** Seconds a finished job is kept. */
      ageSeconds: z.number().int().positive().default(age),
      /** Most finished jobs kept. */
      count: z.number().int().min(0).default(count),
    })
    .strict()
    .default({ ageSeconds: age, count });

const limitsSchema = z
  .object({
    /** Calls in flight at once for this provider/model. */
    concurrency: z.number().int().positive().optional(),
    /** Requests per minute (token bucket). */
    rpm: z.number().positive().optional(),
    /** Tokens per minute (token bucket). */
    tpm: z.number().positive().optional(),
  })
  .strict();

/**
 * The daemon/runtime configuration (`dspex.config.{ts,js,json}` or `--config PATH`). DESIGN §5: at
 * least `{ programs, redis? }`; no Redis URL means embedded mode (in-memory transport and store).
 */
export const runtimeConfigSchema = z
  .object({
    /** Path of the programs module (default export: record of program name → Module), relative to the config file. */
    programs: z.string().min(1),
    /**
     * Plugin modules (paths relative to the config file) whose `extensions` export registers
     * metrics, optimizers, adapters, LM providers and modules by name, as the programs module's may.
     */
    plugins: z.array(z.string().min(1)).default([]),
    /**
     * Development: reload the programs module (and plugins) when their files change, as
     * `dspex reload` does (debounced; a module that fails to load leaves the old one serving).
     */
    watch: z.boolean().default(false),
    redis: z
      .object({ url: z.string().url(), prefix: z.string().min(1).default(CONFIG_DEFAULTS.prefix) })
      .strict()
      .optional(),
    node: z
      .object({ id: z.string().min(1).optional() })
      .strict()
      .default({}),
    queues: z
      .object({
        run: z.string().min(1).default(CONFIG_DEFAULTS.runQueue),
        concurrency: z.number().int().positive().default(CONFIG_DEFAULTS.concurrency),
      })
      .strict()
      .default({ run: CONFIG_DEFAULTS.runQueue, concurrency: CONFIG_DEFAULTS.concurrency }),
    admin: z
      .object({
        enabled: z.boolean().default(true),
        host: z.string().default(CONFIG_DEFAULTS.adminHost),
        port: z.number().int().min(0).max(65535).default(CONFIG_DEFAULTS.adminPort),
        token: z.string().min(1).optional(),
      })
      .strict()
      // An endpoint reachable from other machines must require a bearer token.
      .superRefine((admin, ctx) => {
        const problem = adminExposureProblem(admin);
        if (problem !== undefined)
          ctx.addIssue({ code: 'custom', path: ['token'], message: problem });
      })
      .default({ enabled: true, host: CONFIG_DEFAULTS.adminHost, port: CONFIG_DEFAULTS.adminPort }),
    /**
     * The HTTP API (src/http): off by default. Bound beyond loopback only with at least one bearer
     * token (the daemon refuses to start otherwise).
     */
    http: z
      .object({
        enabled: z.boolean().default(false),
        host: z.string().default(CONFIG_DEFAULTS.httpHost),
        port: z.number().int().min(0).max(65535).default(CONFIG_DEFAULTS.httpPort),
        tokens: z
          .array(z.string().min(8, 'an HTTP token must have at least 8 characters'))
          .default([]),
        runDeadlineMs: z.number().int().positive().default(CONFIG_DEFAULTS.httpRunDeadlineMs),
        retryAfterSeconds: z.number().int().min(0).default(CONFIG_DEFAULTS.httpRetryAfterSeconds),
        maxQueuedJobs: z.number().int().positive().default(CONFIG_DEFAULTS.httpMaxQueuedJobs),
        /** Largest request body, bytes (413 `body_too_large` beyond it). */
        maxBodyBytes: z.number().int().positive().default(CONFIG_DEFAULTS.httpMaxBodyBytes),
      })
      .strict()
      .default({
        enabled: false,
        host: CONFIG_DEFAULTS.httpHost,
        port: CONFIG_DEFAULTS.httpPort,
        tokens: [],
        runDeadlineMs: CONFIG_DEFAULTS.httpRunDeadlineMs,
        retryAfterSeconds: CONFIG_DEFAULTS.httpRetryAfterSeconds,
        maxQueuedJobs: CONFIG_DEFAULTS.httpMaxQueuedJobs,
        maxBodyBytes: CONFIG_DEFAULTS.httpMaxBodyBytes,
      }),
    /**
     * Tracing: OpenTelemetry spans (run → program → module → LM call, queue hops) exported over
     * OTLP/HTTP when enabled; without it the `@opentelemetry/api` no-op tracer costs nothing.
     */
    telemetry: z
      .object({
        otel: z
          .object({
            enabled: z.boolean().default(false),
            /** OTLP/HTTP traces endpoint (default: the exporter's, `http://localhost:4318/v1/traces`). */
            endpoint: z.string().url().optional(),
            /** `service.name` of the spans. */
            serviceName: z.string().min(1).default('dspex'),
          })
          .strict()
          .default({ enabled: false, serviceName: 'dspex' }),
      })
      .strict()
      .default({ otel: { enabled: false, serviceName: 'dspex' } }),
    shutdown: z
      .object({ drainTimeoutMs: z.number().int().min(0).default(CONFIG_DEFAULTS.drainTimeoutMs) })
      .strict()
      .default({ drainTimeoutMs: CONFIG_DEFAULTS.drainTimeoutMs }),
    /**
     * The node's job policy (queue `dspex-run`). The node owns a job's retries: retryable failures
     * are retried `attempts` times in all (or the producer's own `attempts` when higher), the job
     * waiting in the queue (`delayed`, no worker slot held) for `max(backoff, retry hint)`, the hint
     * capped at `maxRetryAfterMs`.
     */
    jobs: z
      .object({
        attempts: z.number().int().positive().default(CONFIG_DEFAULTS.jobAttempts),
        backoffMs: z.number().int().min(0).default(CONFIG_DEFAULTS.jobBackoffMs),
        deadlineMs: z.number().int().positive().default(CONFIG_DEFAULTS.jobDeadlineMs),
        maxRetryAfterMs: z.number().int().min(0).default(CONFIG_DEFAULTS.maxRetryAfterMs),
        maxCrashes: z.number().int().min(0).default(CONFIG_DEFAULTS.maxCrashes),
        /** What a job's `config` may override (anything else is rejected with the job). */
        overrides: z
          .object({
            /**
             * Models a job may pick with `config.model`, besides the one configured for the program.
             * Each model is a client-pool key and a metrics series, so the list is closed.
             */
            models: z.array(z.string().min(1)).default([]),
            maxTokens: z.number().int().positive().default(CONFIG_DEFAULTS.jobMaxTokens),
          })
          .strict()
          .default({ models: [], maxTokens: CONFIG_DEFAULTS.jobMaxTokens }),
      })
      .strict()
      .default({
        attempts: CONFIG_DEFAULTS.jobAttempts,
        backoffMs: CONFIG_DEFAULTS.jobBackoffMs,
        deadlineMs: CONFIG_DEFAULTS.jobDeadlineMs,
        maxRetryAfterMs: CONFIG_DEFAULTS.maxRetryAfterMs,
        maxCrashes: CONFIG_DEFAULTS.maxCrashes,
        overrides: { models: [], maxTokens: CONFIG_DEFAULTS.jobMaxTokens },
      }),
    /** LM calls made by hosted programs (a call's own `timeoutMs` wins). */
    lm: z
      .object({
        timeoutMs: z.number().int().positive().default(CONFIG_DEFAULTS.lmTimeoutMs),
        maxResponseChars: z.number().int().positive().default(CONFIG_DEFAULTS.lmMaxResponseChars),
        historySize: z.number().int().min(0).default(CONFIG_DEFAULTS.lmHistorySize),
      })
      .strict()
      .default({
        timeoutMs: CONFIG_DEFAULTS.lmTimeoutMs,
        maxResponseChars: CONFIG_DEFAULTS.lmMaxResponseChars,
        historySize: CONFIG_DEFAULTS.lmHistorySize,
      }),
    /** What is kept, and for how long (queue jobs, execution records, traces). */
    retention: z
      .object({
        completedJobs: keepSchema(
          CONFIG_DEFAULTS.keepCompletedSeconds,
          CONFIG_DEFAULTS.keepCompletedCount,
        ),
        failedJobs: keepSchema(CONFIG_DEFAULTS.keepFailedSeconds, CONFIG_DEFAULTS.keepFailedCount),
        /** Execution records expire this long after they finish (0: kept for ever). */
        executionTtlSeconds: z.number().int().min(0).default(CONFIG_DEFAULTS.executionTtlSeconds),
        /** Record each execution's trace (every predictor's inputs and outputs). */
        trace: z.boolean().default(false),
      })
      .strict()
      .default({
        completedJobs: {
          ageSeconds: CONFIG_DEFAULTS.keepCompletedSeconds,
          count: CONFIG_DEFAULTS.keepCompletedCount,
        },
        failedJobs: {
          ageSeconds: CONFIG_DEFAULTS.keepFailedSeconds,
          count: CONFIG_DEFAULTS.keepFailedCount,
        },
        executionTtlSeconds: CONFIG_DEFAULTS.executionTtlSeconds,
        trace: false,
      }),
    /** Client-pool limits keyed by `provider:model` (or `provider:*`). */
    limits: z.record(z.string(), limitsSchema).default({}),
    logLevel: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default(CONFIG_DEFAULTS.logLevel),
  })
  .strict();

/** A validated configuration, defaults applied. */
export type RuntimeConfig = z.infer<typeof runtimeConfigSchema>;
/** What a user writes: every field with a default may be left out. */
export type RuntimeConfigInput = z.input<typeof runtimeConfigSchema>;
