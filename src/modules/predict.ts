import { ChatAdapter, type Adapter } from '../adapters/index.js';
import { currentContext, type Callback } from '../context/index.js';
import type { LM } from '../lm/types.js';
import {
  fieldDefault,
  pythonTypeName,
  signature as toSignature,
  type Signature,
  type SignatureSpec,
  type SpecInputs,
  type SpecOutputs,
} from '../signatures/index.js';
import { ModuleError } from './errors.js';
import { Example, isPlainObject, toPlain } from './example.js';
import { fitsType } from './input-type-check.js';
import { Module, type CallOptions, type LMConfig } from './module.js';
import {
  PARAMETER,
  type LoadOptions,
  type Predictor,
  type PredictorState,
  type TraceEntry,
} from './parameter.js';
import { Prediction } from './prediction.js';
import { warn, type Settings } from './settings.js';
import { currentStreamSession, streamingLm } from './streaming/stream-session.js';
import { bindOptions, type Declarable } from './variable-binding.js';

/**
 * Options of {@link Predict}: default LM parameters (DSPy's `**config`), callbacks, and an adapter
 * for this predictor only. Any option may be a variable (`temperature: v.float({ range: [0, 1] })`);
 * the predictor then runs with its default until `applyConfiguration` picks a value.
 */
export type PredictOptions = Declarable<
  LMConfig & {
    callbacks?: Callback[];
    adapter?: Adapter;
    /** LM of this predictor (a model variable resolves to one). */
    lm?: LM;
    /** Replaces the signature's instructions (an instruction variable resolves to one). */
    instructions?: string;
    /** Initial demos (a demo-count or demo-set variable resolves to a list). */
    demos?: readonly (Example | Record<string, unknown>)[];
  }
>;

/** LM state keys never restored from a saved state (they would choose where requests go). */
const UNSAFE_LM_STATE_KEYS = [
  'api_base',
  'base_url',
  'baseURL',
  'baseUrl',
  'model_list',
  'apiKey',
  'api_key',
];

/** Default trace bound, as DSPy's `max_trace_size`. */
const DEFAULT_MAX_TRACE_SIZE = 10_000;

let defaultAdapter: Adapter | undefined;

/**
 * The one LM-calling primitive (DSPy's `dspy.Predict`): signature + demos + config → adapter →
 * LM → parsed {@link Prediction}. Inputs are checked against the signature (a missing required
 * input is an error naming it; extra inputs are warned about and not sent); the LM comes from the
 * call, else the predictor, else the context; the adapter from the predictor, else the context
 * (default `ChatAdapter`); `n` completions land in `prediction.completions`; each call is appended to the
 * context's trace when one is open.
 *
 * `S` is the signature string literal (or typed {@link Signature}) the predictor was built from;
 * `I` and `O`, its inputs and outputs object types, follow from it ({@link SpecInputs} /
 * {@link SpecOutputs}): `call()` takes `I` and returns a `Prediction<O>`.
 *
 * @example
 * ```ts
 * const qa = new Predict('question -> answer, confidence: float', { n: 3 });
 * const pred = await qa.call({ question: 'What is 1+1?' });
 * pred.answer;               // first completion (string)
 * pred.confidence;           // number
 * pred.completions.answer;   // all three
 * ```
 */
export class Predict<
  S extends SignatureSpec = SignatureSpec,
  I extends object = SpecInputs<S>,
  O extends object = SpecOutputs<S>,
>
  extends Module<I, O>
  implements Predictor
{
  readonly [PARAMETER] = true as const;
  signature: Signature<I, O>;
  /** Default LM parameters of every call (overridden by the call's `config`). */
  config: LMConfig;
  lm: LM | undefined = undefined;
  /** Adapter of this predictor; when unset, the context's (default `ChatAdapter`). Not saved. */
  adapter: Adapter | undefined = undefined;
  demos: (Example | Record<string, unknown>)[] = [];
  /** Kept for DSPy's state shape. */
  traces: unknown[] = [];
  /** Kept for DSPy's state shape. */
  train: unknown[] = [];

  constructor(sig: S, options: PredictOptions = {}) {
    super();
    const { callbacks, adapter, lm, instructions, demos, ...config } = bindOptions(
      this,
      Predict,
      sig,
      options,
    );
    this.signature =
      instructions === undefined
        ? (toSignature(sig) as Signature<I, O>)
        : (toSignature(sig).withInstructions(instructions) as Signature<I, O>);
    this.config = config;
    if (callbacks) this.callbacks = callbacks;
    if (adapter) this.adapter = adapter;
    if (lm) this.lm = lm;
    if (demos) this.demos = [...demos];
  }

  /** Clears the LM, demos and the legacy trace lists (DSPy's `reset`). */
  reset(): void {
    this.lm = undefined;
    this.traces = [];
    this.train = [];
    this.demos = [];
  }

  /** DSPy's `update_config`: merges LM parameters into {@link Predict.config}. */
  updateConfig(config: LMConfig): void {
    this.config = { ...this.config, ...config };
  }

  override forward(typedInputs: I, options: CallOptions = {}): Promise<Prediction<O>> {
    // Not `async` (this runs on every prediction): one `.then` on the adapter's promise; the
    // checks below still reject (never throw) through the catch.
    try {
      const inputs = typedInputs as Record<string, unknown>;
      // The context's values read in place (not `currentSettings()`, which copies them per call).
      const settings = currentContext().values as Readonly<Settings>;
      const sig = options.signature ?? this.signature;
      const demos = (options.demos ?? this.demos).map((d) =>
        d instanceof Example ? d.toDict() : (toPlain(d) as Record<string, unknown>),
      );
      // Object.assign, not a spread: keys added to a spread's copy are slow on Node 20 (`signal` below).
      const config: LMConfig = Object.assign({}, this.config, options.config);
      if (config.signal === undefined && settings.signal !== undefined)
        config.signal = settings.signal;
      const lm = options.lm ?? this.lm ?? settings.lm;
      if (lm === undefined) {
        throw new ModuleError(
          'no_lm',
          'No LM is loaded. Please configure the LM using `configure({ lm })` or `context({ lm }, fn)`, or set `predictor.lm`.',
        );
      }
      // DSPy: several samples at (near-)zero temperature would all be equal, so it raises it to 0.7.
      const temperature = config.temperature || lm.params.temperature;
      const n = config.n || lm.params.n || 1;
      if ((temperature === undefined || temperature <= 0.15) && n > 1) config.temperature = 0.7;

      const llmInputs = this.checkInputs(sig, inputs);
      const adapter = this.adapter ?? settings.adapter ?? (defaultAdapter ??= new ChatAdapter());
      const session = currentStreamSession();
      const callLm =
        session !== undefined && session.wants(this)
          ? streamingLm(
              lm,
              (text) => session.push({ predictor: this, text, adapterName: adapter.name }),
              (toolCall) => session.pushToolCall?.({ predictor: this, toolCall }),
            )
          : lm;

      return Promise.resolve(
        adapter.call(callLm, { signature: sig, demos, inputs: llmInputs, request: config }),
      ).then(({ outputs }) => {
        const prediction = Prediction.fromCompletions(outputs, sig as Signature<object, O>);
        this.record(settings.trace, settings.maxTraceSize, inputs, prediction);
        return prediction;
      });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Fills defaults, rejects missing required inputs, warns about and drops extra ones. */
  private checkInputs(sig: Signature, inputs: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const missing: string[] = [];
    for (const f of sig.inputFields) {
      if (f.name in inputs && inputs[f.name] !== undefined) out[f.name] = inputs[f.name];
      else if (f.hasDefault || f.defaultFactory !== undefined) out[f.name] = fieldDefault(f);
      else if (!f.optional) missing.push(f.name);
    }
    for (const f of sig.inputFields) {
      const v = out[f.name];
      if (v === null || v === undefined || f.typeUndefined || fitsType(v, f.type)) continue;
      warn(
        `Type mismatch for field '${f.name}': expected ${pythonTypeName(f.type)} based on given Signature, but the provided value is incompatible.`,
        {
          field: f.name,
          expected: pythonTypeName(f.type),
        },
      );
    }
    const extra = Object.keys(inputs).filter((k) => sig.field(k)?.kind !== 'input');
    if (extra.length > 0) {
      warn('Input contains fields not in signature. These fields will be ignored.', {
        extra,
        expected: sig.inputFields.map((f) => f.name),
      });
    }
    if (missing.length > 0) {
      const present = sig.inputFields.map((f) => f.name).filter((k) => !missing.includes(k));
      throw new ModuleError(
        'missing_inputs',
        `Missing input field(s) ${missing.map((m) => `'${m}'`).join(', ')} for signature '${sig.toString()}'.`,
        { details: { missing, present } },
      );
    }
    return out;
  }

  private record(
    trace: TraceEntry[] | undefined,
    maxSize: number | undefined,
    inputs: Record<string, unknown>,
    prediction: Prediction,
  ): void {
    const limit = maxSize ?? DEFAULT_MAX_TRACE_SIZE;
    if (trace === undefined || limit <= 0) return;
    if (trace.length >= limit) trace.shift();
    trace.push({ predictor: this, inputs: { ...inputs }, prediction });
  }

  /** The state in DSPy's shape: `{ traces, train, demos, signature, lm }`. */
  dumpState(): PredictorState {
    return {
      traces: [...this.traces],
      train: [...this.train],
      demos: this.demos.map(
        (d) => JSON.parse(JSON.stringify(toPlain(d))) as Record<string, unknown>,
      ),
      signature: this.signature.dumpState(),
      lm: this.lm ? this.lm.dumpState() : null,
    };
  }

  /**
   * Applies a saved state: demos (as {@link Example}s), the signature's instructions and field
   * prefixes/descriptions, and the LM when `options.lmFromState` is given (endpoint and credential
   * keys are dropped first, as DSPy does without `allow_unsafe_lm_state`).
   */
  loadState(state: PredictorState, options: LoadOptions = {}): this {
    if (!isPlainObject(state) || !isPlainObject(state.signature)) {
      throw new ModuleError('invalid_state', 'A predictor state needs a `signature` object.');
    }
    if (
      state.demos !== undefined &&
      (!Array.isArray(state.demos) || !state.demos.every((d) => isPlainObject(d)))
    ) {
      throw new ModuleError(
        'invalid_state',
        'A predictor state needs `demos` to be a list of objects.',
      );
    }
    const nextSignature = this.signature.loadState(state.signature);
    this.signature = nextSignature;
    this.demos = (state.demos ?? []).map((d) => new Example(d));
    this.traces = Array.isArray(state.traces) ? [...state.traces] : [];
    this.train = Array.isArray(state.train) ? [...state.train] : [];
    if (state.lm === null || state.lm === undefined) {
      this.lm = undefined;
    } else if (options.lmFromState !== undefined) {
      const safe = Object.fromEntries(
        Object.entries(state.lm).filter(([k]) => !UNSAFE_LM_STATE_KEYS.includes(k)),
      );
      this.lm = options.lmFromState(safe);
    }
    return this;
  }

  override toString(): string {
    return `Predict(${this.signature.toString()})`;
  }
}
