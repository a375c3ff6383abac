import type { JsonObject, JsonValue } from '../types.js';

/** `running` until every sink stage has an output (`completed`) or a stage fails for good (`failed`). */
export type RunStatus = 'running' | 'completed' | 'failed';

/** The bookkeeping of one pipeline run. */
export interface RunRecord {
  readonly runId: string;
  readonly pipeline: string;
  readonly status: RunStatus;
  /** The run's input, given to every stage. */
  readonly input: JsonObject;
  /** Recorded output of each finished stage (the first recorded one wins). */
  readonly outputs: Readonly<Record<string, JsonValue>>;
  readonly failedStage?: string;
  readonly failedReason?: string;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly finishedAt?: number;
}

/** What the ledger needs to know about a stage's place in the DAG to record it atomically. */
export interface StageTopology {
  /** Each child of the stage, with all of that child's parents. */
  readonly children: Readonly<Record<string, readonly string[]>>;
  /** Stages with no children: the run completes when all of them have outputs. */
  readonly sinks: readonly string[];
}

/** Outcome of {@link RunLedger.recordStage}. */
export interface StageRecordResult {
  /** True when this call stored the output; false when one was already stored (a duplicate). */
  readonly recorded: boolean;
  /** The stored output (this call's, or the earlier one on a duplicate). */
  readonly output: JsonValue | undefined;
  /**
   * Children whose parents all have outputs and that have none yet. Returned on duplicates too,
   * so a node that crashed between recording and enqueueing is repaired by the redelivery (the
   * child's deterministic job id makes the second enqueue a no-op).
   */
  readonly ready: readonly string[];
  /** True for exactly one call per run: the one that moved the run to `completed`. */
  readonly completed: boolean;
}

/**
 * Atomic per-run bookkeeping behind {@link PipelineRunner}. Every method is atomic with respect to
 * every other call on any node: a Map in one process (MemoryTransport), one Redis hash per run
 * updated by Lua scripts (BullMQTransport). That is what makes a fan-in stage start once when its
 * parents finish at the same time on different nodes.
 */
export interface RunLedger {
  /** Creates the run; false (and no change) when `runId` exists already. */
  createRun(runId: string, pipeline: string, input: JsonObject, now: number): Promise<boolean>;
  getRun(runId: string): Promise<RunRecord | undefined>;
  /**
   * Stores a stage's output unless one is stored already, and reports which children are ready and
   * whether the run just completed. A run that is not `running` records nothing. Rejects with
   * `run_not_found` for an unknown run.
   */
  recordStage(
    runId: string,
    stage: string,
    output: JsonValue,
    topology: StageTopology,
    now: number,
  ): Promise<StageRecordResult>;
  /** Marks a running run failed at `stage`; false when it was not running (or is unknown). */
  failRun(runId: string, stage: string, reason: string, now: number): Promise<boolean>;
}
