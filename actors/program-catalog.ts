import { Module } from '../src/modules/index.js';
import { ActorError } from './actor-error.js';

/**
 * The programs a node hosts (the programs module's default export): name → Module. Read-only
 * after start; every execution works on a deep copy, so concurrent runs never share state.
 */
export class ProgramCatalog {
  private readonly programs: ReadonlyMap<string, Module>;

  constructor(programs: Record<string, unknown>) {
    const entries: [string, Module][] = [];
    for (const [name, value] of Object.entries(programs)) {
      if (!(value instanceof Module))
        throw new ActorError('bad_message', `program '${name}' is not a Module`, {
          details: { program: name },
        });
      entries.push([name, value]);
    }
    this.programs = new Map(entries);
  }

  /** Program names, sorted. */
  names(): string[] {
    return [...this.programs.keys()].sort();
  }

  has(name: string): boolean {
    return this.programs.has(name);
  }

  /** The program, or `unknown_program` naming the known ones. */
  get(name: string): Module {
    const program = this.programs.get(name);
    if (program === undefined) throw unknownProgram(name, this.names());
    return program;
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
