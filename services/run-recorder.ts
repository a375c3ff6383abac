import type { OptimizerProgress } from '../src/optimizers/index.js';
import type { OptimizationRun, OptimizationRunPatch, Store } from '../src/store/index.js';

const MEAN_SCORED = new Set(['SIMBA', 'GEPA']);

/** Rounds a percentage to 2 decimals (as Evaluate's scores). */
function pct(x: number): number {
  return Math.round(x * 100) / 100;
}

/**
 * Writes an optimization run's progress to its store record, in order: every scored trial
 * (`trial` and `candidate` events) becomes a history entry numbered from 1, with the best score
 * and the spend so far. A resumed run replays its recorded steps and reports them again; trials
 * the record already holds are not appended twice. A failed write never stops the run (the run's
 * checkpoint, not its progress, is what a resume needs).
 */
export class RunRecorder {
  private trials = 0;
  private readonly recorded: number;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly runId: string,
    run: OptimizationRun | undefined,
  ) {
    this.recorded = Math.max(0, ...(run?.history ?? []).map((h) => h.step));
  }

  /** Records one progress event (queued behind the previous writes). */
  record(p: OptimizerProgress): void {
    const patch = this.patchOf(p);
    if (patch === undefined) return;
    this.write(patch);
  }

  /** Queues a write of `patch`; its failure is ignored. */
  write(patch: OptimizationRunPatch): void {
    this.tail = this.tail
      .then(() => this.store.optimizationRuns.update(this.runId, patch))
      .catch(() => undefined);
  }

  /** Resolves once every queued write has settled. */
  flush(): Promise<unknown> {
    return this.tail;
  }

  private patchOf(p: OptimizerProgress): OptimizationRunPatch | undefined {
    if (p.phase === 'bootstrap') return { progress: { done: p.processed, total: p.total } };
    const spend =
      p.usage === undefined
        ? {}
        : {
            spend: {
              lmCalls: p.usage.task.lmCalls + p.usage.prompt.lmCalls,
              metricCalls: p.usage.metricCalls,
              usd: p.usage.task.usd + p.usage.prompt.usd,
            },
          };
    if (p.phase === 'propose') return spend;
    if (p.phase === 'trial' && p.score === undefined) return spend;
    const step = ++this.trials;
    // SIMBA and GEPA report mean metric values (0–1); the record keeps percentages, as Evaluate.
    const scale = MEAN_SCORED.has(p.optimizer) ? 100 : 1;
    const score = pct((p.score as number) * scale);
    return {
      ...spend,
      progress: { done: step, total: 0 },
      ...(p.bestScore === undefined ? {} : { bestScore: pct(p.bestScore * scale) }),
      ...(step > this.recorded ? { appendHistory: [{ step, score }] } : {}),
    };
  }
}
