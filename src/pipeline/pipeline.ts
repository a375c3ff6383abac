import {
  ChainOfThought,
  CheckOutputs,
  Module,
  StrategyModule,
  isPredictor,
  Prediction,
  type CallOptions,
  type OutputCheck,
} from '../modules/index.js';
import type { AnyFields } from '../signatures/index.js';
import { PipelineError } from './errors.js';
import { Fallback } from './fallback.js';
import {
  joinBranches,
  pipelineNodes,
  type PipelineNode,
  type PipelineStep,
  type State,
} from './pipeline-steps.js';

type Awaitable<T> = T | Promise<T>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
/** `S` with the fields of `A` added (a field of `A` replaces the one of `S`). */
export type Merge<S, A> = Simplify<Omit<S, keyof A> & A>;
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (
  u: infer I,
) => void
  ? I
  : never;

/* eslint-disable @typescript-eslint/no-explicit-any -- module type parameters are inferred from `any` bounds */
/** The inputs type of a module. */
export type ModuleInputs<M> = M extends Module<infer I, any> ? I : never;
/** The outputs type of a module. */
export type ModuleOutputs<M> = M extends Module<any, infer O> ? O : never;
/** The state type at the end of a pipeline. */
export type PipelineState<P> = P extends Pipeline<any, infer S> ? S : never;
/** A function building one arm of a `branch` or `parallel` stage from a fresh sub-pipeline. */
export type ArmBuilder<S extends object> = (p: Pipeline<S, S>) => Pipeline<any, any>;
/* eslint-enable @typescript-eslint/no-explicit-any */

/**
 * A compile-time check that the pipeline's state carries the module's inputs: `unknown` when it
 * does, an object naming the missing fields otherwise (so the call does not type-check).
 */
export type InputsFrom<S, M> =
  S extends ModuleInputs<M>
    ? unknown
    : { missingPipelineFields: Exclude<keyof ModuleInputs<M>, keyof S> };

/** What a `validate` stage's check returns: a message or `false` rejects the state. */
export type StateCheckResult = string | boolean | null | undefined | void;

/** Options of {@link Pipeline.predict}. */
export interface PredictStageOptions<S, O extends object> {
  /**
   * The module's inputs from the state. Default: the state's fields the module's signature declares
   * (Predict, ChainOfThought, StrategyModule), the whole state for a custom module.
   */
  inputs?: (state: S) => Record<string, unknown>;
  /** Output fields to keep in the state (default: every output field). */
  outputs?: readonly (keyof O & string)[];
  /**
   * An assertion on the prediction (a message or `false` fails it: e.g. low confidence), or a
   * zod schema of the outputs. A failure is retried `retries` times with the feedback in the
   * prompt (see `CheckOutputs`), then the stage falls back.
   */
  check?: OutputCheck;
  /** Retries of each module after a failed check (default 0). */
  retries?: number;
  /**
   * Modules to try in order when the module fails (an LM or parse error, a check that still fails):
   * e.g. the same signature on a larger model, or ChainOfThought instead of Predict.
   */
  fallback?: Module | readonly Module[];
}

/** A stage's view for graph renderers (see `toMermaid`). */
export interface StageView {
  readonly name: string;
  readonly kind: PipelineStep['kind'];
  /** The module of a `predict` stage (a `Fallback` when it has fallbacks). */
  readonly module?: Module;
  /** Arms of a `branch` or branches of a `parallel` stage. */
  readonly arms?: Readonly<Record<string, Pipeline>>;
}

const STAGE_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * A program as a pipeline of stages over one state record (the seeds' `Pipeline`, AxFlow's
 * shape): the state starts as the inputs and each stage adds fields to it.
 *
 * - `transform(name, fn)`: adds the fields `fn(state)` returns;
 * - `validate(name, check)`: rejects the state (`PipelineError('validation_failed')`);
 * - `predict(name, module, { check, retries, fallback })`: runs any module (or a `StrategyModule`
 *   whose strategy is a Variable) on the state and adds its outputs; a failed check is retried with
 *   feedback, then the stage falls back to the next module (saga-style compensation);
 * - `branch(name, choose, arms)`: runs the arm `choose(state)` names;
 * - `parallel(name, branches, join?)`: fans out to sub-pipelines and joins their fields.
 *
 * A pipeline is a {@link Module}: typed `call()`, evaluable, and its stage modules are its
 * sub-modules (named by stage: `classify`, `answer.attempts[1].predict`, `route['bug'].fix`), so
 * optimizers see and tune its predictors and `programSpace` its variables; `save()`/`load()` work
 * as for any program. Each builder call returns a new pipeline sharing the stage modules.
 * Declared in a programs module's `pipelines` export, it runs stage by stage as jobs on any node.
 *
 * @example
 * ```ts
 * const triage = pipeline<{ ticket: string }>('triage')
 *   .transform('clean', (s) => ({ text: s.ticket.trim() }))
 *   .validate('nonEmpty', (s) => s.text.length > 0 || 'the ticket is empty')
 *   .predict('classify', new Predict('text -> category: Literal["bug", "billing"], confidence: confidence'), {
 *     check: (p) => p.confidence >= 0.7 || 'not confident enough',
 *     fallback: new ChainOfThought('text -> category: Literal["bug", "billing"], confidence: confidence', { lm: larger }),
 *   })
 *   .predict('reply', new Predict('text, category -> reply'));
 * const { category, reply } = await triage.call({ ticket: ' app crashes ' });
 * ```
 */
export class Pipeline<I extends object = AnyFields, S extends object = I> extends Module<I, S> {
  /** The pipeline's name (graph titles, distributed queue `dspex-pipeline-<name>`). */
  readonly pipelineName: string;
  /** The stages in order (data; their modules are this pipeline's own properties by stage name). */
  readonly steps: readonly PipelineStep[];

  constructor(name = 'pipeline', steps: readonly PipelineStep[] = []) {
    super();
    this.pipelineName = name;
    this.steps = steps;
  }

  /** Adds the fields `fn` returns to the state. */
  transform<A extends object>(
    name: string,
    fn: (state: S) => Awaitable<A>,
  ): Pipeline<I, Merge<S, A>> {
    return this.extend({ kind: 'transform', name, fn: fn as (s: State) => Awaitable<State> });
  }

  /** Fails the run with `validation_failed` when `check` returns `false` or a message. */
  validate(name: string, check: (state: S) => Awaitable<StateCheckResult>): Pipeline<I, S> {
    return this.extend({
      kind: 'validate',
      name,
      check: check as (s: State) => Awaitable<StateCheckResult>,
    });
  }

  /** Runs a module on the state and adds its outputs (see {@link PredictStageOptions}). */
  predict<M extends Module<any, any>>( // eslint-disable-line @typescript-eslint/no-explicit-any
    name: string,
    module: M & InputsFrom<S, M>,
    options: PredictStageOptions<S, ModuleOutputs<M>> = {},
  ): Pipeline<I, Merge<S, ModuleOutputs<M>>> {
    const fallbacks =
      options.fallback === undefined
        ? []
        : options.fallback instanceof Module
          ? [options.fallback]
          : [...options.fallback];
    const guard = (m: Module): Module =>
      options.check === undefined && (options.retries ?? 0) === 0
        ? m
        : new CheckOutputs(m, {
            checks: options.check === undefined ? [] : [options.check],
            maxRetries: options.retries ?? 0,
          });
    const stageModule =
      fallbacks.length === 0
        ? guard(module)
        : new Fallback([module, ...fallbacks].map(guard), { label: name });
    return this.extend(
      {
        kind: 'predict',
        name,
        ...(options.inputs === undefined ? {} : { select: options.inputs as (s: State) => State }),
        ...(options.outputs === undefined ? {} : { outputs: [...options.outputs] }),
      },
      stageModule,
    );
  }

  /** Runs the arm whose key `choose` returns (`otherwise`: the arm for any other key). */
  branch<B extends Record<string, ArmBuilder<S>>>(
    name: string,
    choose: (state: S) => Awaitable<string>,
    arms: B,
    options: { otherwise?: keyof B & string } = {},
  ): Pipeline<I, S & PipelineState<ReturnType<B[keyof B]>>> {
    const built = this.buildArms(name, arms);
    if (options.otherwise !== undefined && !(options.otherwise in built))
      throw invalid(name, `otherwise '${options.otherwise}' is not one of the arms`);
    return this.extend(
      {
        kind: 'branch',
        name,
        choose: choose as (s: State) => Awaitable<string>,
        arms: Object.keys(built),
        ...(options.otherwise === undefined ? {} : { otherwise: options.otherwise }),
      },
      built,
    );
  }

  /**
   * Fans out: every branch runs on the same state, concurrently (distributed: as separate jobs);
   * then the fields each branch added are joined into the state (in branch order), or `join`
   * computes the fields to add from them.
   */
  parallel<B extends Record<string, ArmBuilder<S>>>(
    name: string,
    branches: B,
  ): Pipeline<I, Merge<S, UnionToIntersection<PipelineState<ReturnType<B[keyof B]>>>>>;
  parallel<B extends Record<string, ArmBuilder<S>>, J extends object>(
    name: string,
    branches: B,
    join: (
      results: { [K in keyof B]: Partial<PipelineState<ReturnType<B[K]>>> },
      state: S,
    ) => Awaitable<J>,
  ): Pipeline<I, Merge<S, J>>;
  parallel(
    name: string,
    branches: Record<string, ArmBuilder<S>>,
    join?: (results: Record<string, State>, state: S) => Awaitable<object>,
  ): Pipeline<I, AnyFields> {
    const built = this.buildArms(name, branches);
    return this.extend(
      {
        kind: 'parallel',
        name,
        branches: Object.keys(built),
        ...(join === undefined
          ? {}
          : { join: join as (r: Record<string, State>, s: State) => Awaitable<State> }),
      },
      built,
    );
  }

  override async forward(inputs: I, options?: CallOptions): Promise<Prediction<S>> {
    let state: State = { ...(inputs as State) };
    for (const step of this.steps) {
      if (step.kind === 'parallel') {
        const base = state;
        const results = await Promise.all(
          step.branches.map((b) => this.runBranch(step.name, b, base, options)),
        );
        state = await joinBranches(
          step,
          base,
          Object.fromEntries(step.branches.map((b, i) => [b, results[i] as State])),
        );
      } else state = await this.runStep(step, state, options);
    }
    return new Prediction(state) as Prediction<S>;
  }

  /** The stages for graph renderers: kinds, modules and arms. */
  stageViews(): StageView[] {
    return this.steps.map((step) => {
      const member = (this as unknown as Record<string, unknown>)[step.name];
      if (step.kind === 'predict')
        return { name: step.name, kind: step.kind, module: member as Module };
      if (step.kind === 'branch' || step.kind === 'parallel')
        return { name: step.name, kind: step.kind, arms: member as Record<string, Pipeline> };
      return { name: step.name, kind: step.kind };
    });
  }

  /**
   * The stage graph as a DAG for the job transport: one node per stage, plus one node per branch
   * of a `parallel` stage (`<stage>__<branch>`) whose join is the stage's own node. Each node's
   * parents are the nodes whose outputs it needs; the last node is the only sink.
   */
  nodes(): PipelineNode[] {
    return pipelineNodes(this.steps);
  }

  /**
   * Runs one node of {@link Pipeline.nodes} (a distributed stage job): `input` is the run's input,
   * `parents` the outputs of the node's parents. Resolves with the node's output: the state after
   * the stage (a branch node: the fields its branch added).
   */
  async runNode(
    id: string,
    input: State,
    parents: Readonly<Record<string, State>>,
    options?: CallOptions,
  ): Promise<State> {
    const node = this.nodes().find((n) => n.id === id);
    if (node === undefined)
      throw new PipelineError(
        'unknown_node',
        `pipeline '${this.pipelineName}' has no stage node '${id}'`,
        {
          details: { node: id, nodes: this.nodes().map((n) => n.id) },
        },
      );
    const base = node.previous === undefined ? { ...input } : (parents[node.previous] as State);
    const step = node.step;
    if (node.branch !== undefined) return this.runBranch(step.name, node.branch, base, options);
    if (step.kind === 'parallel')
      return joinBranches(
        step,
        base,
        Object.fromEntries(step.branches.map((b) => [b, parents[`${step.name}__${b}`] ?? {}])),
      );
    return this.runStep(step, base, options);
  }

  private async runStep(step: PipelineStep, state: State, options?: CallOptions): Promise<State> {
    const member = (this as unknown as Record<string, unknown>)[step.name];
    switch (step.kind) {
      case 'transform': {
        const added = await step.fn(state);
        if (typeof added !== 'object' || added === null || Array.isArray(added))
          throw new PipelineError(
            'invalid_pipeline',
            `transform stage '${step.name}' must return an object of fields, got ${Array.isArray(added) ? 'an array' : typeof added}`,
            { details: { stage: step.name } },
          );
        return { ...state, ...added };
      }
      case 'validate': {
        const result = await step.check(state);
        if (result === false || (typeof result === 'string' && result !== ''))
          throw new PipelineError(
            'validation_failed',
            typeof result === 'string'
              ? `stage '${step.name}': ${result}`
              : `stage '${step.name}' rejected the state`,
            { details: { stage: step.name } },
          );
        return state;
      }
      case 'predict': {
        const module = member as Module;
        const prediction = await module.call(
          step.select === undefined ? declaredInputs(module, state) : step.select(state),
          options,
        );
        const outputs = prediction.toDict();
        const kept = step.outputs === undefined ? outputs : pick(outputs, step.outputs);
        return { ...state, ...kept };
      }
      case 'branch': {
        const arms = member as Record<string, Pipeline>;
        const key = await step.choose(state);
        const arm = step.arms.includes(key) ? key : step.otherwise;
        if (arm === undefined)
          throw new PipelineError(
            'unknown_branch',
            `branch stage '${step.name}' chose '${key}', which is none of its arms (${step.arms.join(', ')})`,
            { details: { stage: step.name, chosen: key, arms: [...step.arms] } },
          );
        const prediction = await (arms[arm] as Pipeline).call(state, options);
        return { ...state, ...prediction.toDict() };
      }
      case 'parallel':
        throw new PipelineError('invalid_pipeline', `stage '${step.name}' is a parallel stage`);
    }
  }

  /** Runs one branch of a parallel stage on `base`; resolves with the fields it added or changed. */
  private async runBranch(
    stage: string,
    branch: string,
    base: State,
    options?: CallOptions,
  ): Promise<State> {
    const arms = (this as unknown as Record<string, Record<string, Pipeline>>)[stage] as Record<
      string,
      Pipeline
    >;
    const result = (await (arms[branch] as Pipeline).call(base, options)).toDict();
    return Object.fromEntries(
      Object.entries(result).filter(([k, v]) => !(k in base) || base[k] !== v),
    );
  }

  private buildArms(name: string, arms: Record<string, ArmBuilder<S>>): Record<string, Pipeline> {
    const keys = Object.keys(arms);
    if (keys.length === 0) throw invalid(name, 'needs at least one arm');
    const built: Record<string, Pipeline> = {};
    for (const key of keys) {
      if (!STAGE_NAME.test(key)) throw invalid(name, `arm name '${key}' must match ${STAGE_NAME}`);
      const arm = (arms[key] as ArmBuilder<S>)(
        new Pipeline<S, S>(`${this.pipelineName}.${name}.${key}`),
      );
      if (!(arm instanceof Pipeline)) throw invalid(name, `arm '${key}' must return a pipeline`);
      built[key] = arm;
    }
    return built;
  }

  /** A new pipeline with `step` appended and its module (or arms) as the member named by the stage. */
  private extend<T extends object>(step: PipelineStep, member?: unknown): Pipeline<I, T> {
    if (!STAGE_NAME.test(step.name) || step.name.includes('__'))
      throw invalid(step.name, `stage name must match ${STAGE_NAME} without '__'`);
    if (this.steps.some((s) => s.name === step.name))
      throw invalid(step.name, 'a stage of that name already exists');
    if (step.name in this)
      throw invalid(step.name, 'the name is a member of Module; choose another');
    const next = new Pipeline<I, T>(this.pipelineName, [...this.steps, step]);
    const own = next as unknown as Record<string, unknown>;
    for (const s of this.steps) {
      const value = (this as unknown as Record<string, unknown>)[s.name];
      if (value !== undefined) own[s.name] = value;
    }
    if (member !== undefined) own[step.name] = member;
    next.callbacks = [...this.callbacks];
    return next;
  }
}

/**
 * The input field names of a module built from signatures (Predict, ChainOfThought, a strategy,
 * checks and fallbacks around them); undefined for any other module, whose inputs are its code's.
 */
function inputNames(module: Module): string[] | undefined {
  if (isPredictor(module)) return module.signature.inputFields.map((f) => f.name);
  if (module instanceof ChainOfThought) return inputNames(module.predict);
  if (module instanceof StrategyModule || module instanceof CheckOutputs)
    return inputNames(module instanceof StrategyModule ? module.impl : module.module);
  if (module instanceof Fallback) {
    const all = module.attempts.map(inputNames);
    return all.some((n) => n === undefined) ? undefined : [...new Set(all.flat() as string[])];
  }
  return undefined;
}

/** The state restricted to the module's declared inputs (the whole state for a custom module). */
function declaredInputs(module: Module, state: State): State {
  const names = inputNames(module);
  return names === undefined ? state : pick(state, names);
}

function pick(record: State, keys: readonly string[]): State {
  return Object.fromEntries(keys.filter((k) => k in record).map((k) => [k, record[k]]));
}

function invalid(stage: string, message: string): PipelineError {
  return new PipelineError('invalid_pipeline', `stage '${stage}': ${message}`, {
    details: { stage },
  });
}

/**
 * Starts a {@link Pipeline} whose inputs (and first state) have type `I`.
 *
 * @example
 * ```ts
 * const qa = pipeline<{ question: string }>('qa').predict('answer', new Predict('question -> answer'));
 * ```
 */
export function pipeline<I extends object = AnyFields>(name = 'pipeline'): Pipeline<I, I> {
  return new Pipeline<I, I>(name);
}
