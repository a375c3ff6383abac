import { TransportError } from '../errors.js';
import type {
  RunLedger,
  RunRecord,
  StageRecordResult,
  StageTopology,
} from '../pipeline/run-ledger.js';
import type { JsonObject, JsonValue } from '../types.js';

interface MutableRun {
  runId: string;
  pipeline: string;
  status: RunRecord['status'];
  input: string;
  outputs: Map<string, string>;
  failedStage?: string;
  failedReason?: string;
  createdAt: number;
  finishedAt?: number;
}

/**
 * {@link RunLedger} on a plain Map. Each method does all its reads and writes synchronously, so on
 * the single JS thread it is as atomic as the Redis scripts. Values are stored as JSON text so
 * callers never share mutable objects with the ledger.
 */
export class MemoryRunLedger implements RunLedger {
  readonly #runs = new Map<string, MutableRun>();

  async createRun(
    runId: string,
    pipeline: string,
    input: JsonObject,
    now: number,
  ): Promise<boolean> {
    if (this.#runs.has(runId)) return false;
    this.#runs.set(runId, {
      runId,
      pipeline,
      status: 'running',
      input: JSON.stringify(input),
      outputs: new Map(),
      createdAt: now,
    });
    return true;
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const run = this.#runs.get(runId);
    if (run === undefined) return undefined;
    const outputs: Record<string, JsonValue> = {};
    for (const [stage, text] of run.outputs) outputs[stage] = JSON.parse(text) as JsonValue;
    return {
      runId: run.runId,
      pipeline: run.pipeline,
      status: run.status,
      input: JSON.parse(run.input) as JsonObject,
      outputs,
      createdAt: run.createdAt,
      ...(run.failedStage === undefined ? {} : { failedStage: run.failedStage }),
      ...(run.failedReason === undefined ? {} : { failedReason: run.failedReason }),
      ...(run.finishedAt === undefined ? {} : { finishedAt: run.finishedAt }),
    };
  }

  async recordStage(
    runId: string,
    stage: string,
    output: JsonValue,
    topology: StageTopology,
    now: number,
  ): Promise<StageRecordResult> {
    const run = this.#runs.get(runId);
    if (run === undefined) {
      throw new TransportError('run_not_found', `no pipeline run ${runId}`, { details: { runId } });
    }
    const stored = run.outputs.get(stage);
    if (run.status !== 'running') {
      // A finished run takes no more outputs and starts no more stages.
      const previous = stored === undefined ? undefined : (JSON.parse(stored) as JsonValue);
      return { recorded: false, output: previous, ready: [], completed: false };
    }
    const recorded = stored === undefined;
    if (recorded) run.outputs.set(stage, JSON.stringify(output ?? null));
    const ready = Object.entries(topology.children)
      .filter(
        ([child, parents]) => !run.outputs.has(child) && parents.every((p) => run.outputs.has(p)),
      )
      .map(([child]) => child);
    let completed = false;
    if (topology.sinks.every((sink) => run.outputs.has(sink))) {
      run.status = 'completed';
      run.finishedAt = now;
      completed = true;
    }
    const text = run.outputs.get(stage);
    return {
      recorded,
      output: text === undefined ? undefined : (JSON.parse(text) as JsonValue),
      ready,
      completed,
    };
  }

  async failRun(runId: string, stage: string, reason: string, now: number): Promise<boolean> {
    const run = this.#runs.get(runId);
    if (run === undefined || run.status !== 'running') return false;
    run.status = 'failed';
    run.failedStage = stage;
    run.failedReason = reason;
    run.finishedAt = now;
    return true;
  }
}
