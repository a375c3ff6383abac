import type { Adapter } from '../adapters/index.js';
import type { Metric } from '../evaluate/index.js';
import type { LM } from '../lm/types.js';
import type { Example, Module } from '../modules/index.js';
import type { OptimizerProgress } from '../optimizers/index.js';
import { ExtensionError } from './errors.js';

/** What a custom optimizer receives when a run names it. */
export interface OptimizerExtensionContext {
  /** A copy of the program to optimize (the run's student). */
  student: Module;
  trainset: readonly Example[];
  valset?: readonly Example[];
  /** The run's `params.metric`, resolved through the registry (undefined when none was named). */
  metric: Metric | undefined;
  /** The run's params without the keys the runtime reads itself (`metric`, `deploy`, …). */
  params: Readonly<Record<string, unknown>>;
  /** Reports progress (stored with the run, streamed to `dspex optimize`). */
  onProgress: (progress: OptimizerProgress) => void;
  /** The cancel check: ask it between steps and stop when it says so. */
  shouldStop: () => boolean;
}

/** A custom optimizer: returns the optimized program (and its score, a percentage, if known). */
export type OptimizerExtension = (
  context: OptimizerExtensionContext,
) => Promise<Module | { program: Module; score?: number }>;

/** A custom adapter: an instance shared by every run, or a factory called per program. */
export type AdapterExtension = Adapter | (() => Adapter);

/** A custom LM provider: builds the LM for a model name (`provider:model` in a job's config). */
export type LMExtension = (config: { model: string }) => LM;

/** A custom module: a factory from JSON options to a Module (e.g. `{ signature: 'q -> a' }`). */
export type ModuleExtension = (options: Record<string, unknown>) => Module;

/**
 * Named components a programs module (or a plugin module) registers: `export const extensions =
 * defineExtensions({ ... })`. The CLI (`--metric`, `--optimizer`), queue payloads and the HTTP API
 * refer to them by name, exactly as to the built-ins.
 */
export interface Extensions {
  metrics?: Readonly<Record<string, Metric>>;
  optimizers?: Readonly<Record<string, OptimizerExtension>>;
  adapters?: Readonly<Record<string, AdapterExtension>>;
  lms?: Readonly<Record<string, LMExtension>>;
  modules?: Readonly<Record<string, ModuleExtension>>;
}

/** The kinds of component a registry holds. */
export type ExtensionKind = keyof Extensions;

/** Every kind, in the order listings print them. */
export const EXTENSION_KINDS: readonly ExtensionKind[] = [
  'metrics',
  'optimizers',
  'adapters',
  'lms',
  'modules',
];

const SINGULAR: Record<ExtensionKind, string> = {
  metrics: 'metric',
  optimizers: 'optimizer',
  adapters: 'adapter',
  lms: 'LM provider',
  modules: 'module',
};

/** A registration name: a letter, then letters, digits, `_`, `-` or `.`. */
const NAME = /^[A-Za-z][\w.-]*$/;

function isAdapter(value: unknown): value is Adapter {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { format?: unknown }).format === 'function' &&
    typeof (value as { parse?: unknown }).parse === 'function'
  );
}

/**
 * Checks an extensions record (each kind a record of name → function, adapters an Adapter or a
 * factory) and returns it unchanged, typed. Throws {@link ExtensionError} `invalid_extension`
 * naming the offending entry.
 *
 * @example
 * ```ts
 * import { defineExtensions } from 'dspex';
 * export const extensions = defineExtensions({
 *   metrics: { shouty: (example, pred) => String(pred.answer).toUpperCase() === pred.answer },
 *   optimizers: { keep: async ({ student }) => student },
 * });
 * ```
 */
export function defineExtensions<E extends Extensions>(extensions: E, source = 'extensions'): E {
  if (typeof extensions !== 'object' || extensions === null || Array.isArray(extensions))
    throw new ExtensionError(
      'invalid_extension',
      `${source} must be an object of { ${EXTENSION_KINDS.join(', ')} }, not ${Array.isArray(extensions) ? 'an array' : typeof extensions}`,
      { details: { source } },
    );
  for (const [kind, entries] of Object.entries(extensions)) {
    if (!(EXTENSION_KINDS as readonly string[]).includes(kind))
      throw new ExtensionError(
        'invalid_extension',
        `${source} has an unknown kind '${kind}' (kinds: ${EXTENSION_KINDS.join(', ')})`,
        { details: { source, kind } },
      );
    if (entries === undefined) continue;
    if (typeof entries !== 'object' || entries === null || Array.isArray(entries))
      throw new ExtensionError(
        'invalid_extension',
        `${source}.${kind} must be a record of name → ${SINGULAR[kind as ExtensionKind]}`,
        { details: { source, kind } },
      );
    for (const [name, value] of Object.entries(entries as Record<string, unknown>)) {
      if (!NAME.test(name))
        throw new ExtensionError(
          'invalid_extension',
          `${source}.${kind}: '${name}' is not a valid name (a letter, then letters, digits, _, - or .)`,
          { details: { source, kind, name } },
        );
      const ok = typeof value === 'function' || (kind === 'adapters' && isAdapter(value));
      if (!ok)
        throw new ExtensionError(
          'invalid_extension',
          `${source}.${kind}.${name} must be ${kind === 'adapters' ? 'an Adapter or a function returning one' : 'a function'}, not ${value === null ? 'null' : typeof value}`,
          { details: { source, kind, name } },
        );
    }
  }
  return extensions;
}

/** The built-in names of each kind (what the runtime itself provides), for clash checks and listings. */
export type BuiltinNames = Readonly<Record<ExtensionKind, readonly string[]>>;

/** One registered component: where it came from. */
export interface Registration<T> {
  value: T;
  /** `built-in`, or the module that registered it. */
  source: string;
}

type Component<K extends ExtensionKind> = NonNullable<Extensions[K]>[string];

/**
 * Every named component a node knows: the built-ins' names and the extensions of the programs
 * module and plugins. Built when the programs module loads (and again on each reload, before the
 * swap); a name registered twice (by a built-in or another module) is rejected with the name.
 *
 * @example
 * ```ts
 * const registry = new ExtensionRegistry(builtins, [{ source: './programs.ts', extensions }]);
 * registry.resolve('metrics', 'shouty'); // the extension's metric, or built-ins by name
 * registry.names('optimizers'); // built-ins and extensions, sorted
 * ```
 */
export class ExtensionRegistry {
  private readonly entries = new Map<ExtensionKind, Map<string, Registration<unknown>>>();

  constructor(
    private readonly builtins: BuiltinNames,
    modules: readonly { source: string; extensions: Extensions }[] = [],
  ) {
    for (const kind of EXTENSION_KINDS) this.entries.set(kind, new Map());
    for (const { source, extensions } of modules) {
      defineExtensions(extensions, source);
      for (const kind of EXTENSION_KINDS) {
        const table = this.entries.get(kind)!;
        for (const [name, value] of Object.entries(extensions[kind] ?? {})) {
          if (builtins[kind].includes(name))
            throw new ExtensionError(
              'extension_clash',
              `${source} registers ${SINGULAR[kind]} '${name}', which is a built-in ${SINGULAR[kind]}; pick another name`,
              { details: { source, kind, name, with: 'built-in' } },
            );
          const taken = table.get(name);
          if (taken !== undefined)
            throw new ExtensionError(
              'extension_clash',
              `${source} registers ${SINGULAR[kind]} '${name}', already registered by ${taken.source}`,
              { details: { source, kind, name, with: taken.source } },
            );
          table.set(name, { value, source });
        }
      }
    }
  }

  /** Built-in and registered names of `kind`, sorted. */
  names(kind: ExtensionKind): string[] {
    return [...new Set([...this.builtins[kind], ...this.entries.get(kind)!.keys()])].sort();
  }

  /** Names registered by extensions (no built-ins), per kind, sorted: what `dspex inspect` shows. */
  registered(): Record<ExtensionKind, string[]> {
    const out = {} as Record<ExtensionKind, string[]>;
    for (const kind of EXTENSION_KINDS) out[kind] = [...this.entries.get(kind)!.keys()].sort();
    return out;
  }

  /** Whether `name` is a built-in or a registered component of `kind`. */
  has(kind: ExtensionKind, name: string): boolean {
    return this.builtins[kind].includes(name) || this.entries.get(kind)!.has(name);
  }

  /** The extension registered as `name`, or undefined (built-ins and unknown names). */
  extension<K extends ExtensionKind>(kind: K, name: string): Component<K> | undefined {
    return this.entries.get(kind)!.get(name)?.value as Component<K> | undefined;
  }

  /**
   * Checks that `name` is known (built-in or registered); throws {@link ExtensionError}
   * `unknown_extension` listing every registered name otherwise.
   */
  check(kind: ExtensionKind, name: string): void {
    if (!this.has(kind, name)) throw unknownExtension(kind, name, this.names(kind));
  }
}

/** `unknown metric 'x' (registered: a, b)`: the error of a name nobody registered. */
export function unknownExtension(
  kind: ExtensionKind,
  name: string,
  known: readonly string[],
): ExtensionError {
  return new ExtensionError(
    'unknown_extension',
    `unknown ${SINGULAR[kind]} '${name}' (registered: ${known.join(', ') || 'none'})`,
    { details: { kind, name, known: [...known] } },
  );
}

/** An adapter extension as an instance (factories are called). */
export function adapterOf(extension: AdapterExtension): Adapter {
  return isAdapter(extension) ? extension : extension();
}
