import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from './config-error.js';
import { runtimeConfigSchema, type RuntimeConfig, type RuntimeConfigInput } from './schema.js';

/** File names searched in the working directory, in this order. */
export const CONFIG_FILE_NAMES = [
  'dspex.config.ts',
  'dspex.config.mjs',
  'dspex.config.js',
  'dspex.config.json',
] as const;

/** A loaded configuration and where it came from. */
export interface LoadedConfig {
  config: RuntimeConfig;
  /** Absolute path of the file read, or null when the config came only from the environment. */
  file: string | null;
  /** Absolute path of the programs module. */
  programsPath: string;
}

/** Finds the config file: `explicit` if given, else the first of {@link CONFIG_FILE_NAMES} in `cwd`. */
export function findConfigFile(cwd: string, explicit?: string): string | null {
  if (explicit !== undefined) {
    const p = isAbsolute(explicit) ? explicit : resolve(cwd, explicit);
    if (!existsSync(p))
      throw new ConfigError('config_not_found', `config file not found: ${p}`, {
        details: { path: p },
      });
    return p;
  }
  for (const name of CONFIG_FILE_NAMES) {
    const p = resolve(cwd, name);
    if (existsSync(p)) return p;
  }
  return null;
}

async function readConfigFile(file: string): Promise<unknown> {
  try {
    if (file.endsWith('.json')) return JSON.parse(readFileSync(file, 'utf8'));
    const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
    return mod.default ?? mod;
  } catch (e) {
    throw new ConfigError(
      'config_load_failed',
      `cannot load config ${file}: ${(e as Error).message}`,
      {
        cause: e,
        details: { path: file },
      },
    );
  }
}

/**
 * Applies the environment overrides of DESIGN §5 on top of the file's values:
 * `DSPEX_REDIS_URL`, `DSPEX_PROGRAMS`, `DSPEX_NODE_ID`, `DSPEX_ADMIN_PORT`, `DSPEX_ADMIN_TOKEN`,
 * `DSPEX_CONCURRENCY`, `DSPEX_LOG_LEVEL`. (Provider keys such as `OPENAI_API_KEY` are read by the providers.)
 */
export function applyEnvOverrides(
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...raw };
  const obj = (k: string): Record<string, unknown> => ({
    ...((out[k] as Record<string, unknown> | undefined) ?? {}),
  });
  if (env.DSPEX_PROGRAMS) out.programs = env.DSPEX_PROGRAMS;
  if (env.DSPEX_REDIS_URL !== undefined) {
    if (env.DSPEX_REDIS_URL === '') delete out.redis;
    else out.redis = { ...obj('redis'), url: env.DSPEX_REDIS_URL };
  }
  if (env.DSPEX_NODE_ID) out.node = { ...obj('node'), id: env.DSPEX_NODE_ID };
  if (env.DSPEX_ADMIN_PORT) out.admin = { ...obj('admin'), port: Number(env.DSPEX_ADMIN_PORT) };
  if (env.DSPEX_ADMIN_TOKEN) out.admin = { ...obj('admin'), token: env.DSPEX_ADMIN_TOKEN };
  if (env.DSPEX_CONCURRENCY)
    out.queues = { ...obj('queues'), concurrency: Number(env.DSPEX_CONCURRENCY) };
  if (env.DSPEX_LOG_LEVEL) out.logLevel = env.DSPEX_LOG_LEVEL;
  return out;
}

/**
 * Validates a configuration object, applying defaults. Throws {@link ConfigError} `invalid_config`
 * whose message lists every offending path with zod's reason.
 */
export function parseConfig(raw: unknown, source = 'config'): RuntimeConfig {
  const res = runtimeConfigSchema.safeParse(raw);
  if (res.success) return res.data;
  const lines = res.error.issues.map(
    (i) => `  - ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`,
  );
  throw new ConfigError('invalid_config', `invalid ${source}:\n${lines.join('\n')}`, {
    details: {
      issues: res.error.issues.map((i) => ({
        path: i.path.map(String),
        message: i.message,
        code: i.code,
      })),
    },
  });
}

/**
 * Loads `dspex.config.*` from `cwd` (or `options.configPath`), applies env overrides and validates it.
 * With no file at all, `DSPEX_PROGRAMS` alone is enough.
 *
 * @example
 * ```ts
 * const { config, programsPath } = await loadConfig({ cwd: process.cwd() });
 * ```
 */
export async function loadConfig(
  options: {
    cwd?: string;
    configPath?: string;
    env?: NodeJS.ProcessEnv;
    overrides?: Partial<RuntimeConfigInput>;
  } = {},
): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const file = findConfigFile(cwd, options.configPath);
  const fromFile = file === null ? {} : await readConfigFile(file);
  if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile)) {
    throw new ConfigError('invalid_config', `config ${file ?? ''} must export an object`, {
      details: { path: file },
    });
  }
  const merged = {
    ...applyEnvOverrides(fromFile as Record<string, unknown>, env),
    ...(options.overrides ?? {}),
  };
  if (file === null && merged.programs === undefined) {
    throw new ConfigError(
      'config_not_found',
      `no dspex.config.{ts,mjs,js,json} in ${cwd} and no DSPEX_PROGRAMS set; pass --config PATH`,
      { details: { cwd } },
    );
  }
  const config = parseConfig(merged, file ?? 'configuration');
  const base = file === null ? cwd : dirname(file);
  const programsPath = isAbsolute(config.programs)
    ? config.programs
    : resolve(base, config.programs);
  return { config, file, programsPath };
}
