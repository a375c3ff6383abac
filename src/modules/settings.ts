import {
  currentContext,
  runWithContext,
  setGlobalContext,
  type Callback,
  type UsageTracker,
} from '../context/index.js';
import type { Adapter } from '../adapters/index.js';
import type { LM } from '../lm/types.js';
import type { TraceEntry } from './parameter.js';
import { USAGE_SCOPE } from './usage-scope.js';

/**
 * What {@link configure} and {@link context} set (DSPy's `dspy.settings`). Every key is optional;
 * `undefined` clears a key in a scope.
 */
export interface Settings {
  /** Default LM of every predictor that has none of its own. */
  lm?: LM | undefined;
  /** Adapter used by Predict (default: a `ChatAdapter`). */
  adapter?: Adapter | undefined;
  /** Observers of module, adapter, LM, tool and evaluate events. */
  callbacks?: readonly Callback[] | undefined;
  /**
   * The trace sink: when set, every Predict call appends `{ predictor, inputs, prediction }` to it.
   * Open a fresh one per run (`context({ trace: [] }, …)`); there is none by default, so concurrent
   * runs never share one by accident.
   */
  trace?: TraceEntry[] | undefined;
  /** Oldest trace entries are dropped beyond this size (default 10 000, as DSPy). */
  maxTraceSize?: number | undefined;
  /** Default concurrency of `batch()` (default 8, DSPy's `num_threads`). */
  numThreads?: number | undefined;
  /** Default error budget of `batch()` (default 10, DSPy's `max_errors`). */
  maxErrors?: number | undefined;
  /** Where warnings (extra inputs, …) go; default `console.warn`. */
  logger?: WarningLogger | undefined;
  /**
   * Cancels the scope's work: every LM call made inside gets this signal (unless the call sets its
   * own), so aborting it stops a running program at its next LM call (`aborted` error).
   */
  signal?: AbortSignal | undefined;
}

/** The one method of a logger modules use (pino-compatible: `(details, message)`). */
export interface WarningLogger {
  warn(details: Record<string, unknown>, message: string): void;
}

/** Keys of {@link Settings} kept in the invocation context's `values` (all but callbacks). */
const VALUE_KEYS = [
  'lm',
  'adapter',
  'trace',
  'maxTraceSize',
  'numThreads',
  'maxErrors',
  'logger',
  'signal',
] as const;

/** A context patch as {@link toPatch} builds it (mutable until it is handed over). */
interface SettingsPatch {
  callbacks?: readonly Callback[];
  usageTrackers?: readonly UsageTracker[];
  values: Record<string, unknown>;
}

/** The context patch of `settings`, its values added to `values` (a fresh object by default). */
function toPatch(settings: Settings, values: Record<string, unknown> = {}): SettingsPatch {
  for (const key of VALUE_KEYS) if (key in settings) values[key] = settings[key];
  const patch: SettingsPatch = { values };
  if (settings.callbacks !== undefined) patch.callbacks = settings.callbacks;
  else if ('callbacks' in settings) patch.callbacks = [];
  return patch;
}

/**
 * Sets process-wide defaults (DSPy's `dspy.configure`): keys given replace the previous ones,
 * keys not given stay. Scoped {@link context} overrides win inside their scope.
 *
 * @example
 * ```ts
 * configure({ lm: openai({ model: 'gpt-4o-mini' }) });
 * const pred = await new Predict('question -> answer').call({ question: 'Hi?' });
 * ```
 */
export function configure(settings: Settings): void {
  setGlobalContext(toPatch(settings));
}

/**
 * Runs `fn` with `overrides` applied for its whole async extent (DSPy's `with dspy.context(...)`),
 * carried by AsyncLocalStorage so concurrent runs each see their own settings.
 *
 * @example
 * ```ts
 * const trace: TraceEntry[] = [];
 * const pred = await context({ lm: cheapLm, trace }, () => program.call({ question }));
 * ```
 */
export function context<T>(overrides: Settings, fn: () => T): T {
  return runWithContext(toPatch(overrides), fn);
}

/**
 * {@link context} whose scope is also the outermost usage scope: a `Module.call` inside reuses this
 * one AsyncLocalStorage scope instead of opening its own, and `tracker` gets the usage of every LM
 * call inside (set it on the prediction yourself: `pred.setLmUsage(tracker.perModel())`). A node
 * runs each job this way, one scope per job.
 * @internal
 */
export function contextWithUsage<T>(overrides: Settings, tracker: UsageTracker, fn: () => T): T {
  // The usage scope goes straight into the patch's values: one scope per job, built in one pass.
  const patch = toPatch(overrides, { [USAGE_SCOPE]: tracker });
  patch.usageTrackers = [tracker];
  return runWithContext(patch, fn);
}

/** The settings in effect here (context overrides over {@link configure}d defaults). */
export function currentSettings(): Settings & { callbacks: readonly Callback[] } {
  const ctx = currentContext();
  const out: Settings & { callbacks: readonly Callback[] } = { callbacks: ctx.callbacks };
  for (const key of VALUE_KEYS) {
    const v = ctx.values[key];
    if (v !== undefined) (out as unknown as Record<string, unknown>)[key] = v;
  }
  return out;
}

/** Logs a warning through the configured logger, or `console.warn`. */
export function warn(message: string, details: Record<string, unknown> = {}): void {
  const logger = currentContext().values['logger'] as WarningLogger | undefined;
  if (logger) logger.warn(details, message);
  else console.warn(`[dspex] ${message}`, details);
}
