import { CallAccounting, type CallStats } from '../evaluate/call-accounting.js';
import type { Metric } from '../evaluate/metric.js';
import { OptimizerError } from './optimizer-error.js';

/** Which model a call served: the program being optimized (`task`) or the optimizer's proposer (`prompt`). */
export type CallRole = 'task' | 'prompt';

/** Why a budgeted run stopped before finishing its schedule. */
export type BudgetStopReason = 'max_lm_calls' | 'max_metric_calls' | 'max_usd' | 'cancelled';

/**
 * Caps of an optimizer run. Every optimizer checks them between steps (a candidate, a trial, a
 * proposal round): the step in flight always finishes, so a run can pass a cap by at most one step,
 * and then stops with the best program found so far and the reason. Unset = unlimited.
 */
export interface BudgetLimits {
  /** LM calls, task and prompt model together (cache hits included, as `stats.lmCalls`). */
  maxLmCalls?: number;
  /** Metric evaluations. */
  maxMetricCalls?: number;
  /**
   * Dollars: usage × price, from the `cost` each LM computes (its `pricing` option, else the price
   * table; see `setPriceTable`). Calls to unpriced models cost 0, so price your models.
   */
  maxUsd?: number;
  /**
   * Asked between steps like the caps: once it returns true the run stops as at a cap, with the
   * best program so far and the reason `cancelled` (how the runtime cancels an optimization).
   */
  shouldStop?: () => boolean;
}

/** LM calls, tokens and dollars of one role. */
export interface RoleSpend {
  lmCalls: number;
  promptTokens: number;
  completionTokens: number;
  usd: number;
}

/** What a run has spent, with task-model and prompt-model calls counted apart. JSON-safe. */
export interface BudgetUsage {
  task: RoleSpend;
  prompt: RoleSpend;
  metricCalls: number;
}

/** What one step adds to a budget (a {@link BudgetUsage} delta of one role). */
export interface Charge {
  role: CallRole;
  lmCalls: number;
  promptTokens: number;
  completionTokens: number;
  usd: number;
  metricCalls: number;
}

function emptySpend(): RoleSpend {
  return { lmCalls: 0, promptTokens: 0, completionTokens: 0, usd: 0 };
}

/** An empty {@link BudgetUsage}. */
export function emptyUsage(): BudgetUsage {
  return { task: emptySpend(), prompt: emptySpend(), metricCalls: 0 };
}

/** The charge of a measured scope: its calls and the token/dollar totals over all models. */
export function chargeOf(role: CallRole, stats: CallStats, metricCalls = 0): Charge {
  const charge: Charge = {
    role,
    lmCalls: stats.lmCalls,
    promptTokens: 0,
    completionTokens: 0,
    usd: 0,
    metricCalls,
  };
  for (const totals of Object.values(stats.usage)) {
    charge.promptTokens += totals.promptTokens;
    charge.completionTokens += totals.completionTokens;
    charge.usd += totals.cost;
  }
  return charge;
}

/** The caps and the stop check of `options` (an optimizer's options), without its other keys. */
export function budgetLimitsOf(options: BudgetLimits): BudgetLimits {
  const limits: BudgetLimits = {};
  if (options.maxLmCalls !== undefined) limits.maxLmCalls = options.maxLmCalls;
  if (options.maxMetricCalls !== undefined) limits.maxMetricCalls = options.maxMetricCalls;
  if (options.maxUsd !== undefined) limits.maxUsd = options.maxUsd;
  if (options.shouldStop !== undefined) limits.shouldStop = options.shouldStop;
  return limits;
}

/** Validates budget limits (each a finite number >= 0 when set). */
export function checkBudgetLimits(limits: BudgetLimits): void {
  for (const key of ['maxLmCalls', 'maxMetricCalls', 'maxUsd'] as const) {
    const v = limits[key];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
      throw new OptimizerError('invalid_option', `${key} must be a finite number >= 0, got ${v}`, {
        details: { [key]: v },
      });
    }
  }
}

/**
 * The shared budget and accounting of an optimizer run: what was spent (task and prompt model
 * apart, metric calls, dollars) against {@link BudgetLimits}. Optimizers charge it with what a
 * sequential run spends per step and ask {@link Budget.exhausted} before starting the next step.
 *
 * @example
 * ```ts
 * const budget = new Budget({ maxUsd: 2 });
 * const proposals = await budget.measure('prompt', () => proposer(...));
 * if (budget.exhausted()) return best; // 'max_usd' etc.
 * ```
 */
export class Budget {
  private readonly spent: BudgetUsage;
  private metricCounter = 0;

  constructor(
    readonly limits: BudgetLimits = {},
    usage?: BudgetUsage,
  ) {
    checkBudgetLimits(limits);
    this.spent = usage === undefined ? emptyUsage() : structuredClone(usage);
  }

  /** A copy of what was spent so far. */
  get usage(): BudgetUsage {
    return structuredClone(this.spent);
  }

  /** LM calls of both roles. */
  get lmCalls(): number {
    return this.spent.task.lmCalls + this.spent.prompt.lmCalls;
  }

  /** Dollars of both roles. */
  get usd(): number {
    return this.spent.task.usd + this.spent.prompt.usd;
  }

  /** Adds one step's spend. */
  charge(charge: Charge): void {
    const role = this.spent[charge.role];
    role.lmCalls += charge.lmCalls;
    role.promptTokens += charge.promptTokens;
    role.completionTokens += charge.completionTokens;
    role.usd += charge.usd;
    this.spent.metricCalls += charge.metricCalls;
  }

  /** The first cap reached, or `undefined` while every cap has room. */
  exhausted(): BudgetStopReason | undefined {
    const { maxLmCalls, maxMetricCalls, maxUsd } = this.limits;
    if (maxLmCalls !== undefined && this.lmCalls >= maxLmCalls) return 'max_lm_calls';
    if (maxMetricCalls !== undefined && this.spent.metricCalls >= maxMetricCalls)
      return 'max_metric_calls';
    if (maxUsd !== undefined && this.usd >= maxUsd) return 'max_usd';
    if (this.limits.shouldStop?.() === true) return 'cancelled';
    return undefined;
  }

  /** What is left of each set cap (never negative): pass it on to a nested optimizer. */
  remaining(): BudgetLimits {
    const { maxLmCalls, maxMetricCalls, maxUsd } = this.limits;
    const left: BudgetLimits =
      this.limits.shouldStop === undefined ? {} : { shouldStop: this.limits.shouldStop };
    if (maxLmCalls !== undefined) left.maxLmCalls = Math.max(0, maxLmCalls - this.lmCalls);
    if (maxMetricCalls !== undefined)
      left.maxMetricCalls = Math.max(0, maxMetricCalls - this.spent.metricCalls);
    if (maxUsd !== undefined) left.maxUsd = Math.max(0, maxUsd - this.usd);
    return left;
  }

  /**
   * `metric`, counting its calls for {@link Budget.measure}. Count only sequential work with it
   * (an evaluation scores every example whatever its concurrency, so it qualifies).
   */
  countingMetric(metric: Metric): Metric {
    return (example, prediction, trace) => {
      this.metricCounter++;
      return metric(example, prediction, trace);
    };
  }

  /**
   * Runs `fn` in its own call-counting scope and charges its LM calls, tokens, dollars and the
   * calls of {@link Budget.countingMetric} metrics to `role` (also when `fn` throws). Returns the
   * value and the charge. `adjust` may replace the measured charge by what a sequential run
   * spends (e.g. a bootstrap's own sequential counts). Steps measured this way must not overlap.
   */
  async measure<T>(
    role: CallRole,
    fn: () => Promise<T>,
    adjust?: (value: T, measured: Charge) => Charge,
  ): Promise<{ value: T; charge: Charge }> {
    const accounting = new CallAccounting();
    const metricBefore = this.metricCounter;
    const measured = (): Charge =>
      chargeOf(role, accounting.stats(), this.metricCounter - metricBefore);
    let value: T;
    try {
      value = await accounting.run(fn);
    } catch (error) {
      this.charge(measured());
      throw error;
    }
    const charge = adjust === undefined ? measured() : adjust(value, measured());
    this.charge(charge);
    return { value, charge };
  }
}

/** Sums the spend of both roles into the `OptimizerStats` shape's budget view. */
export function totalUsd(usage: BudgetUsage): number {
  return usage.task.usd + usage.prompt.usd;
}
