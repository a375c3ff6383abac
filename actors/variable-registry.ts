import { z } from 'zod';
import { genServer, Pid, type Kernel } from '../src/kernel/index.js';
import {
  mergeDeployedConfig,
  programConfigSchema,
  type ProgramConfig,
} from '../src/contracts/index.js';
import { ActorError } from '../services/actor-error.js';
import { actorReplies } from '../services/protocol.js';
import { VARIABLE_REGISTRY } from '../services/names.js';
import {
  createVariableTable,
  currentConfig,
  type ConfigVersion,
  type SharedConfigs,
  type VariableTable,
} from '../services/variable-table.js';

// The registry's table lives outside the actor (services/variable-table.ts); re-exported here.
export { VARIABLE_REGISTRY, createVariableTable, currentConfig };
export type { ConfigVersion, SharedConfigs, VariableTable };

// A program's runtime configuration is a job-payload contract (src/contracts).
export { programConfigSchema };
export type { ProgramConfig };

/** Event cast to subscribers after a change. */
export interface ConfigChangedEvent {
  type: 'config.changed';
  program: string;
  revision: number;
  config: ProgramConfig;
}

const program = z.string().min(1);
const pid = z.custom<Pid>((v) => v instanceof Pid, 'expected a pid');

/** Messages of the variable registry. */
export const variableRegistryMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('get'), program }),
  z.object({
    type: z.literal('set'),
    program,
    config: programConfigSchema,
    /** Replace the whole configuration instead of merging into the current one. */
    replace: z.boolean().optional(),
  }),
  z.object({ type: z.literal('history'), program }),
  z.object({ type: z.literal('list') }),
  z.object({ type: z.literal('subscribe'), pid, program: program.optional() }),
  z.object({ type: z.literal('unsubscribe'), pid }),
  /** A version stored by another node (or `dspex deploy`): installed if newer than this node's. */
  z.object({
    type: z.literal('apply'),
    version: z.object({
      program,
      revision: z.number().int().min(1),
      config: programConfigSchema,
      updatedAt: z.number(),
    }),
  }),
]);
/** A variable registry message. */
export type VariableRegistryMessage = z.infer<typeof variableRegistryMessage>;

/** Input of the variable registry. */
export interface VariableRegistryInput {
  kernel: Kernel;
  table: VariableTable;
  /** Told about every change (runtime events), after the subscribers. */
  onChange?: (version: ConfigVersion) => void;
  /** Redis mode: changes are stored and announced to every node. */
  shared?: SharedConfigs;
}

/**
 * Makes `version` the program's current one and tells the subscribers and `onChange`, unless this
 * node already has that revision or a later one (announcements may arrive late or twice).
 * Returns the installed version, or undefined when it was stale.
 */
export function installVersion(
  input: Pick<VariableRegistryInput, 'table' | 'kernel' | 'onChange'>,
  version: ConfigVersion,
): ConfigVersion | undefined {
  const { table, kernel } = input;
  const list = table.versions.get(version.program) ?? [];
  if ((list.at(-1)?.revision ?? 0) >= version.revision) return undefined;
  list.push(version);
  table.versions.set(version.program, list);
  const event: ConfigChangedEvent = { type: 'config.changed', ...version };
  for (const [sub, s] of table.subscribers)
    if (s.program === undefined || s.program === version.program) kernel.cast(sub, event);
  input.onChange?.(version);
  return version;
}

function handle(input: VariableRegistryInput, msg: VariableRegistryMessage): unknown {
  const { table, kernel } = input;
  const now = kernel.clock.now();
  switch (msg.type) {
    case 'get':
      return currentConfig(table, msg.program, now);
    case 'history':
      return [...(table.versions.get(msg.program) ?? [])];
    case 'list':
      return [...table.versions.keys()].map((n) => currentConfig(table, n, now));
    case 'set': {
      const merge = (prev: ProgramConfig): ProgramConfig =>
        Object.fromEntries(
          Object.entries(
            msg.replace === true ? msg.config : mergeDeployedConfig(prev, msg.config),
          ).filter(([, v]) => v !== undefined),
        ) as ProgramConfig;
      if (input.shared !== undefined)
        return input.shared.deploy(msg.program, merge).then(
          (stored) => installVersion(input, stored) ?? stored,
          (error: unknown) => {
            throw asActorError(error);
          },
        );
      const prev = currentConfig(table, msg.program, now);
      const next: ConfigVersion = {
        program: msg.program,
        revision: prev.revision + 1,
        config: merge(prev.config),
        updatedAt: now,
      };
      return installVersion(input, next) ?? next;
    }
    case 'apply':
      return installVersion(input, msg.version) ?? currentConfig(table, msg.version.program, now);
    case 'subscribe': {
      if (!table.subscribers.has(msg.pid)) {
        // A dead subscriber leaves the table by itself: no unsubscribe needed on crash.
        const monitor = kernel.monitor(msg.pid, () => table.subscribers.delete(msg.pid));
        table.subscribers.set(msg.pid, { program: msg.program, monitor });
      }
      return msg.program === undefined ? null : currentConfig(table, msg.program, now);
    }
    case 'unsubscribe': {
      table.subscribers.get(msg.pid)?.monitor.demonitor();
      return table.subscribers.delete(msg.pid);
    }
  }
}

function asActorError(error: unknown): ActorError {
  if (error instanceof ActorError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ActorError(
    'execution_failed',
    `variable registry: storing the change failed: ${message}`,
    {
      retryable: true,
    },
  );
}

/**
 * The variable registry: each program's configuration (model, temperature, adapter, demos,
 * instructions, optimized state version) with numbered versions. A `set` makes a new version and
 * casts `config.changed` to the subscribers (running program workers take it without a restart);
 * a worker started later reads the new version with `get`. In Redis mode (`shared`) a `set` is
 * stored as the program's deployment and announced, and every node's registry installs it
 * (`apply`), so a change made on one node serves on all of them. A shared `set` is answered once
 * the store has it; the registry keeps serving meanwhile.
 *
 * @example
 * ```ts
 * await callActor(kernel, VARIABLE_REGISTRY, { type: 'set', program: 'qa', config: { temperature: 0.2 } });
 * ```
 */
export const variableRegistry = genServer({
  name: VARIABLE_REGISTRY,
  messages: { call: variableRegistryMessage, cast: variableRegistryMessage },
  init: (input: VariableRegistryInput) => input,
  handleCall: (msg, input) => ({ reply: handle(input, msg) }),
  handleCast: (msg, input) => {
    const result = handle(input, msg);
    // Nobody waits for a cast's answer: a failed shared store is the caller's to retry.
    if (result instanceof Promise) result.catch(() => undefined);
    return undefined;
  },
  replies: actorReplies(),
});

/** The variable registry's xstate logic (`actorWorker(variableRegistryMachine, { input })`). */
export const variableRegistryMachine = variableRegistry.logic;
