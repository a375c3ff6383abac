import {
  VariableError,
  VariableSpace,
  candidateKindOf,
  withCandidates,
  type Configuration,
  type SpaceConstraint,
  type Variable,
} from '../variables/index.js';
import { Example, isPlainObject } from './example.js';
import { Module, type ProgramState } from './module.js';
import { isPredictor, type Predictor } from './parameter.js';
import { CANDIDATE_VALUES, CONFIGURATION, type CandidateValues } from './program-configuration.js';
import {
  VARIABLE_BINDING,
  bindingOf,
  substituteArgs,
  variableSlots,
  type VariableBinding,
} from './variable-binding.js';

/** Options of {@link programSpace}. */
export interface ProgramSpaceOptions {
  /** Name of the space (default `'program'`). */
  name?: string;
  /** Cross-variable constraints over the program's dotted names. */
  constraints?: readonly SpaceConstraint[];
}

interface BoundModule {
  /** Dotted path from the program (`''` for the program itself). */
  path: string;
  module: Module;
  binding: VariableBinding;
}

/**
 * The variables declared on a program's modules as one {@link VariableSpace}. Names are stable and
 * dotted: a named variable keeps its name and is shared by every module that uses it (one `model`
 * for the whole program); an unnamed one is named by where it is declared, module path then
 * parameter (`answer.temperature`, `steps[1].strategy`).
 *
 * @example
 * ```ts
 * const model = v.model({ models, lm: (name) => openai({ model: name }) });
 * class QA extends Module {
 *   draft = new Predict('question -> draft', { lm: model, temperature: v.float({ range: [0, 1] }) });
 *   answer = new ChainOfThought('question, draft -> answer', { lm: model });
 *   …
 * }
 * programSpace(new QA()).names(); // ['model', 'draft.temperature']
 * ```
 */
export function programSpace(program: Module, options: ProgramSpaceOptions = {}): VariableSpace {
  const space = new VariableSpace(options.name ?? 'program');
  for (const [name, variable] of variableNames(program)) space.add(variable, name);
  for (const c of options.constraints ?? []) space.addConstraint(c.name, c.check);
  return space;
}

/** Options of {@link applyConfiguration}. */
export interface ApplyConfigurationOptions {
  /** The space the configuration belongs to (default `programSpace(program)`). */
  space?: VariableSpace;
  /**
   * Chosen values of instruction and demo variables ({@link candidateValuesOf}: an instruction's
   * text, a list of demos), used as they are. Their entries in the configuration (indexes into a
   * candidate list this program may not hold, e.g. one a search filled in) are kept in the
   * recorded configuration but not checked against this program's candidates.
   */
  candidates?: Readonly<CandidateValues>;
}

/**
 * A configured copy of `program`: every module built with variables is rebuilt with the
 * configuration's values (missing ones take their defaults; the whole configuration is validated
 * first, errors naming each bad variable and value). Demos, LMs and optimized instructions of the
 * rebuilt modules' predictors carry over unless a variable sets them. The original is untouched;
 * the copy records the configuration (and `candidates`), which `save()` writes under
 * `metadata.configuration` (and `metadata.candidates`).
 * (Not named `configure`: that is DSPy's global settings call.)
 *
 * @example
 * ```ts
 * const cheap = applyConfiguration(program, { model: 'gpt-4o-mini', 'answer.temperature': 0 });
 * cheap.save().metadata; // { configuration: { model: 'gpt-4o-mini', 'answer.temperature': 0 } }
 * // A stored front point found with filled candidates, on a node that holds only the declared ones:
 * applyConfiguration(program, record.values, { candidates: record.candidates });
 * ```
 */
export function applyConfiguration<M extends Module>(
  program: M,
  configuration: Record<string, unknown>,
  options: ApplyConfigurationOptions = {},
): M {
  const names = variableNames(program);
  const space = options.space ?? programSpace(program);
  const carried = carriedValues(names, options.candidates);
  const full = validateCarried(space, configuration, carried);
  const nameOf = new Map([...names].map(([name, variable]) => [variable, name]));
  const valueOf = (variable: Variable): unknown => {
    const name = nameOf.get(variable);
    const value = name === undefined ? undefined : carried.get(name);
    if (value !== undefined) return value();
    if (name === undefined || !(name in full))
      throw new VariableError(
        'unknown_variable',
        `Variable '${variable.label}' is not in the configuration's space`,
      );
    return (space.get(name) ?? variable).resolve(full[name]!);
  };
  const memo = new Map<unknown, unknown>();
  const rebuilt = rebuildTree(program.deepCopy(), valueOf, memo) as M;
  Object.defineProperty(rebuilt, CONFIGURATION, {
    value: { ...full },
    enumerable: false,
    writable: true,
    configurable: true,
  });
  if (carried.size > 0)
    Object.defineProperty(rebuilt, CANDIDATE_VALUES, {
      value: JSON.parse(JSON.stringify(options.candidates)) as CandidateValues,
      enumerable: false,
      writable: true,
      configurable: true,
    });
  return rebuilt;
}

/**
 * Checks a configuration (and carried candidate values) against `program` as
 * {@link applyConfiguration} would, without building anything: the full configuration (defaults
 * filled), or a `VariableError` naming the bad variable and value.
 */
export function checkConfiguration(
  program: Module,
  configuration: Record<string, unknown>,
  options: ApplyConfigurationOptions = {},
): Configuration {
  const space = options.space ?? programSpace(program);
  return validateCarried(
    space,
    configuration,
    carriedValues(variableNames(program), options.candidates),
  );
}

/**
 * The chosen values of `configuration`'s instruction and demo variables on `program` (the
 * instruction text, the demos of a demo set or of a count over a pool, as plain objects): what a
 * stored configuration carries so that it applies ({@link applyConfiguration}'s `candidates`) on
 * a program that holds other candidate lists. Empty when the program has no such variables.
 *
 * @example
 * ```ts
 * const candidates = candidateValuesOf(filled, point.configuration);
 * // { 'answer.instructions': 'Think step by step, then answer.', 'answer.demos': [{ question: …, answer: … }] }
 * ```
 */
export function candidateValuesOf(
  program: Module,
  configuration: Record<string, unknown>,
  options: { space?: VariableSpace } = {},
): CandidateValues {
  const space = options.space ?? programSpace(program);
  const full = space.validateConfiguration(configuration);
  const out: CandidateValues = {};
  for (const name of space.names()) {
    const variable = space.get(name)!;
    const kind = candidateKindOf(variable);
    if (kind === undefined || !(name in full)) continue;
    const value = variable.resolve(full[name]!);
    out[name] =
      kind === 'instructions'
        ? String(value)
        : (value as readonly unknown[]).map((d) =>
            d instanceof Example ? d.toDict() : { ...(d as Record<string, unknown>) },
          );
  }
  return out;
}

/** The configuration checked with carried candidate values standing for their entries. */
function validateCarried(
  space: VariableSpace,
  configuration: Record<string, unknown>,
  carried: ReadonlyMap<string, unknown>,
): Configuration {
  if (carried.size === 0) return space.validateConfiguration(configuration);
  const checked: Record<string, unknown> = {};
  const kept: Configuration = {};
  for (const [name, value] of Object.entries(configuration))
    if (carried.has(name)) kept[name] = value as Configuration[string];
    else checked[name] = value;
  return { ...space.validateConfiguration(checked), ...kept };
}

/** Each carried candidate value, checked, as a maker of what its module receives. */
function carriedValues(
  names: ReadonlyMap<string, Variable>,
  candidates: Readonly<CandidateValues> | undefined,
): Map<string, () => unknown> {
  const out = new Map<string, () => unknown>();
  for (const [name, value] of Object.entries(candidates ?? {})) {
    const variable = names.get(name);
    const kind = variable === undefined ? undefined : candidateKindOf(variable);
    if (kind === undefined)
      throw new VariableError(
        'unknown_variable',
        `Candidate value for '${name}': the program declares no instruction or demo variable of that name`,
        { details: { variable: name, declared: [...names.keys()] } },
      );
    if (kind === 'instructions') {
      if (typeof value !== 'string' || value.trim() === '')
        throw new VariableError(
          'invalid_value',
          `Variable '${name}': candidate value ${JSON.stringify(value)} is not an instruction text`,
          { details: { variable: name, value } },
        );
      out.set(name, () => value);
      continue;
    }
    if (!Array.isArray(value) || !value.every(isPlainObject))
      throw new VariableError(
        'invalid_value',
        `Variable '${name}': candidate value ${JSON.stringify(value)} is not a list of demos (objects)`,
        { details: { variable: name, value } },
      );
    out.set(name, () => value.map((d) => ({ ...d })));
  }
  return out;
}

/** The configuration a program was built with by {@link applyConfiguration}, if any. */
export {
  configurationOf,
  configuredCandidatesOf,
  type CandidateValues,
} from './program-configuration.js';

/**
 * Restores a saved program: applies the configuration saved under `metadata.configuration` (if
 * any) to `program`, then loads the predictor state into the configured copy.
 *
 * @example
 * ```ts
 * const restored = loadConfiguredProgram(new QA(), JSON.parse(await readFile('qa.json', 'utf8')));
 * ```
 */
export function loadConfiguredProgram<M extends Module>(
  program: M,
  state: ProgramState | Record<string, unknown>,
): M {
  const meta = (state as Record<string, unknown>)['metadata'];
  const configuration =
    isPlainObject(meta) && isPlainObject(meta['configuration'])
      ? (meta['configuration'] as Configuration)
      : undefined;
  const candidates =
    isPlainObject(meta) && isPlainObject(meta['candidates'])
      ? (meta['candidates'] as CandidateValues)
      : undefined;
  const target =
    configuration === undefined
      ? program.deepCopy()
      : applyConfiguration(program, configuration, candidates === undefined ? {} : { candidates });
  return target.load(state);
}

/**
 * A copy of `program` whose instruction, demo-count or demo-set variables take new candidates
 * (by dotted name): the hook through which prompt optimizers (MIPROv2 instruction proposals,
 * bootstrapped demo sets) feed one search over the whole program.
 *
 * @example
 * ```ts
 * const filled = fillCandidates(program, { 'answer.instructions': proposals });
 * await spaceSearch.optimize(filled, { devset });
 * ```
 */
export function fillCandidates<M extends Module>(
  program: M,
  candidates: Readonly<Record<string, readonly unknown[]>>,
): M {
  const copy = program.deepCopy();
  const names = variableNames(copy);
  const replaced = new Map<Variable, Variable>();
  for (const [name, list] of Object.entries(candidates)) {
    const variable = names.get(name);
    if (variable === undefined)
      throw new VariableError('unknown_variable', `The program declares no variable '${name}'`, {
        details: { variable: name, declared: [...names.keys()] },
      });
    const next = withCandidates(variable, list);
    replaced.set(variable, variable.name === undefined ? next : next.withName(variable.name));
  }
  for (const { module, binding } of boundModules(copy)) {
    const args = substituteArgs(binding.args, (v) => replaced.get(v) ?? v);
    Object.defineProperty(module, VARIABLE_BINDING, {
      value: { ...binding, args },
      enumerable: false,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

/** Space name → variable, in discovery order (breadth first from the program). */
function variableNames(program: Module): Map<string, Variable> {
  const byName = new Map<string, Variable>();
  const where = new Map<string, string>();
  const named = new Map<Variable, string>();
  for (const { path, binding } of boundModules(program)) {
    for (const slot of variableSlots(binding)) {
      const at = path === '' ? slot.path : `${path}.${slot.path}`;
      if (named.has(slot.variable)) continue;
      const name = slot.variable.name ?? at;
      const existing = byName.get(name);
      if (existing !== undefined && existing !== slot.variable)
        throw new VariableError(
          'duplicate_variable',
          `Two different variables are named '${name}' (at ${where.get(name)} and ${at}); share one variable object or rename one`,
          { details: { variable: name, places: [where.get(name), at] } },
        );
      byName.set(name, slot.variable);
      where.set(name, at);
      named.set(slot.variable, name);
    }
  }
  return byName;
}

function boundModules(program: Module): BoundModule[] {
  const out: BoundModule[] = [];
  for (const [path, module] of program.namedSubModules()) {
    const binding = bindingOf(module);
    if (binding !== undefined)
      out.push({ path: path === 'self' ? '' : path.replace(/^self\./, ''), module, binding });
  }
  return out;
}

/** Walks the copy, replacing each bound module by a rebuilt one (shared objects stay shared). */
function rebuildTree(
  value: unknown,
  valueOf: (variable: Variable) => unknown,
  memo: Map<unknown, unknown>,
): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (memo.has(value)) return memo.get(value);
  if (value instanceof Module) {
    const binding = bindingOf(value);
    const module = binding === undefined ? value : rebuildModule(value, binding, valueOf);
    memo.set(value, module);
    for (const key of Object.keys(module)) {
      const item = (module as unknown as Record<string, unknown>)[key];
      const next = rebuildTree(item, valueOf, memo);
      if (next !== item) (module as unknown as Record<string, unknown>)[key] = next;
    }
    return module;
  }
  memo.set(value, value);
  if (Array.isArray(value))
    value.forEach((item, i) => (value[i] = rebuildTree(item, valueOf, memo)));
  else if (value instanceof Map)
    for (const [k, item] of value) value.set(k, rebuildTree(item, valueOf, memo));
  else if (isPlainObject(value))
    for (const [k, item] of Object.entries(value)) value[k] = rebuildTree(item, valueOf, memo);
  return value;
}

function rebuildModule(
  old: Module,
  binding: VariableBinding,
  valueOf: (variable: Variable) => unknown,
): Module {
  const fresh = new binding.ctor(...substituteArgs(binding.args, valueOf));
  if (!(fresh instanceof Module))
    throw new VariableError(
      'invalid_option',
      `Rebuilding a module with its configuration did not give a Module (${binding.ctor.name})`,
    );
  Object.defineProperty(fresh, VARIABLE_BINDING, {
    value: binding,
    enumerable: false,
    writable: true,
    configurable: true,
  });
  fresh.callbacks = [...old.callbacks];
  fresh.compiled = old.compiled;
  const bound = new Set(variableSlots(binding).map((s) => s.path));
  const before = new Map<string, Predictor>(old.namedPredictors());
  for (const [name, p] of fresh.namedPredictors()) {
    const q = before.get(name);
    if (q === undefined || !isPredictor(q)) continue;
    if (!bound.has('demos')) p.demos = [...q.demos];
    if (!bound.has('lm') && p.lm === undefined) p.lm = q.lm;
    if (!bound.has('instructions') && q.signature.sameShape(p.signature)) p.signature = q.signature;
  }
  return fresh;
}
