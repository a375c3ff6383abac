import {
  type ClientPool,
  type SchemaTable,
  type TeleprompterServices,
  type VariableTable,
} from '../actors/index.js';
import { ActorError, type ProgramCatalog } from '../services/index.js';
import type { RuntimeConfig } from '../src/config/index.js';
import type { Metric } from '../src/evaluate/index.js';
import type { Kernel, SupervisorProcess } from '../src/kernel/index.js';
import type { Store } from '../src/store/index.js';
import type { Logger, RuntimeMetrics } from '../src/telemetry/index.js';
import type { BackoffOptions, Transport } from '../src/transport/index.js';
import type { HandlerDeps } from './job-handlers.js';
import type { HostedPipeline } from './pipelines.js';
import type { ProgramsReloader } from './programs-reload.js';
import type { NodeActivity, RuntimeEvents } from './runtime-events.js';
import type { TreeQueues } from './tree.js';
import type { WorkerSlots } from './worker-slots.js';

/** The node's job policy for what it enqueues (attempts and backoff). */
export interface JobOptions {
  attempts: number;
  backoff: BackoffOptions;
}

/**
 * Everything a running node is made of, built once by the composition root (`startRuntime`,
 * supervisors/runtime.ts) in dependency order and handed whole to the run, evaluation and
 * optimization services and to the `Runtime` front. Nothing in it is filled in later.
 */
export interface NodeServices {
  readonly nodeId: string;
  readonly mode: 'embedded' | 'redis';
  readonly config: RuntimeConfig;
  readonly logger: Logger;
  /** The kernel's clock reading when the node started (epoch ms). */
  readonly startedAt: number;
  readonly kernel: Kernel;
  readonly transport: Transport;
  readonly store: Store;
  readonly catalog: ProgramCatalog;
  /** The client pool's state (breakers, limiters, counters), owned here, served by its actor. */
  readonly pool: ClientPool;
  readonly metrics: RuntimeMetrics;
  /** Metrics by name: built-ins, the programs module's, `RuntimeOptions.metrics`. */
  readonly metricTable: Map<string, Metric>;
  readonly queues: TreeQueues;
  readonly jobOptions: JobOptions;
  /** Runtime events: created first, handed to whatever reports. */
  readonly events: RuntimeEvents;
  /** Jobs in flight, worker labels, crash counts (what `inspect()` shows). */
  readonly activity: NodeActivity;
  /** Whether the node still takes work, and the local runs in flight (`drain` waits for them). */
  readonly intake: Intake;
  /** The schema registry's table (outside the actor, survives its restarts). */
  readonly schemas: SchemaTable;
  /** The variable registry's table (outside the actor, survives its restarts). */
  readonly variables: VariableTable;
  /** Starts dynamic workers of the tree with backpressure. */
  readonly slots: WorkerSlots;
  /** What program, evaluation and teleprompter workers run with. */
  readonly workers: TeleprompterServices;
  /** What the bridges' job handlers (and local runs) use. */
  readonly handlers: HandlerDeps;
  /** Pipelines hosted by this node, by name. */
  readonly pipelines: ReadonlyMap<string, HostedPipeline>;
  /** Stored variable-space version of each hosted program that declares variables. */
  readonly spaceVersions: Map<string, string>;
  /** Hot reload of the programs module. */
  readonly reloader: ProgramsReloader;
  /** The supervision tree's root. */
  readonly root: SupervisorProcess;
  /** What to close when the node stops (transport, store, Redis clients, subscriptions…). */
  readonly cleanups: Cleanups;
}

/** Whether a node still takes work, and its local runs in flight. */
export class Intake {
  private draining = false;
  private readonly inFlight = new Set<Promise<unknown>>();

  /** Whether `drain` has begun. */
  get closed(): boolean {
    return this.draining;
  }

  /** Stops taking work. */
  close(): void {
    this.draining = true;
  }

  /** Throws a retryable `stopping` error once the node drains. */
  assertOpen(): void {
    if (this.draining)
      throw new ActorError('stopping', 'the runtime is draining and takes no new work', {
        retryable: true,
      });
  }

  /** Follows `p` until it settles (`drain` waits for it). */
  track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    const done = (): void => void this.inFlight.delete(p);
    p.then(done, done);
    return p;
  }

  /** The runs in flight now. */
  running(): Promise<unknown>[] {
    return [...this.inFlight];
  }
}

/** What to undo when a node stops or fails to start: run in reverse order of registration. */
export class Cleanups {
  private readonly steps: (() => void | Promise<void>)[] = [];

  push(...steps: (() => void | Promise<void>)[]): void {
    this.steps.push(...steps);
  }

  /** Runs every step, last first; a failing step is passed to `onError` and the rest still run. */
  async run(onError: (error: unknown) => void = () => undefined): Promise<void> {
    for (const step of [...this.steps].reverse()) {
      try {
        await step();
      } catch (e) {
        onError(e);
      }
    }
  }
}
