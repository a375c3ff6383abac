import { Module } from '../src/modules/index.js';
import { ExtensionRegistry } from '../src/extensions/index.js';
import { builtinExtensionNames } from './builtin-extensions.js';
import { ActorError } from './actor-error.js';
import type { ProgramsVersion } from '../src/contracts/index.js';

export type { ProgramsVersion };

/** One loaded version: programs and extensions swapped together, never one without the other. */
interface CatalogVersion {
  programs: ReadonlyMap<string, Module>;
  extensions: ExtensionRegistry;
  version: ProgramsVersion;
}

function programMap(programs: Record<string, unknown>): ReadonlyMap<string, Module> {
  const entries: [string, Module][] = [];
  for (const [name, value] of Object.entries(programs)) {
    if (!(value instanceof Module))
      throw new ActorError('bad_message', `program '${name}' is not a Module`, {
        details: { program: name },
      });
    entries.push([name, value]);
  }
  return new Map(entries);
}

/**
 * The programs a node hosts (the programs module's default export): name → Module, with the
 * extensions the module registered. Every execution works on a deep copy, so concurrent runs never
 * share state. A hot reload {@link ProgramCatalog.swap}s in a new version in one step: executions
 * that already read their base program finish on it, the next ones read the new version.
 */
export class ProgramCatalog {
  private current: CatalogVersion;

  constructor(
    programs: Record<string, unknown>,
    extensions: ExtensionRegistry = new ExtensionRegistry(builtinExtensionNames()),
    version: ProgramsVersion = { version: 1, hash: 'inline', loadedAt: Date.now(), file: null },
  ) {
    this.current = { programs: programMap(programs), extensions, version };
  }

  /** Program names, sorted. */
  names(): string[] {
    return [...this.current.programs.keys()].sort();
  }

  has(name: string): boolean {
    return this.current.programs.has(name);
  }

  /** The program, or `unknown_program` naming the known ones. */
  get(name: string): Module {
    const program = this.current.programs.get(name);
    if (program === undefined) throw unknownProgram(name, this.names());
    return program;
  }

  /** The extensions registry of the version served now. */
  get extensions(): ExtensionRegistry {
    return this.current.extensions;
  }

  /** The programs-module version served now (a copy). */
  get version(): ProgramsVersion {
    return { ...this.current.version };
  }

  /**
   * Serves `next` from now on (programs, extensions and version in one assignment: never a half
   * loaded state). Returns the version it replaced.
   */
  swap(next: ProgramCatalog): ProgramsVersion {
    const previous = this.current.version;
    this.current = next.current;
    return previous;
  }

  /** Records a failed reload on the version still served. */
  recordFailure(error: { message: string; at: number; hash?: string }): void {
    this.current = { ...this.current, version: { ...this.current.version, lastError: error } };
  }
}

/** `unknown program 'x' (known: a, b)`, the reason a job with an unknown program fails with. */
export function unknownProgram(name: string, known: readonly string[]): ActorError {
  return new ActorError(
    'unknown_program',
    `unknown program '${name}' (known: ${known.join(', ')})`,
    {
      details: { program: name, known: [...known] },
    },
  );
}
