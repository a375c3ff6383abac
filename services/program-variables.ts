import {
  applyConfiguration,
  programSpace,
  type CandidateValues,
  type Module,
} from '../src/modules/index.js';
import {
  VariableError,
  configurationKey,
  describeSpace,
  overrideConfiguration,
  type ConfigValue,
  type Configuration,
  type VariableDescription,
  type VariableSpace,
} from '../src/variables/index.js';
import { ActorError } from './actor-error.js';

const spaces = new WeakMap<Module, VariableSpace>();
const configured = new WeakMap<Module, Map<string, Module>>();
/** Configured copies kept per program (deployed points and the few overrides jobs use). */
const CONFIGURED_CACHE = 8;

/** The variable space of a hosted program (computed once: catalog programs never change). */
export function programVariableSpace(program: Module): VariableSpace {
  let space = spaces.get(program);
  if (space === undefined) {
    space = programSpace(program);
    spaces.set(program, space);
  }
  return space;
}

/** The program's variables as JSON (what `dspex variables` prints and the store keeps). */
export function describeProgramVariables(program: Module): VariableDescription[] {
  return describeSpace(programVariableSpace(program));
}

/**
 * A job's `config.variables`, checked: only variables the program declares overridable, each
 * within its constraints given the deployed values `base` (a `VariableError` names the variable
 * and the value), and — the node's outer bound — no `maxTokens` variable above the node's limit.
 * Returns the configuration the job runs with. Failures are `invalid_job` (no retries).
 */
export function checkVariableOverrides(
  program: Module,
  base: Readonly<Record<string, ConfigValue>>,
  overrides: Readonly<Record<string, ConfigValue>>,
  maxTokens?: number,
): Configuration {
  for (const [name, value] of Object.entries(overrides))
    if (
      maxTokens !== undefined &&
      (name === 'maxTokens' || name.endsWith('.maxTokens')) &&
      typeof value === 'number' &&
      value > maxTokens
    )
      throw new ActorError(
        'invalid_job',
        `invalid job config: variable '${name}' value ${value} is above the node's limit of ${maxTokens} (config jobs.overrides.maxTokens)`,
        { details: { variable: name, value } },
      );
  try {
    return overrideConfiguration(programVariableSpace(program), base, overrides);
  } catch (error) {
    if (!(error instanceof VariableError)) throw error;
    throw new ActorError('invalid_job', `invalid job config: ${error.message}`, {
      cause: error,
      details: { ...error.details },
    });
  }
}

/**
 * A fresh copy of `program` configured with `values` and the deployed `candidates` (instruction
 * texts and demos carried by the configuration, `applyConfiguration`): each configuration is
 * built once per program and copied per execution, so a deployed point costs one deep copy.
 */
export function configuredProgram(
  program: Module,
  values: Readonly<Record<string, ConfigValue>>,
  candidates?: Readonly<CandidateValues>,
): Module {
  const space = programVariableSpace(program);
  let cache = configured.get(program);
  if (cache === undefined) {
    cache = new Map();
    configured.set(program, cache);
  }
  const key =
    candidates === undefined
      ? configurationKey(values)
      : `${configurationKey(values)}\u0000${JSON.stringify(candidates)}`;
  let built = cache.get(key);
  if (built === undefined) {
    built = applyConfiguration(program, values, {
      space,
      ...(candidates === undefined ? {} : { candidates }),
    });
    if (cache.size >= CONFIGURED_CACHE) cache.delete(cache.keys().next().value as string);
    cache.set(key, built);
  }
  return built.deepCopy();
}
