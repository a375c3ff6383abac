import {
  Budget,
  type BudgetLimits,
  type BudgetUsage,
  type CallRole,
  type Charge,
} from './budget.js';
import { OptimizerError } from './optimizer-error.js';

/** One finished step of a run: its key, its JSON result and what it cost. */
export interface JournalStep {
  key: string;
  value: unknown;
  charge: Charge;
}

/**
 * A JSON-safe checkpoint of a journaled optimizer run (COPRO, MIPROv2): every finished step's
 * result in order, and the spend so far. Store it as it comes (after each step) and pass the last
 * one back as `resumeFrom`: the run replays the recorded steps without LM or metric calls, which
 * rebuilds its exact state (candidates, scores, the search's model and RNG draws), then goes on.
 */
export interface OptimizerCheckpoint {
  version: 1;
  optimizer: string;
  steps: JournalStep[];
  usage: BudgetUsage;
}

/**
 * The step log behind {@link OptimizerCheckpoint}: optimizers run every LM-calling step through
 * {@link RunJournal.step}, which measures and charges it to the run's {@link Budget}, records its
 * result, and calls the checkpoint listener; on resume it answers recorded steps from the log.
 * Everything an optimizer decides must follow from step results and its seed, never from time.
 */
export class RunJournal {
  readonly budget: Budget;
  private readonly steps: JournalStep[] = [];
  private readonly replay: readonly JournalStep[];

  constructor(
    private readonly optimizer: string,
    limits: BudgetLimits,
    resumeFrom: OptimizerCheckpoint | undefined,
    private readonly onCheckpoint?: (checkpoint: OptimizerCheckpoint) => void | Promise<void>,
  ) {
    if (resumeFrom !== undefined && resumeFrom.optimizer !== optimizer) {
      throw new OptimizerError(
        'invalid_option',
        `resumeFrom is a checkpoint of ${resumeFrom.optimizer}, not ${optimizer}`,
        { details: { checkpoint: resumeFrom.optimizer, optimizer } },
      );
    }
    this.replay = resumeFrom?.steps ?? [];
    this.budget = new Budget(limits);
  }

  /** Whether recorded steps remain to be replayed. */
  get replaying(): boolean {
    return this.steps.length < this.replay.length;
  }

  /**
   * Runs (or replays) one step. `key` names it (e.g. `eval:d1:p0:c3`); a recorded step with
   * another key means the checkpoint belongs to a different run, an error. The value must be
   * JSON-safe: it is returned as JSON round-trips it, fresh or replayed alike.
   */
  async step<T>(
    key: string,
    role: CallRole,
    fn: () => Promise<T>,
    adjust?: (value: T, measured: Charge) => Charge,
  ): Promise<T> {
    const recorded = this.replay[this.steps.length];
    if (recorded !== undefined) {
      if (recorded.key !== key) {
        throw new OptimizerError(
          'invalid_option',
          `resumeFrom does not match this run: step ${this.steps.length} is '${recorded.key}' in the checkpoint but '${key}' here (other options or data?)`,
          { details: { step: this.steps.length, checkpoint: recorded.key, run: key } },
        );
      }
      this.budget.charge(recorded.charge);
      this.steps.push(recorded);
      return structuredClone(recorded.value) as T;
    }
    const { value, charge } = await this.budget.measure(role, fn, adjust);
    const json = value === undefined ? null : (JSON.parse(JSON.stringify(value)) as unknown);
    this.steps.push({ key, value: json, charge });
    if (this.onCheckpoint !== undefined) await this.onCheckpoint(this.checkpoint());
    return structuredClone(json) as T;
  }

  /** The checkpoint of the steps so far. */
  checkpoint(): OptimizerCheckpoint {
    return {
      version: 1,
      optimizer: this.optimizer,
      steps: this.steps.map((s) => structuredClone(s)),
      usage: this.budget.usage,
    };
  }
}
