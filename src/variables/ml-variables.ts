import { DEFAULT_PRICES, type ModelPrice } from '../lm/pricing.js';
import { choice, conditional, float, integer, moduleVariable } from './builders.js';
import { VariableError } from './variable-error.js';
import type { CommonVariableOptions, Variable } from './variable.js';

/** What a search and a report need to know about one model. */
export interface ModelInfo {
  provider: string;
  /** USD per 1M input / output tokens. */
  price: ModelPrice;
  /** Context window in tokens. */
  contextWindow: number;
  /** What the model can do (`tools`, `json_schema`, `vision`, `reasoning` …). */
  capabilities: readonly string[];
}

/** The LM layer's default list price of `model`, so the catalogue and the cost accounting agree. */
function listPrice(model: string): ModelPrice {
  const price = DEFAULT_PRICES[model];
  if (price === undefined) throw new Error(`no default price for ${model}`);
  return price;
}

/**
 * A small default catalogue (prices from the LM layer's default price table, USD per 1M tokens).
 * Pass your own `models` to {@link model} for anything else.
 */
export const DEFAULT_MODELS: Readonly<Record<string, ModelInfo>> = Object.freeze({
  'gpt-4o-mini': {
    provider: 'openai',
    price: listPrice('gpt-4o-mini'),
    contextWindow: 128_000,
    capabilities: ['tools', 'json_schema', 'vision'],
  },
  'gpt-4o': {
    provider: 'openai',
    price: listPrice('gpt-4o'),
    contextWindow: 128_000,
    capabilities: ['tools', 'json_schema', 'vision'],
  },
  'gpt-4.1-nano': {
    provider: 'openai',
    price: listPrice('gpt-4.1-nano'),
    contextWindow: 1_047_576,
    capabilities: ['tools', 'json_schema'],
  },
  'gpt-4.1-mini': {
    provider: 'openai',
    price: listPrice('gpt-4.1-mini'),
    contextWindow: 1_047_576,
    capabilities: ['tools', 'json_schema', 'vision'],
  },
  'o4-mini': {
    provider: 'openai',
    price: listPrice('o4-mini'),
    contextWindow: 200_000,
    capabilities: ['tools', 'json_schema', 'reasoning'],
  },
  'claude-3-5-haiku': {
    provider: 'anthropic',
    price: listPrice('claude-3-5-haiku'),
    contextWindow: 200_000,
    capabilities: ['tools'],
  },
  'claude-sonnet-4': {
    provider: 'anthropic',
    price: listPrice('claude-sonnet-4'),
    contextWindow: 200_000,
    capabilities: ['tools', 'vision', 'reasoning'],
  },
});

type Named = Pick<CommonVariableOptions, 'name' | 'description' | 'hints'>;

/**
 * The provider (`openai`, `anthropic`, …), named `provider` by default.
 *
 * @example
 * ```ts
 * v.provider({ providers: ['openai', 'anthropic'] });
 * ```
 */
export function provider(
  options: Named & { providers?: readonly string[]; default?: string } = {},
): Variable<string> {
  const providers = options.providers ?? ['openai', 'anthropic'];
  return choice(providers, {
    name: 'provider',
    ...options,
    ...(options.default === undefined ? {} : { default: options.default }),
    hints: { impact: 'high', affects: ['quality', 'cost', 'latency'], ...options.hints },
  });
}

/** Options of {@link model}. */
export interface ModelVariableOptions<L> extends Named {
  /** Models by name with price, context window and capabilities (default {@link DEFAULT_MODELS}). */
  models?: Readonly<Record<string, ModelInfo>>;
  /** Default model name (default: the first; with `dependsOnProvider`, the first of the provider). */
  default?: string;
  /** What the program receives for a model name (typically an LM); default the name. */
  lm?: (name: string, info: ModelInfo) => L;
  /**
   * Name of a provider variable: the model's choices become those of the chosen provider (a
   * conditional variable), so no configuration pairs a model with another provider.
   */
  dependsOnProvider?: string;
}

/**
 * The model, with each model's price, context window and capabilities in `metadata.models`, so
 * searches and reports can read them. With `lm`, modules receive an LM built for the chosen name.
 *
 * @example
 * ```ts
 * const model = v.model({
 *   models: { small: { provider: 'openai', price: { input: 0.1, output: 0.4 }, contextWindow: 8192, capabilities: [] }, … },
 *   lm: (name) => openai({ model: name }),
 * });
 * new Predict(sig, { lm: model });
 * ```
 */
export function model<L = string>(options: ModelVariableOptions<L> = {}): Variable<L> {
  const models = options.models ?? DEFAULT_MODELS;
  const names = Object.keys(models);
  const build = options.lm;
  const cache = new Map<string, L>();
  const resolve = (value: string): L => {
    if (build === undefined) return value as unknown as L;
    let lm = cache.get(value);
    if (lm === undefined) {
      lm = build(value, models[value]!);
      cache.set(value, lm);
    }
    return lm;
  };
  const common = {
    name: 'model',
    ...options,
    metadata: { models },
    hints: {
      impact: 'high' as const,
      affects: ['quality', 'cost', 'latency'] as const,
      ...options.hints,
    },
  };
  const providerName = options.dependsOnProvider;
  if (providerName === undefined)
    return choice(names, {
      ...common,
      ...(options.default === undefined ? {} : { default: options.default }),
      resolve,
    });
  const variants = new Map<string, Variable<L>>();
  return conditional<L>({
    ...common,
    dependencies: [providerName],
    variant: (c) => {
      const p = String(c[providerName]);
      let variant = variants.get(p);
      if (variant === undefined) {
        const own = names.filter((n) => models[n]!.provider === p);
        if (own.length === 0)
          throw new VariableError(
            'invalid_variable',
            `No model of provider '${p}' in the catalogue`,
          );
        variant = choice(own, {
          ...(options.default !== undefined && own.includes(options.default)
            ? { default: options.default }
            : {}),
          resolve,
        });
        variants.set(p, variant);
      }
      return variant;
    },
  });
}

/**
 * The adapter (`ChatAdapter`, `JSONAdapter` …), given as instances by name.
 *
 * @example
 * ```ts
 * v.adapter({ adapters: { chat: new ChatAdapter(), json: new JSONAdapter() } });
 * ```
 */
export function adapter<A>(
  options: Named & { adapters: Readonly<Record<string, A>>; default?: string },
): Variable<A> {
  const { adapters, ...rest } = options;
  return moduleVariable({ name: 'adapter', ...rest, modules: adapters });
}

/**
 * The reasoning strategy: a choice among module classes (`Predict`, `ChainOfThought`, …) that a
 * `StrategyModule` module instantiates. `metadata.tokenMultiplier` may give each one's rough token cost.
 *
 * @example
 * ```ts
 * const s = v.reasoningStrategy({ strategies: { Predict, ChainOfThought } });
 * class QA extends Module { answer = new StrategyModule(s, 'question -> answer'); … }
 * ```
 */
export function reasoningStrategy<M>(
  options: Named & {
    strategies: Readonly<Record<string, M>>;
    default?: string;
    tokenMultiplier?: Readonly<Record<string, number>>;
  },
): Variable<M> {
  const { strategies, tokenMultiplier, ...rest } = options;
  return moduleVariable({
    ...rest,
    modules: strategies,
    metadata: tokenMultiplier === undefined ? {} : { tokenMultiplier },
    hints: { impact: 'high', affects: ['quality', 'cost', 'latency'], ...options.hints },
  });
}

type NumericDefaults = Named & { range?: readonly [number, number]; default?: number };

/**
 * Sampling temperature (float, default range [0, 2], default 0.7); `grid` makes it discrete.
 *
 * @example
 * ```ts
 * v.temperature({ grid: [0, 0.7] });
 * ```
 */
export function temperature(
  options: NumericDefaults & { grid?: readonly number[] } = {},
): Variable<number> {
  return float({
    name: 'temperature',
    range: [0, 2],
    default: 0.7,
    ...options,
    hints: { affects: ['quality'], ...options.hints },
  });
}

/** Completion token limit (integer, default range [16, 8192] step 16, default 1024). */
export function maxTokens(options: NumericDefaults & { step?: number } = {}): Variable<number> {
  return integer({
    name: 'maxTokens',
    range: [16, 8192],
    step: 16,
    default: 1024,
    ...options,
    hints: { affects: ['quality', 'cost', 'latency'], ...options.hints },
  });
}

/** Nucleus sampling (float in [0, 1], default 1). */
export function topP(
  options: NumericDefaults & { grid?: readonly number[] } = {},
): Variable<number> {
  return float({ name: 'topP', range: [0, 1], default: 1, ...options });
}

const candidateRebuilds = new WeakMap<Variable, (candidates: readonly unknown[]) => Variable>();
const candidateKinds = new WeakMap<Variable, { kind: CandidateKind; list: readonly unknown[] }>();

/** What a variable that takes candidates from prompt optimizers chooses among. */
export type CandidateKind = 'instructions' | 'numDemos' | 'demoSets';

/**
 * Whether `variable` takes candidates ({@link withCandidates}), and of which kind: instruction
 * texts, demo sets, or a demo count over a pool (a count without a pool takes none).
 */
export function candidateKindOf(variable: Variable): CandidateKind | undefined {
  return candidateKinds.get(variable)?.kind;
}

/**
 * The candidates a variable chooses among now (instruction texts, demo sets, or the demo pool);
 * `undefined` for a variable that takes none.
 */
export function candidatesOf(variable: Variable): readonly unknown[] | undefined {
  return candidateKinds.get(variable)?.list;
}

/**
 * Instruction candidates: the configuration holds the candidate's index, the module receives its
 * text (`metadata.candidates` lists them). Fill it from a proposer with {@link withCandidates}.
 *
 * @example
 * ```ts
 * new Predict(sig, { instructions: v.instructions({ candidates: ['Answer briefly.', 'Think, then answer.'] }) });
 * ```
 */
export function instructions(
  options: Named & { candidates: readonly string[]; default?: number },
): Variable<string> {
  const { candidates } = options;
  if (candidates.length === 0)
    throw new VariableError('invalid_variable', 'instructions needs at least one candidate');
  const made = choice(
    candidates.map((_, i) => i),
    {
      ...options,
      metadata: { candidates: [...candidates] },
      hints: { affects: ['quality', 'cost'], ...options.hints },
      resolve: (i) => candidates[i]!,
    },
  );
  candidateRebuilds.set(made, (next) =>
    instructions({
      ...options,
      candidates: next as string[],
      // Candidates appended after the declared ones keep the declared default.
      default: (options.default ?? 0) < next.length ? (options.default ?? 0) : 0,
    }),
  );
  candidateKinds.set(made, { kind: 'instructions', list: [...candidates] });
  return made;
}

/**
 * Number of demos taken from a pool (a choice among `counts`; the module receives the first `k`
 * demos of `pool`, or `k` itself when no pool is given).
 *
 * @example
 * ```ts
 * new Predict(sig, { demos: v.numDemos({ pool: trainset.slice(0, 8), counts: [0, 4, 8] }) });
 * ```
 */
export function numDemos<D>(
  options: Named & { pool?: readonly D[]; counts?: readonly number[]; default?: number } = {},
): Variable<D[]> {
  const pool = options.pool;
  const counts = options.counts ?? [0, 2, 4, 8];
  const made = choice(counts, {
    ...options,
    metadata: pool === undefined ? {} : { poolSize: pool.length },
    hints: { affects: ['quality', 'cost', 'latency'], ...options.hints },
    resolve: (k) => (pool === undefined ? k : pool.slice(0, k)) as unknown as D[],
  });
  candidateRebuilds.set(made, (next) => numDemos({ ...options, pool: next as D[] }));
  if (pool !== undefined) candidateKinds.set(made, { kind: 'numDemos', list: [...pool] });
  return made;
}

/**
 * Demo-set candidates (e.g. bootstrapped sets): the configuration holds the set's index, the
 * module receives the set. Fill it from an optimizer with {@link withCandidates}.
 */
export function demoSets<D>(
  options: Named & { candidates: readonly (readonly D[])[] },
): Variable<D[]> {
  const { candidates } = options;
  if (candidates.length === 0)
    throw new VariableError('invalid_variable', 'demoSets needs at least one candidate set');
  const made = choice(
    candidates.map((_, i) => i),
    {
      ...options,
      metadata: { sizes: candidates.map((c) => c.length) },
      resolve: (i) => [...candidates[i]!],
    },
  );
  candidateRebuilds.set(made, (next) => demoSets({ ...options, candidates: next as D[][] }));
  candidateKinds.set(made, { kind: 'demoSets', list: candidates.map((c) => [...c]) });
  return made;
}

/**
 * The hook for prompt optimizers: the same instruction, demo-count or demo-set variable (same
 * name, hints and options) over new candidates — MIPROv2 instruction proposals, bootstrapped demo
 * sets, a bigger demo pool.
 *
 * @example
 * ```ts
 * const filled = withCandidates(instr, await proposeInstructions(program, trainset));
 * ```
 */
export function withCandidates<T>(
  variable: Variable<T>,
  candidates: readonly unknown[],
): Variable<T> {
  const rebuild = candidateRebuilds.get(variable);
  if (rebuild === undefined)
    throw new VariableError(
      'invalid_option',
      `Variable '${variable.label}' takes no candidates (only instructions, numDemos and demoSets do)`,
      { details: { variable: variable.label } },
    );
  return rebuild(candidates) as Variable<T>;
}
