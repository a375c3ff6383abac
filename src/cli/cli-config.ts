import { CONFIG_DEFAULTS, ConfigError, loadConfig, type LoadedConfig } from '../config/index.js';
import { listLocalNodes } from '../daemon/index.js';
import { CliError } from './cli-error.js';
import type { CliIO } from './cli-io.js';

/**
 * Loads the configuration a runtime needs (`start`, `run`, `eval`, `optimize`): `--config PATH` or
 * `dspex.config.*` in the working directory, with env overrides. Config problems become `usage`
 * errors (exit 2) carrying the config's own message.
 */
export async function loadRuntimeConfig(
  io: CliIO,
  configPath: string | undefined,
  env: NodeJS.ProcessEnv = io.env,
): Promise<LoadedConfig> {
  try {
    return await loadConfig({
      cwd: io.cwd,
      env,
      ...(configPath === undefined ? {} : { configPath }),
    });
  } catch (e) {
    if (e instanceof ConfigError)
      throw new CliError('usage', e.message, { cause: e, details: { ...e.details } });
    throw e;
  }
}

/** Where the queues and the cluster view live, for `submit`, `jobs` and `inspect`. */
export interface QueueTarget {
  /** Redis URL, or undefined in embedded mode. */
  redisUrl: string | undefined;
  prefix: string;
  runQueue: string;
  /** The node's own attempts per run job (`jobs.attempts` of the config, else the default). */
  jobAttempts: number;
  /** Where the Redis URL came from: `--redis`, the config (or `DSPEX_REDIS_URL`), a local node's state file. */
  source: 'explicit' | 'local-node' | 'none';
}

/**
 * Resolves the Redis target: `--redis URL` wins, then the config file (when there is one; its
 * programs module is not loaded), then `DSPEX_REDIS_URL`, then the state file of a Redis-mode node
 * started in this folder (so `dspex submit` finds the cluster of the `dspex start` next to it). No
 * URL anywhere means embedded mode.
 */
export async function resolveQueueTarget(
  io: CliIO,
  options: { config?: string; redis?: string; prefix?: string },
): Promise<QueueTarget> {
  let fromConfig: LoadedConfig | undefined;
  try {
    fromConfig = await loadConfig({
      cwd: io.cwd,
      env: io.env,
      ...(options.config === undefined ? {} : { configPath: options.config }),
    });
  } catch (e) {
    // Only "no config here" is fine: a named but broken config is the user's mistake to see.
    if (!(e instanceof ConfigError)) throw e;
    if (e.code !== 'config_not_found' || options.config !== undefined)
      throw new CliError('usage', e.message, { cause: e, details: { ...e.details } });
  }
  const explicit =
    options.redis ?? fromConfig?.config.redis?.url ?? (io.env.DSPEX_REDIS_URL || undefined);
  const node =
    explicit === undefined ? listLocalNodes(io.cwd).live.find((n) => n.redis) : undefined;
  return {
    redisUrl: explicit ?? node?.redis?.url,
    source: explicit !== undefined ? 'explicit' : node !== undefined ? 'local-node' : 'none',
    prefix:
      options.prefix ??
      fromConfig?.config.redis?.prefix ??
      node?.redis?.prefix ??
      CONFIG_DEFAULTS.prefix,
    runQueue: fromConfig?.config.queues.run ?? node?.runQueue ?? CONFIG_DEFAULTS.runQueue,
    jobAttempts: fromConfig?.config.jobs.attempts ?? CONFIG_DEFAULTS.jobAttempts,
  };
}

/** The Redis URL of a target, or `usage` naming how to set one (these commands need Redis mode). */
export function requireRedis(target: QueueTarget, command: string): string {
  if (target.redisUrl !== undefined) return target.redisUrl;
  throw new CliError(
    'usage',
    `\`dspex ${command}\` needs Redis mode: set redis.url in dspex.config.*, DSPEX_REDIS_URL, or pass --redis URL` +
      (command.startsWith('submit')
        ? ' (to run a program locally without Redis, use `dspex run`)'
        : ''),
  );
}
