import { z } from 'zod';

/** Defaults of every runtime setting, in one place (STYLE habit 2). */
export const CONFIG_DEFAULTS = {
  runQueue: 'dspex-run',
  prefix: 'dspex',
  concurrency: 8,
  adminHost: '127.0.0.1',
  adminPort: 7390,
  drainTimeoutMs: 30_000,
  heartbeatMs: 2_000,
  logLevel: 'info',
} as const;

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
      .default({ enabled: true, host: CONFIG_DEFAULTS.adminHost, port: CONFIG_DEFAULTS.adminPort }),
    shutdown: z
      .object({ drainTimeoutMs: z.number().int().min(0).default(CONFIG_DEFAULTS.drainTimeoutMs) })
      .strict()
      .default({ drainTimeoutMs: CONFIG_DEFAULTS.drainTimeoutMs }),
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
