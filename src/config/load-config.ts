import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from './config-error.js';
import { locateJsonError, positionAt } from './json-position.js';
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

/**
 * Imports a user's module file (config or programs module: `.ts`, `.mts`, `.js`, `.mjs`) and
 * returns its namespace. Each way it can fail gets its own {@link ConfigError}
 * `config_load_failed` message: the file is missing, it has a syntax error (with its position), or
 * its code threw while loading (with the error and where it was thrown).
 *
 * @example
 * ```ts
 * const mod = await importUserModule('/app/programs.ts', 'programs module');
 * ```
 */
export async function importUserModule(
  file: string,
  what: string,
  /**
   * A tag appended to the file URL as its fragment (`v=3` → `…/programs.ts#v=3`): ESM caches
   * modules by URL, so a new tag re-evaluates the file. A fragment, not a query: on Node 24 (type
   * stripping built in) tsx no longer compiles a `.ts` URL that has a query, and the re-import
   * fails with a syntax error; a fragment re-imports on Node 20 and 24 alike.
   */
  query?: string,
): Promise<Record<string, unknown>> {
  if (!existsSync(file))
    throw new ConfigError('config_load_failed', `${what} ${file} does not exist`, {
      details: { path: file },
    });
  try {
    const url = pathToFileURL(file).href;
    return (await import(query === undefined ? url : `${url}#${query}`)) as Record<string, unknown>;
  } catch (cause) {
    throw new ConfigError('config_load_failed', describeLoadFailure(cause, file, what), {
      cause,
      details: { path: file },
    });
  }
}

/** One sentence for a module that failed to load. */
function describeLoadFailure(cause: unknown, file: string, what: string): string {
  const error = cause instanceof Error ? cause : new Error(String(cause));
  const message = error.message.trim();
  // esbuild (through tsx) reports TypeScript syntax errors as "Transform failed with N error(s):
  // <file>:<line>:<col>: ERROR: <text>"; V8 throws a SyntaxError for JavaScript.
  const transform = /Transform failed[^\n]*\n(?:.*?):(\d+):(\d+): ERROR: (.*)/.exec(message);
  if (transform !== null)
    return `${what} ${file} has a syntax error at line ${transform[1]}, column ${transform[2]}: ${transform[3]}`;
  if (error instanceof SyntaxError || error.name === 'SyntaxError') {
    const where = /:(\d+)(?::(\d+))?\s*$/m.exec(error.stack?.split('\n')[0] ?? '');
    return `${what} ${file} has a syntax error${where === null ? '' : ` at line ${where[1]}`}: ${message}`;
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND')
    return `${what} ${file} imports something that cannot be found: ${message}`;
  const frame = error.stack
    ?.split('\n')
    .find((line) => line.includes(file) || line.includes(pathToFileURL(file).href));
  const at = frame === undefined ? '' : ` (${frame.trim().replace(/^at\s+/, '')})`;
  return `${what} ${file} threw while loading: ${error.name === 'Error' ? '' : `${error.name}: `}${message}${at}`;
}

async function readConfigFile(file: string): Promise<unknown> {
  if (file.endsWith('.json')) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (cause) {
      throw new ConfigError(
        'config_load_failed',
        `cannot read config ${file}: ${(cause as Error).message}`,
        {
          cause,
          details: { path: file },
        },
      );
    }
    try {
      return JSON.parse(text);
    } catch (cause) {
      const pos = locateJsonError(text) ?? positionAt(text, text.length);
      const reason = (cause as Error).message
        .replace(/ in JSON at position \d+.*$/, '')
        .replace(/, "[\s\S]*" is not valid JSON$/, '');
      throw new ConfigError(
        'config_load_failed',
        `config ${file} is not valid JSON: ${reason} at line ${pos.line}, column ${pos.column}`,
        { cause, details: { path: file, line: pos.line, column: pos.column } },
      );
    }
  }
  const mod = await importUserModule(file, 'config');
  return mod.default ?? mod;
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
