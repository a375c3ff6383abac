import type { LM } from '../lm/types.js';
import type { Signature } from '../signatures/index.js';
import type { Example } from './example.js';
import type { Prediction } from './prediction.js';

/**
 * Brand of optimizable parameters (DSPy's `Parameter` marker): `Module.namedPredictors()` lists
 * the objects carrying it. A symbol rather than `instanceof Predict` so the Module base does not
 * depend on its own subclass.
 */
export const PARAMETER: unique symbol = Symbol.for('dspex.parameter');

/** The saved state of one predictor, in DSPy's JSON shape. */
export interface PredictorState {
  demos: Record<string, unknown>[];
  traces: unknown[];
  train: unknown[];
  signature: { instructions: string; fields: { prefix: string; description: string }[] };
  lm: Record<string, unknown> | null;
  [key: string]: unknown;
}

/** Options of loading a state into a predictor or program. */
export interface LoadOptions {
  /**
   * Rebuilds an LM from its saved description. Without it a saved `lm` is not restored (the
   * predictor keeps its current LM) — a saved state never chooses endpoints or credentials.
   */
  lmFromState?: (state: Record<string, unknown>) => LM;
}

/**
 * What optimizers and `Module` need from a predictor (implemented by `Predict`): its signature,
 * demos, LM and state.
 */
export interface Predictor {
  readonly [PARAMETER]: true;
  signature: Signature;
  demos: (Example | Record<string, unknown>)[];
  lm: LM | undefined;
  /** Clears demos and the LM (DSPy's `reset`). */
  reset(): void;
  dumpState(): PredictorState;
  loadState(state: PredictorState, options?: LoadOptions): this;
}

/** One recorded Predict call: what optimizers bootstrap demos from (DSPy's trace tuple). */
export interface TraceEntry {
  readonly predictor: Predictor;
  readonly inputs: Record<string, unknown>;
  readonly prediction: Prediction;
}

/** True when `value` is a predictor (carries the {@link PARAMETER} brand). */
export function isPredictor(value: unknown): value is Predictor {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [PARAMETER]?: unknown })[PARAMETER] === true
  );
}
