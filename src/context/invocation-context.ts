import { scopeSlot } from '../scope/index.js';

/**
 * Observer of a program run, DSPy-style (`dspy.utils.callback.BaseCallback`). Every method is
 * optional. Events nest: module → adapter format → lm → adapter parse → module end (T21).
 * `callId` pairs each start with its end.
 */
export interface Callback {
  onModuleStart?(callId: string, instance: unknown, inputs: Record<string, unknown>): void;
  onModuleEnd?(callId: string, outputs: unknown, error: unknown): void;
  onLmStart?(callId: string, instance: unknown, inputs: Record<string, unknown>): void;
  onLmEnd?(callId: string, outputs: unknown, error: unknown): void;
  onAdapterFormatStart?(callId: string, instance: unknown, inputs: Record<string, unknown>): void;
  onAdapterFormatEnd?(callId: string, outputs: unknown, error: unknown): void;
  onAdapterParseStart?(callId: string, instance: unknown, inputs: Record<string, unknown>): void;
  onAdapterParseEnd?(callId: string, outputs: unknown, error: unknown): void;
  onToolStart?(callId: string, instance: unknown, inputs: Record<string, unknown>): void;
  onToolEnd?(callId: string, outputs: unknown, error: unknown): void;
  onEvaluateStart?(callId: string, instance: unknown, inputs: Record<string, unknown>): void;
  onEvaluateEnd?(callId: string, outputs: unknown, error: unknown): void;
}

/** Token and cost totals per model, as accumulated by a {@link UsageTracker}. */
export interface UsageTotals {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cost: number;
  calls: number;
}

/**
 * Accumulates LM usage per model for one scope (a prediction, a run, an evaluation). Trackers nest:
 * a call is added to every tracker of the current context chain, so a run's tracker sees the usage
 * of all its predictions.
 */
export class UsageTracker {
  private readonly byModel = new Map<string, UsageTotals>();

  /** Adds one call's usage. */
  add(
    model: string,
    usage: { promptTokens: number; completionTokens: number; totalTokens: number; cost?: number },
  ): void {
    const t = this.byModel.get(model) ?? {
      promptTokens: 0,
      completionTokens: 0,
      totalTokens: 0,
      cost: 0,
      calls: 0,
    };
    t.promptTokens += usage.promptTokens;
    t.completionTokens += usage.completionTokens;
    t.totalTokens += usage.totalTokens;
    t.cost += usage.cost ?? 0;
    t.calls += 1;
    this.byModel.set(model, t);
  }

  /** Totals per model (a copy). */
  perModel(): Record<string, UsageTotals> {
    const out: Record<string, UsageTotals> = {};
    for (const [m, t] of this.byModel) out[m] = { ...t };
    return out;
  }

  /** Totals over all models. */
  total(): UsageTotals {
    const sum: UsageTotals = {
      promptTokens: 0,
      completionTokens: 0,
      totalTokens: 0,
      cost: 0,
      calls: 0,
    };
    for (const t of this.byModel.values()) {
      sum.promptTokens += t.promptTokens;
      sum.completionTokens += t.completionTokens;
      sum.totalTokens += t.totalTokens;
      sum.cost += t.cost;
      sum.calls += t.calls;
    }
    return sum;
  }
}

/**
 * What travels with one invocation through AsyncLocalStorage (DESIGN §3): never globals, so
 * concurrent runs never share a trace or a usage tracker. Higher layers keep their typed settings
 * (the LM, the adapter, …) in `values` under their own keys.
 */
export interface InvocationContext {
  readonly callbacks: readonly Callback[];
  /** Trackers from the outermost scope to the innermost; every LM call is added to each. */
  readonly usageTrackers: readonly UsageTracker[];
  /** Typed settings of higher layers, keyed by name (`lm`, `adapter`, `trace`, …). */
  readonly values: Readonly<Record<string, unknown>>;
}

const EMPTY: InvocationContext = Object.freeze({
  callbacks: [],
  usageTrackers: [],
  values: Object.freeze({}),
});

// A slot of the process's one async-context store (src/scope), shared with the kernel's fault scope.
const storage = scopeSlot<InvocationContext>();
let globalContext: InvocationContext = EMPTY;

/** The context of the current async scope, or the global one set by {@link setGlobalContext}. */
export function currentContext(): InvocationContext {
  return storage.get() ?? globalContext;
}

/**
 * Replaces the process-wide default context (what `configure()` sets). Scoped overrides made with
 * {@link runWithContext} take precedence inside their scope.
 */
export function setGlobalContext(patch: Partial<InvocationContext>): void {
  globalContext = mergeContext(globalContext, patch);
}

/** Merges a patch: callbacks and values replace by key; usage trackers are appended (nesting). */
export function mergeContext(
  base: InvocationContext,
  patch: Partial<InvocationContext>,
): InvocationContext {
  return Object.freeze({
    callbacks: patch.callbacks ?? base.callbacks,
    usageTrackers: patch.usageTrackers
      ? [...base.usageTrackers, ...patch.usageTrackers]
      : base.usageTrackers,
    // A patch without values (a usage scope) shares the base's frozen values object.
    values:
      patch.values === undefined
        ? base.values
        : Object.freeze(Object.assign({}, base.values, patch.values)),
  });
}

/** Runs `fn` with the current context overridden by `patch` for its whole async extent. */
export function runWithContext<T>(patch: Partial<InvocationContext>, fn: () => T): T {
  return storage.run(mergeContext(currentContext(), patch), fn);
}

/** Calls `method` on every callback of the current context; a throwing callback never breaks the run. */
export function emitCallback<K extends keyof Callback>(
  method: K,
  ...args: Parameters<NonNullable<Callback[K]>>
): void {
  for (const cb of currentContext().callbacks) {
    const fn = cb[method] as ((...a: unknown[]) => void) | undefined;
    if (fn === undefined) continue;
    try {
      fn.apply(cb, args);
    } catch {
      // Callbacks are observers: DSPy logs and swallows their errors, and so do we.
    }
  }
}
