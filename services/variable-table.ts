/**
 * The variable registry's table (program configuration versions and the registry's subscribers)
 * and the cluster side it writes through. It lives outside the registry actor, like an ETS table
 * whose heir is the supervisor: the runtime creates it, the registry (`actors/variable-registry.ts`)
 * owns writes, and program workers read it directly at the last moment.
 */
import type { MonitorRef, Pid } from '../src/kernel/index.js';
import type { ProgramConfig } from '../src/contracts/index.js';

/** One version of a program's configuration. Revision 0 is the empty default. */
export interface ConfigVersion {
  program: string;
  revision: number;
  config: ProgramConfig;
  updatedAt: number;
}

/**
 * The cluster side of the registry (Redis mode): each change is stored as the program's next
 * deployment (a compare-and-set in the shared store) and announced to every node, whose registry
 * installs it with an `apply` message. Without it changes stay on this node.
 */
export interface SharedConfigs {
  /** Stores `change(current)` as the program's next version and announces it; returns it. */
  deploy(
    program: string,
    change: (current: ProgramConfig) => ProgramConfig,
  ): Promise<ConfigVersion>;
}

/**
 * The registry's table: versions per program and the subscribers. It lives outside the actor (an
 * ETS table whose heir is the supervisor), so a restarted registry keeps every version.
 */
export interface VariableTable {
  readonly versions: Map<string, ConfigVersion[]>;
  readonly subscribers: Map<Pid, { program: string | undefined; monitor: MonitorRef }>;
}

/** Creates an empty table. */
export function createVariableTable(): VariableTable {
  return { versions: new Map(), subscribers: new Map() };
}

/**
 * The configuration of a program never configured: one frozen object, so readers that compare
 * configurations by identity (a new object is a change) see no change between reads.
 */
const UNSET_CONFIG: ConfigVersion['config'] = Object.freeze({});

/**
 * The current version of `name`'s configuration in `table` (revision 0, empty, if never set). Read
 * directly by program workers, like an ETS table, so an execution needs no registry round trip.
 * The `config` object is the same between reads until the configuration changes.
 */
export function currentConfig(table: VariableTable, name: string, now: number): ConfigVersion {
  return (
    table.versions.get(name)?.at(-1) ?? {
      program: name,
      revision: 0,
      config: UNSET_CONFIG,
      updatedAt: now,
    }
  );
}
