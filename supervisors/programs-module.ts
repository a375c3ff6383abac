import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  BUILTIN_MODULE_FACTORIES,
  ProgramCatalog,
  builtinExtensionNames,
  type ProgramsVersion,
} from '../services/index.js';
import { ConfigError, importUserModule } from '../src/config/index.js';
import type { Metric } from '../src/evaluate/index.js';
import { ExtensionRegistry, unknownExtension, type Extensions } from '../src/extensions/index.js';
import { Module, StrategyModule, type StrategyConstructor } from '../src/modules/index.js';
import { v } from '../src/variables/index.js';
import type { PipelineEntry } from './pipelines.js';

/** Where a node's programs come from: the programs module and the plugin modules (absolute paths). */
export interface ProgramsSource {
  file: string;
  plugins: readonly string[];
  /** Metric names the runtime's caller passed (`RuntimeOptions.metrics`): built-ins to the registry. */
  callerMetrics?: readonly string[];
}

/** One loaded, validated version of the programs module. */
export interface LoadedPrograms {
  /** Programs, extensions and version, ready to serve (or to swap in). */
  catalog: ProgramCatalog;
  programs: Record<string, unknown>;
  /** Every metric the module and plugins register (extensions and the legacy `metrics` export). */
  metrics: Record<string, Metric>;
  /** The module's `pipelines` export, if any (hosted as stage jobs; swapped by a reload, see PipelineTable). */
  pipelines?: Record<string, PipelineEntry>;
}

/** sha256 of the module and plugin sources, first 16 hex digits: what changed between two loads. */
export function programsHash(source: ProgramsSource): string {
  const hash = createHash('sha256');
  for (const file of [source.file, ...source.plugins]) {
    hash.update(file);
    hash.update('\u0000');
    try {
      hash.update(readFileSync(file));
    } catch {
      hash.update('<missing>');
    }
  }
  return hash.digest('hex').slice(0, 16);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  return Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value;
}

/**
 * A program declared by name instead of code: `{ module: 'ChainOfThought', options: { signature:
 * 'question -> answer' } }` builds a built-in module, `{ module: 'myModule', options }` calls the
 * factory an extension registered under `modules`.
 */
export interface ModuleDefinition {
  module: string;
  options?: Record<string, unknown>;
}

function isDefinition(value: unknown): value is ModuleDefinition {
  return isRecord(value) && !(value instanceof Module) && typeof value['module'] === 'string';
}

/**
 * Module names a definition may build from options: registered factories, Predict,
 * ChainOfThought and (`strategy: true`) StrategyModule, whose choices are themselves these names.
 */
function buildableModules(registry: ExtensionRegistry, strategy = true): string[] {
  return registry
    .names('modules')
    .filter(
      (n) =>
        registry.extension('modules', n) !== undefined ||
        n in BUILTIN_MODULE_FACTORIES ||
        (strategy && n === 'StrategyModule'),
    );
}

/**
 * `{ module: 'StrategyModule', options: { signature, strategies: ['Predict', 'terse'], default?,
 * name?, overridable? } }`: a `StrategyModule` whose reasoning-strategy variable (`name`, default `strategy`)
 * chooses among modules named in the registry (registered factories, `Predict`, `ChainOfThought`),
 * each built from the signature and the remaining options. A configuration (a job's
 * `config.variables`, a deployment, a search) then names the module to run, e.g.
 * `{ strategy: 'terse' }`; jobs may set it only when `overridable: true`. An unknown strategy name fails the load listing what can be built.
 */
function strategyModule(
  registry: ExtensionRegistry,
  program: string,
  options: Record<string, unknown>,
): Module {
  const {
    signature,
    strategies,
    default: initial,
    name = 'strategy',
    overridable = false,
    ...rest
  } = options;
  const where = `program '${program}': module 'StrategyModule'`;
  if (typeof signature !== 'string' || signature.trim() === '')
    throw new TypeError(`${where} needs options.signature, a signature string`);
  if (
    !Array.isArray(strategies) ||
    strategies.length === 0 ||
    !strategies.every((s) => typeof s === 'string')
  )
    throw new TypeError(`${where} needs options.strategies, a non-empty list of module names`);
  if (typeof name !== 'string' || (initial !== undefined && typeof initial !== 'string'))
    throw new TypeError(`${where}: options.name and options.default must be strings`);
  if (typeof overridable !== 'boolean')
    throw new TypeError(`${where}: options.overridable must be a boolean`);
  const constructors: Record<string, StrategyConstructor> = {};
  for (const choice of strategies as string[]) {
    const factory = registry.extension('modules', choice) ?? BUILTIN_MODULE_FACTORIES[choice];
    if (factory === undefined)
      throw new TypeError(
        `${where}: ${unknownExtension('modules', choice, buildableModules(registry, false)).message}`,
      );
    // Called with `new` by StrategyModule: a constructor that returns the factory's module.
    constructors[choice] = function build(sig: unknown, opts?: object) {
      const built = factory({ ...opts, signature: String(sig) });
      if (!(built instanceof Module))
        throw new TypeError(`${where}: module factory '${choice}' returned ${kindOf(built)}`);
      return built;
    } as unknown as StrategyConstructor;
  }
  const strategy = v.module({
    name,
    overridable,
    modules: constructors,
    hints: { impact: 'high', affects: ['quality', 'cost', 'latency'] },
    ...(initial === undefined ? {} : { default: initial }),
  });
  return new StrategyModule(strategy, signature, rest);
}

/**
 * Builds a program from its {@link ModuleDefinition} through the registry: an extension's factory,
 * or a built-in built from a signature. Throws (the loader wraps it) naming the program and
 * listing the module names registered.
 */
export function buildDefinedModule(
  registry: ExtensionRegistry,
  program: string,
  definition: ModuleDefinition,
): Module {
  const { module: name, options = {} } = definition;
  if (!isRecord(options))
    throw new TypeError(`program '${program}': options of module '${name}' must be an object`);
  if (name === 'StrategyModule') return strategyModule(registry, program, options);
  const factory = registry.extension('modules', name) ?? BUILTIN_MODULE_FACTORIES[name];
  if (factory === undefined) {
    const buildable = buildableModules(registry);
    if (registry.has('modules', name))
      throw new TypeError(
        `program '${program}': built-in module '${name}' takes code (tools, functions or sub-modules), so declare it in the programs module; by name: ${buildable.join(', ')}`,
      );
    throw unknownExtension('modules', name, buildable);
  }
  let built: unknown;
  try {
    built = factory(options);
  } catch (cause) {
    throw new TypeError(
      `program '${program}': module '${name}' failed to build: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  if (!(built instanceof Module))
    throw new TypeError(
      `program '${program}': module factory '${name}' returned ${kindOf(built)}, not a Module`,
    );
  return built;
}

/**
 * Imports and validates one version of the programs module and its plugins, building nothing the
 * node serves yet: the default export is a record of Modules; each program deep-copies and saves
 * (what every execution does first); the `extensions` exports (and the legacy `metrics` export)
 * register without clashing with built-ins or each other; a program given as a
 * {@link ModuleDefinition} is built by name through them; `pipelines` is a record. Every import
 * after the first is under `#v=<import count>` (ESM caches by URL: a new URL re-evaluates the module file; the
 * modules it imports stay cached). Every failure is a {@link ConfigError} naming the file.
 */
export async function loadProgramsModule(
  source: ProgramsSource,
  version: number,
  options: { now?: () => number; importCount?: number } = {},
): Promise<LoadedPrograms> {
  const { file } = source;
  const now = options.now ?? Date.now;
  const hash = programsHash(source);
  // The import count, not the version: a version that failed to load never reuses its URL.
  const count = options.importCount ?? version;
  const query = count > 1 ? `v=${count}` : undefined;
  const mod = await importUserModule(file, 'programs module', query);
  const programs = mod.default;
  if (programs === undefined)
    throw new ConfigError(
      'invalid_config',
      `programs module ${file} has no default export (its exports: ${Object.keys(mod).join(', ') || 'none'}); write \`export default { name: new Predict(...) }\``,
      { details: { path: file } },
    );
  if (!isRecord(programs))
    throw new ConfigError(
      'invalid_config',
      `programs module ${file} must default-export a record of programs (name → Module), not ${kindOf(programs)}`,
      { details: { path: file } },
    );
  const pipelines = mod.pipelines;
  if (pipelines !== undefined && !isRecord(pipelines))
    throw new ConfigError(
      'invalid_config',
      `programs module ${file} exports \`pipelines\` as ${kindOf(pipelines)}; export a record (name → Pipeline or { stages })`,
      { details: { path: file } },
    );
  const registrations: { source: string; extensions: Extensions }[] = [];
  if (mod.metrics !== undefined) {
    if (!isRecord(mod.metrics))
      throw new ConfigError(
        'invalid_config',
        `programs module ${file} exports \`metrics\` as ${kindOf(mod.metrics)}; export a record (name → metric function)`,
        { details: { path: file } },
      );
    registrations.push({
      source: `${file} (metrics export)`,
      extensions: { metrics: mod.metrics as Record<string, Metric> },
    });
  }
  if (mod.extensions !== undefined)
    registrations.push({ source: file, extensions: mod.extensions as Extensions });
  for (const plugin of source.plugins) {
    const pluginModule = await importUserModule(plugin, 'plugin module', query);
    const extensions = pluginModule.extensions ?? pluginModule.default;
    if (extensions === undefined)
      throw new ConfigError(
        'invalid_config',
        `plugin module ${plugin} exports no \`extensions\` (write \`export const extensions = defineExtensions({ ... })\`)`,
        { details: { path: plugin } },
      );
    registrations.push({ source: plugin, extensions: extensions as Extensions });
  }
  let registry: ExtensionRegistry;
  let catalog: ProgramCatalog;
  let built: Record<string, unknown>;
  try {
    registry = new ExtensionRegistry(builtinExtensionNames(source.callerMetrics), registrations);
    built = Object.fromEntries(
      Object.entries(programs).map(([name, value]) => [
        name,
        isDefinition(value) ? buildDefinedModule(registry, name, value) : value,
      ]),
    );
    const loaded: ProgramsVersion = { version, hash, loadedAt: now(), file };
    catalog = new ProgramCatalog(built, registry, loaded);
  } catch (cause) {
    throw new ConfigError(
      'invalid_config',
      `programs module ${file}: ${(cause as Error).message}`,
      {
        cause,
        details: { path: file },
      },
    );
  }
  for (const name of catalog.names())
    try {
      JSON.stringify(catalog.get(name).deepCopy().save());
    } catch (cause) {
      throw new ConfigError(
        'invalid_config',
        `programs module ${file}: program '${name}' cannot be copied and saved (${(cause as Error).message})`,
        { cause, details: { path: file, program: name } },
      );
    }
  const metrics: Record<string, Metric> = {};
  for (const name of registry.registered().metrics)
    metrics[name] = registry.extension('metrics', name)!;
  return {
    catalog,
    programs: built,
    metrics,
    ...(pipelines === undefined ? {} : { pipelines: pipelines as Record<string, PipelineEntry> }),
  };
}
