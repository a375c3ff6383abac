import { ChatAdapter, JSONAdapter, XMLAdapter, type Adapter } from '../src/adapters/index.js';
import {
  adapterOf,
  unknownExtension,
  type ExtensionRegistry,
  type LMExtension,
} from '../src/extensions/index.js';
import type { LM } from '../src/lm/types.js';
import { ActorError } from './actor-error.js';
import { BUILTIN_ADAPTERS } from './builtin-extensions.js';
import { applyConfiguration, type Module } from '../src/modules/index.js';
import type { Store } from '../src/store/index.js';
import { configuredProgram, programVariableSpace } from './program-variables.js';
import type { ProgramConfig } from '../src/contracts/index.js';

/** A program ready to run with one configuration: its copy, LM and adapter. */
export interface MaterializedProgram {
  module: Module;
  lm: LM | undefined;
  adapter: Adapter | undefined;
  /** The optimized state version loaded, if any. */
  stateVersion: string | undefined;
}

function adapterFor(
  kind: ProgramConfig['adapter'],
  extensions: ExtensionRegistry | undefined,
): Adapter | undefined {
  if (kind === undefined) return undefined;
  if (kind === 'json') return new JSONAdapter();
  if (kind === 'xml') return new XMLAdapter();
  if (kind === 'chat') return new ChatAdapter();
  const custom = extensions?.extension('adapters', kind);
  if (custom === undefined)
    throw new ActorError(
      'invalid_job',
      unknownExtension('adapters', kind, extensions?.names('adapters') ?? BUILTIN_ADAPTERS).message,
      { details: { adapter: kind } },
    );
  return adapterOf(custom);
}

/**
 * A configuration's `model` naming a registered LM provider (`provider:model`): the provider's
 * factory and the model to build, else undefined (the program's LM is copied with the model).
 */
function lmProviderOf(
  model: string | undefined,
  extensions: ExtensionRegistry | undefined,
): { build: LMExtension; model: string } | undefined {
  const colon = model?.indexOf(':') ?? -1;
  if (model === undefined || colon <= 0 || extensions === undefined) return undefined;
  const build = extensions.extension('lms', model.slice(0, colon));
  return build === undefined ? undefined : { build, model: model.slice(colon + 1) };
}

function lmParamsOf(config: ProgramConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (config.model !== undefined) out['model'] = config.model;
  if (config.temperature !== undefined) out['temperature'] = config.temperature;
  if (config.maxTokens !== undefined) out['maxTokens'] = config.maxTokens;
  return out;
}

/**
 * Builds the program an execution runs: a deep copy of the catalog's module (configured with the
 * configuration's `variables` when set), with the optimized
 * state `stateVersion` loaded from the store, then the configuration's demos and instructions, and
 * every LM (the context's and the predictors' own) wrapped by `pool` and copied with the
 * configuration's model and parameters.
 */
export async function materializeProgram(args: {
  name: string;
  base: Module;
  config: ProgramConfig;
  store: Store;
  contextLm: LM | undefined;
  pool: (lm: LM) => Promise<LM>;
  /** The node's extensions: custom adapters and LM providers a configuration may name. */
  extensions?: ExtensionRegistry;
}): Promise<MaterializedProgram> {
  const { name, base, config, store } = args;
  const configured = config.variables !== undefined || config.candidates !== undefined;
  let module: Module;
  if (config.stateVersion === undefined)
    module = configured
      ? configuredProgram(base, config.variables ?? {}, config.candidates)
      : base.deepCopy();
  else {
    // The optimized state first, then the deployed variables (a point of the program's space)
    // rebuild the modules on it: a variable's instructions or demos win over the state's, the
    // state's stay where no variable sets them.
    const version = await store.programs.getVersion(name, config.stateVersion);
    const loaded = base.deepCopy().load(version.state as Record<string, unknown>);
    module = configured
      ? applyConfiguration(loaded, config.variables ?? {}, {
          space: programVariableSpace(base),
          ...(config.candidates === undefined ? {} : { candidates: config.candidates }),
        })
      : loaded;
  }
  const params = lmParamsOf(config);
  // `model: 'provider:name'` of a registered LM provider: every LM is that provider's.
  const provider = lmProviderOf(config.model, args.extensions);
  if (provider !== undefined) delete params['model'];
  const configure = async (lm: LM): Promise<LM> => {
    const pooled = await args.pool(
      provider === undefined ? lm : provider.build({ model: provider.model }),
    );
    return Object.keys(params).length === 0 ? pooled : pooled.copy(params);
  };
  for (const predictor of module.predictors()) {
    if (config.demos !== undefined) predictor.demos = config.demos.map((d) => ({ ...d }));
    if (config.instructions !== undefined)
      predictor.signature = predictor.signature.withInstructions(config.instructions);
    if (predictor.lm !== undefined) predictor.lm = await configure(predictor.lm);
  }
  return {
    module,
    lm: args.contextLm === undefined ? undefined : await configure(args.contextLm),
    adapter: adapterFor(config.adapter, args.extensions),
    stateVersion: config.stateVersion,
  };
}

/**
 * Materialized programs of a node, by program and effective configuration (and context LM): the
 * deep copy, optimized state, demos and pooled LM copies are built once per configuration
 * revision instead of once per job. Executions of one configuration share the instance, as
 * DSPy's `Evaluate`/`Parallel` share one program across threads: a hosted program's `forward`
 * must not keep per-call state on the module (predictors do not). At most `capacity` entries,
 * the least recently used dropped first; a failed build is not kept.
 */
export class ProgramCache {
  private readonly entries = new Map<
    string,
    { base: Module; lm: LM | undefined; program: Promise<MaterializedProgram> }
  >();

  constructor(private readonly capacity = 64) {}

  /**
   * The cached program `name` (built from `base`) with `config` and `contextLm`, or the one
   * `build` makes (a reloaded catalog's new `base` or another context LM is a miss).
   */
  get(
    name: string,
    base: Module,
    config: ProgramConfig,
    contextLm: LM | undefined,
    build: () => Promise<MaterializedProgram>,
  ): Promise<MaterializedProgram> {
    const key = this.keyOf(name, config);
    const hit = this.entries.get(key);
    if (hit !== undefined && hit.lm === contextLm && hit.base === base) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.program;
    }
    const program = build();
    const entry = { base, lm: contextLm, program };
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.capacity)
      this.entries.delete(this.entries.keys().next().value as string);
    program.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return program;
  }

  /** The last key built per configuration object (configurations are immutable). */
  private readonly keys = new WeakMap<ProgramConfig, { name: string; key: string }>();

  private keyOf(name: string, config: ProgramConfig): string {
    const known = this.keys.get(config);
    if (known?.name === name) return known.key;
    const key = `${name}\u0000${JSON.stringify(config)}`;
    this.keys.set(config, { name, key });
    return key;
  }

  /** Drops every entry (e.g. after the program catalog changed). */
  clear(): void {
    this.entries.clear();
  }

  /** Entries held. */
  get size(): number {
    return this.entries.size;
  }
}
