import { relative } from 'node:path';
import { startDaemon, type Daemon } from '../../daemon/index.js';
import { createLogger } from '../../telemetry/index.js';
import type { CliDeps } from '../cli-deps.js';
import { loadRuntimeConfig } from '../cli-config.js';
import { CliError } from '../cli-error.js';
import { assertRedisReachable, redactRedisUrl } from '../redis-access.js';
import { toCliError } from '../runtime-errors.js';
import type { CliRuntime } from '../runtime-port.js';

/** Env vars that point the example programs (and most users' programs) at a model. */
const LM_ENV_VARS = [
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'ANTHROPIC_API_KEY',
  'DSPEX_MODEL',
] as const;

/** What the banner shows. */
export interface BannerFacts {
  nodeId: string;
  pid: number;
  mode: 'embedded' | 'redis';
  redisUrl?: string;
  prefix?: string;
  runQueue: string;
  concurrency: number;
  programs: readonly string[];
  programsPath: string;
  adminUrl: string | null;
  /** The configured admin port, when it was taken and a free one was used instead. */
  adminPortTaken?: number | null;
  tokenRequired: boolean;
  /** The HTTP API's URL, when `http.enabled`. */
  httpUrl?: string | null;
  /** The configured HTTP port, when it was taken and a free one was used instead. */
  httpPortTaken?: number | null;
  stateFile: string | null;
  /** Names of the LM env vars that are set. */
  lmEnv: readonly string[];
}

/** The start-up banner of `dspex start`: who, where, what, and how to point it at a model. */
export function renderBanner(f: BannerFacts): string {
  const lines = [
    `dspex daemon started`,
    `  node      ${f.nodeId} (pid ${f.pid})`,
    f.mode === 'redis'
      ? `  mode      redis ${redactRedisUrl(f.redisUrl ?? '')} (prefix ${f.prefix ?? 'dspex'}, queue ${f.runQueue}, concurrency ${f.concurrency})`
      : `  mode      embedded (in-memory queues and store; set redis.url or DSPEX_REDIS_URL for Redis mode)`,
    `  programs  ${f.programs.length > 0 ? f.programs.join(', ') : '(none)'}  from ${f.programsPath}`,
    f.adminUrl === null
      ? `  admin     disabled (admin.enabled is false)`
      : `  admin     ${f.adminUrl}${f.tokenRequired ? ' (bearer token required)' : ''}${f.stateFile ? `  state ${f.stateFile}` : ''}`,
  ];
  if (f.adminUrl !== null && f.adminPortTaken != null)
    lines.push(
      `            (port ${f.adminPortTaken} was taken, by another node?: this node listens on a free port)`,
    );
  if (f.httpUrl != null)
    lines.push(
      `  http      ${f.httpUrl}/v1  (OpenAPI: ${f.httpUrl}/v1/openapi.json)`,
      ...(f.httpPortTaken != null
        ? [
            `            (port ${f.httpPortTaken} was taken, by another node?: this node listens on a free port)`,
          ]
        : []),
    );
  if (f.lmEnv.length > 0) lines.push(`  LM env    ${f.lmEnv.join(', ')} set`);
  else
    lines.push(
      `  LM        none configured in the environment: programs run on whatever LM their module sets`,
      `            (the bundled examples fall back to an offline demo LM). To use a real model set:`,
      `              OPENAI_API_KEY=...                         OpenAI (DSPEX_MODEL picks the model, default gpt-4o-mini)`,
      `              OPENAI_BASE_URL=http://localhost:11434/v1  any OpenAI-compatible server: vLLM, Ollama, llama.cpp, LM Studio`,
      `              ANTHROPIC_API_KEY=...                      Anthropic`,
      `              DSPEX_MODEL=<model>                        the model name for either`,
    );
  lines.push(
    `  inspect   npx dspex inspect${f.mode === 'redis' ? '   submit: npx dspex submit <program> --input JSON --wait' : ''}`,
    `  stop      Ctrl-C or kill -TERM ${f.pid} (drains in-flight work; a second signal forces exit)`,
  );
  return `${lines.join('\n')}\n`;
}

/** `path` relative to `cwd` when it lies inside it, else absolute. */
function shortPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel === '' || rel.startsWith('..') ? path : rel;
}

/**
 * `dspex start`: loads the config, checks Redis (exit 5 when unreachable), starts the runtime and
 * the daemon, prints the banner and runs until SIGTERM/SIGINT; resolves with the exit code.
 */
export async function startCommand(deps: CliDeps, options: { config?: string }): Promise<number> {
  const { io } = deps;
  const loaded = await loadRuntimeConfig(io, options.config);
  const { config } = loaded;
  if (config.redis !== undefined) await assertRedisReachable(config.redis.url);
  const logger = createLogger({
    level: config.logLevel,
    destination: deps.logDestination ?? process.stderr,
  });
  let runtime: CliRuntime;
  try {
    runtime = await deps.startRuntime(loaded, { logger, purpose: 'daemon' });
  } catch (e) {
    throw toCliError(e);
  }
  let daemon: Daemon;
  try {
    daemon = await startDaemon({
      runtime,
      config,
      logger,
      cwd: io.cwd,
      runQueue: config.queues.run,
      ...(runtime.httpApi === undefined ? {} : { api: runtime.httpApi }),
    });
  } catch (e) {
    await runtime.stop().catch(() => undefined);
    throw e instanceof CliError ? e : new CliError('failed', (e as Error).message, { cause: e });
  }
  io.stdout.write(
    renderBanner({
      nodeId: runtime.nodeId,
      pid: process.pid,
      mode: runtime.mode,
      ...(config.redis === undefined
        ? {}
        : { redisUrl: config.redis.url, prefix: config.redis.prefix }),
      runQueue: config.queues.run,
      concurrency: config.queues.concurrency,
      programs: runtime.programs(),
      programsPath: shortPath(io.cwd, loaded.programsPath),
      adminUrl: daemon.admin?.url ?? null,
      adminPortTaken: daemon.adminPortTaken,
      httpUrl: daemon.http?.url ?? null,
      httpPortTaken: daemon.httpPortTaken,
      tokenRequired: config.admin.token !== undefined,
      stateFile: daemon.stateFile === null ? null : shortPath(io.cwd, daemon.stateFile),
      lmEnv: LM_ENV_VARS.filter((k) => (io.env[k] ?? '') !== ''),
    }),
  );
  return daemon.done;
}
