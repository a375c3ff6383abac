import { TransportError } from '../errors.js';
import type { JsonValue } from '../types.js';
import type { RunRecord } from './run-ledger.js';

/** A completed run. */
export interface RunResult {
  readonly runId: string;
  /** The outputs of the sink stages, by stage. */
  readonly outputs: Readonly<Record<string, JsonValue>>;
  readonly run: RunRecord;
}

/**
 * What a wait on `runId` should settle with, given the run's record: a result (completed), an error
 * (`run_not_found`, `run_failed` with `stage` and `reason`), or `undefined` (still running).
 */
export function runOutcome(
  runId: string,
  run: RunRecord | undefined,
  sinks: readonly string[],
): { result: RunResult } | { error: TransportError } | undefined {
  if (run === undefined) {
    return {
      error: new TransportError('run_not_found', `no pipeline run ${runId}`, {
        details: { runId },
      }),
    };
  }
  if (run.status === 'completed') {
    const outputs = Object.fromEntries(sinks.map((s) => [s, run.outputs[s] ?? null]));
    return { result: { runId, outputs, run } };
  }
  if (run.status === 'failed') {
    const stage = run.failedStage ?? null;
    const reason = run.failedReason ?? null;
    return {
      error: new TransportError(
        'run_failed',
        `pipeline run ${runId} failed at stage ${stage ?? '?'}: ${reason ?? ''}`,
        { details: { runId, stage, reason } },
      ),
    };
  }
  return undefined;
}
