import type { ChildSpec, SupervisorFlags } from '../src/kernel/index.js';
import { actorWorker, supervisorChild } from '../src/kernel/index.js';
import type { JobHandler, JsonValue, ProcessOptions, Transport } from '../src/transport/index.js';
import {
  CLIENT_POOL,
  SCHEMA_REGISTRY,
  VARIABLE_REGISTRY,
  clientPoolMachine,
  evaluationWorkerStart,
  programTaskStart,
  programWorkerStart,
  queueBridgeMachine,
  schemaRegistryMachine,
  teleprompterWorkerStart,
  variableRegistryMachine,
  type ClientPool,
  type SchemaTable,
  type TeleprompterServices,
  type VariableRegistryInput,
} from '../actors/index.js';
import type { StartFunction } from '../src/kernel/index.js';

/** Registered names of the tree's supervisors and bridges. */
export const TREE_NAMES = {
  registries: 'registries',
  programWorkers: 'program-workers',
  evaluationWorkers: 'evaluation-workers',
  teleprompterWorkers: 'teleprompter-workers',
  bridges: 'bridges',
  runBridge: 'run-bridge',
  evalBridge: 'eval-bridge',
  optimizeBridge: 'optimize-bridge',
} as const;

/** Queues the bridges consume. */
export interface TreeQueues {
  run: string;
  eval: string;
  optimize: string;
}

/** Everything the specs close over: services, tables and the bridges' job handlers. */
export interface TreeDeps {
  services: TeleprompterServices;
  schemaTable: SchemaTable;
  variables: Omit<VariableRegistryInput, 'kernel'>;
  pool: ClientPool;
  transport: Transport;
  queues: TreeQueues;
  /** Program workers at once on this node (also the run bridge's consumer concurrency). */
  concurrency: number;
  /** How long bridges wait for in-flight jobs when they close, ms. */
  drainTimeoutMs: number;
  /** Finished jobs the bridges' queues keep (config `retention`). */
  retention?: Pick<ProcessOptions, 'keepCompleted' | 'keepFailed'>;
  handlers: {
    run: JobHandler<{ [key: string]: JsonValue }, JsonValue>;
    eval: JobHandler<{ [key: string]: JsonValue }, JsonValue>;
    optimize: JobHandler<{ [key: string]: JsonValue }, JsonValue>;
  };
  /** More bridges under `bridges` (the pipelines' stage bridges). */
  extraBridges?: ChildSpec[];
  /** Wraps the program-worker start function (the runtime uses it to label workers in inspect). */
  wrapWorkerStart?: (start: StartFunction) => StartFunction;
}

/** The root supervisor: flags and children, pure data as OTP's `init/1` returns. */
export interface TreeSpec {
  flags: SupervisorFlags;
  children: ChildSpec[];
}

function bridge(
  deps: TreeDeps,
  id: string,
  queue: string,
  concurrency: number,
  handler: TreeDeps['handlers']['run'],
): ChildSpec {
  return {
    id,
    name: id,
    // Closing waits for in-flight jobs: give it the drain budget plus a margin before a kill.
    shutdown: deps.drainTimeoutMs + 1000,
    start: actorWorker(queueBridgeMachine, {
      trapShutdown: true,
      input: {
        transport: deps.transport,
        queue,
        concurrency,
        handler,
        closeTimeoutMs: deps.drainTimeoutMs,
        ...(deps.retention === undefined ? {} : { retention: deps.retention }),
      },
    }),
  };
}

/**
 * Program workers are light task processes when the variable registry's table is at hand (a
 * node: no actor, mailbox or reply per job), xstate actors subscribed to the registry otherwise.
 */
function programWorkerFor(services: TeleprompterServices): StartFunction {
  const { variables } = services;
  return variables === undefined
    ? programWorkerStart(services)
    : programTaskStart({ ...services, variables });
}

/**
 * The runtime's supervision tree (DESIGN §4; strategies explained in supervisors/README.md):
 *
 * ```
 * root (rest_for_one)
 * ├─ registries (one_for_one): schema-registry, variable-registry
 * ├─ client-pool (worker)
 * ├─ program-workers (simple_one_for_one, maxChildren = concurrency, temporary)
 * ├─ evaluation-workers (simple_one_for_one, temporary)
 * ├─ teleprompter-workers (simple_one_for_one, temporary)
 * └─ bridges (one_for_one): run-bridge, eval-bridge, optimize-bridge, stage-bridge-<pipeline>…
 * ```
 */
export function runtimeTree(deps: TreeDeps): TreeSpec {
  const wrap = deps.wrapWorkerStart ?? ((s: StartFunction) => s);
  const dynamic = (id: string, start: StartFunction, maxChildren?: number): ChildSpec => ({
    id,
    name: id,
    type: 'supervisor',
    start: supervisorChild(
      {
        strategy: 'simple_one_for_one',
        // Temporary children never restart, so these limits only bound the supervisor itself.
        intensity: 10,
        period: 10,
        ...(maxChildren === undefined ? {} : { maxChildren }),
      },
      [{ id: id.replace(/s$/, ''), start, restart: 'temporary', shutdown: 5000 }],
    ),
  });
  return {
    // Later services call earlier ones (workers → registries and pool; bridges → workers):
    // when an earlier one is lost for good, everything after it restarts with it.
    flags: { strategy: 'rest_for_one', intensity: 3, period: 10 },
    children: [
      {
        id: TREE_NAMES.registries,
        name: TREE_NAMES.registries,
        type: 'supervisor',
        start: supervisorChild({ strategy: 'one_for_one', intensity: 5, period: 10 }, [
          {
            id: SCHEMA_REGISTRY,
            name: SCHEMA_REGISTRY,
            start: actorWorker(schemaRegistryMachine, { input: { table: deps.schemaTable } }),
          },
          {
            id: VARIABLE_REGISTRY,
            name: VARIABLE_REGISTRY,
            start: actorWorker(variableRegistryMachine, {
              input: (ctx) => ({ ...deps.variables, kernel: ctx.kernel }),
            }),
          },
        ]),
      },
      {
        id: CLIENT_POOL,
        name: CLIENT_POOL,
        start: actorWorker(clientPoolMachine, { input: { pool: deps.pool } }),
      },
      dynamic(TREE_NAMES.programWorkers, wrap(programWorkerFor(deps.services)), deps.concurrency),
      dynamic(TREE_NAMES.evaluationWorkers, evaluationWorkerStart(deps.services)),
      dynamic(TREE_NAMES.teleprompterWorkers, teleprompterWorkerStart(deps.services)),
      {
        id: TREE_NAMES.bridges,
        name: TREE_NAMES.bridges,
        type: 'supervisor',
        start: supervisorChild({ strategy: 'one_for_one', intensity: 5, period: 10 }, [
          bridge(deps, TREE_NAMES.runBridge, deps.queues.run, deps.concurrency, deps.handlers.run),
          bridge(
            deps,
            TREE_NAMES.evalBridge,
            deps.queues.eval,
            Math.max(1, Math.ceil(deps.concurrency / 2)),
            deps.handlers.eval,
          ),
          bridge(deps, TREE_NAMES.optimizeBridge, deps.queues.optimize, 1, deps.handlers.optimize),
          ...(deps.extraBridges ?? []),
        ]),
      },
    ],
  };
}
