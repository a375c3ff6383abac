import { isAbsolute, resolve } from 'node:path';
import type { Metric } from '../src/evaluate/index.js';
import type { Module } from '../src/modules/index.js';
import {
  ConfigError,
  importUserModule,
  parseConfig,
  type LoadedConfig,
  type RuntimeConfig,
  type RuntimeConfigInput,
} from '../src/config/index.js';
import type { PipelineEntry } from './pipelines.js';

/** What `startRuntime` accepts: a config object (programs as a path or a record) or `loadConfig()`'s result. */
export type StartRuntimeConfig =
  | (Omit<RuntimeConfigInput, 'programs'> & { programs: string | Record<string, Module> })
  | (LoadedConfig & { programs?: Record<string, Module> });

/** The resolved configuration and the loaded programs module. */
export interface ResolvedRuntimeConfig {
  config: RuntimeConfig;
  programs: Record<string, unknown>;
  /** The programs module's `metrics` export, if any (named metrics every node knows). */
  metrics: Record<string, Metric>;
  /** The programs module's `pipelines` export, if any (hosted as stage jobs on every node). */
  pipelines?: Record<string, PipelineEntry>;
}

const INLINE = '<inline>';

function isLoaded(
  c: StartRuntimeConfig,
): c is LoadedConfig & { programs?: Record<string, Module> } {
  return 'config' in c && 'programsPath' in c;
}

/** Imports the programs module: its default export is the record of programs (DESIGN §5). */
async function importPrograms(path: string): Promise<{
  programs: Record<string, unknown>;
  metrics: Record<string, Metric>;
  pipelines?: Record<string, PipelineEntry>;
}> {
  const file = isAbsolute(path) ? path : resolve(process.cwd(), path);
  const mod = await importUserModule(file, 'programs module');
  const programs = mod.default;
  if (programs === undefined)
    throw new ConfigError(
      'invalid_config',
      `programs module ${file} has no default export (its exports: ${Object.keys(mod).join(', ') || 'none'}); write \`export default { name: new Predict(...) }\``,
      { details: { path: file } },
    );
  if (typeof programs !== 'object' || programs === null || Array.isArray(programs))
    throw new ConfigError(
      'invalid_config',
      `programs module ${file} must default-export a record of programs (name → Module), not ${Array.isArray(programs) ? 'an array' : typeof programs}`,
      { details: { path: file } },
    );
  const metrics = (
    typeof mod.metrics === 'object' && mod.metrics !== null ? mod.metrics : {}
  ) as Record<string, Metric>;
  const pipelines = mod.pipelines;
  if (pipelines === undefined) return { programs: programs as Record<string, unknown>, metrics };
  if (typeof pipelines !== 'object' || pipelines === null || Array.isArray(pipelines))
    throw new ConfigError(
      'invalid_config',
      `programs module ${file} exports \`pipelines\` as ${Array.isArray(pipelines) ? 'an array' : typeof pipelines}; export a record (name → Pipeline or { stages })`,
      { details: { path: file } },
    );
  return {
    programs: programs as Record<string, unknown>,
    metrics,
    pipelines: pipelines as Record<string, PipelineEntry>,
  };
}

/** Validates the configuration (defaults applied) and loads the programs. */
export async function resolveRuntimeConfig(
  input: StartRuntimeConfig,
): Promise<ResolvedRuntimeConfig> {
  if (isLoaded(input)) {
    if (input.programs !== undefined)
      return { config: input.config, programs: input.programs, metrics: {} };
    return { config: input.config, ...(await importPrograms(input.programsPath)) };
  }
  const inline = typeof input.programs !== 'string';
  const config = parseConfig(
    { ...input, programs: inline ? INLINE : input.programs },
    'runtime config',
  );
  if (typeof input.programs !== 'string') return { config, programs: input.programs, metrics: {} };
  return { config, ...(await importPrograms(input.programs)) };
}
