import { dirname, isAbsolute, resolve } from 'node:path';
import { ProgramCatalog, builtinExtensionNames } from '../services/index.js';
import { ExtensionRegistry } from '../src/extensions/index.js';
import type { Metric } from '../src/evaluate/index.js';
import type { Module } from '../src/modules/index.js';
import {
  parseConfig,
  type LoadedConfig,
  type RuntimeConfig,
  type RuntimeConfigInput,
} from '../src/config/index.js';
import type { PipelineEntry } from './pipelines.js';
import { loadProgramsModule, type ProgramsSource } from './programs-module.js';

/** What `startRuntime` accepts: a config object (programs as a path or a record) or `loadConfig()`'s result. */
export type StartRuntimeConfig =
  | (Omit<RuntimeConfigInput, 'programs'> & { programs: string | Record<string, Module> })
  | (LoadedConfig & { programs?: Record<string, Module> });

/** The resolved configuration and the loaded programs module. */
export interface ResolvedRuntimeConfig {
  config: RuntimeConfig;
  programs: Record<string, unknown>;
  /** The metrics the programs module and plugins register (named metrics every node knows). */
  metrics: Record<string, Metric>;
  /** The programs module's `pipelines` export, if any (hosted as stage jobs on every node). */
  pipelines?: Record<string, PipelineEntry>;
  /** The programs (version 1) with the extensions they register. */
  catalog: ProgramCatalog;
  /** The files a reload reads again; absent for programs given inline. */
  source?: ProgramsSource;
}

const INLINE = '<inline>';

function isLoaded(
  c: StartRuntimeConfig,
): c is LoadedConfig & { programs?: Record<string, Module> } {
  return 'config' in c && 'programsPath' in c;
}

/** Validates the configuration (defaults applied) and loads the programs (version 1). */
export async function resolveRuntimeConfig(
  input: StartRuntimeConfig,
  callerMetrics: readonly string[] = [],
): Promise<ResolvedRuntimeConfig> {
  const inlineCatalog = (programs: Record<string, unknown>): ProgramCatalog =>
    new ProgramCatalog(programs, new ExtensionRegistry(builtinExtensionNames(callerMetrics)));
  if (isLoaded(input)) {
    if (input.programs !== undefined)
      return {
        config: input.config,
        programs: input.programs,
        metrics: {},
        catalog: inlineCatalog(input.programs),
      };
    const base = input.file === null ? process.cwd() : dirname(input.file);
    const source = sourceOf(input.programsPath, input.config.plugins, base, callerMetrics);
    return { config: input.config, source, ...(await loadProgramsModule(source, 1)) };
  }
  const inline = typeof input.programs !== 'string';
  const config = parseConfig(
    { ...input, programs: inline ? INLINE : input.programs },
    'runtime config',
  );
  if (typeof input.programs !== 'string')
    return {
      config,
      programs: input.programs,
      metrics: {},
      catalog: inlineCatalog(input.programs),
    };
  const source = sourceOf(input.programs, config.plugins, process.cwd(), callerMetrics);
  return { config, source, ...(await loadProgramsModule(source, 1)) };
}

function sourceOf(
  programs: string,
  plugins: readonly string[],
  base: string,
  callerMetrics: readonly string[],
): ProgramsSource {
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(base, p));
  return { file: abs(programs), plugins: plugins.map(abs), callerMetrics };
}
