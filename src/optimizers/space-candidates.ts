import type { Metric } from '../evaluate/metric.js';
import type { LM } from '../lm/types.js';
import { Example } from '../modules/example.js';
import type { Module } from '../modules/module.js';
import { fillCandidates, programSpace } from '../modules/program-space.js';
import { currentSettings, type Settings } from '../modules/settings.js';
import { bindingOf, variableSlots } from '../modules/variable-binding.js';
import {
  candidateKindOf,
  candidatesOf,
  type CandidateKind,
  type CandidateSpend,
  type CandidatesRecord,
  type Variable,
} from '../variables/index.js';
import type { BudgetLimits, BudgetUsage } from './budget.js';
import { bootstrapDemoSets, proposeInstructionCandidates } from './mipro.js';
import { OptimizerError } from './optimizer-error.js';
import { pythonRandom } from './python-random.js';
import { RunJournal, type OptimizerCheckpoint } from './run-journal.js';

/** Options of {@link proposeSpaceCandidates} (MIPROv2's names for what they share). */
export interface SpaceCandidatesOptions {
  /** Accepts bootstrapped traces (default: the search's metric). */
  metric?: Metric;
  /** LM of the instruction proposals (default: the configured LM). Its calls are `prompt` spend. */
  promptModel?: LM;
  /**
   * LM of bootstrapping where a predictor has none (default: the configured LM, else the first
   * LM a predictor of the program holds, e.g. its `v.model` default): BootstrapFewShot's teacher
   * is a reset copy, which drops per-predictor LMs, as in DSPy.
   */
  taskModel?: LM;
  /** Instruction proposals and demo sets per predictor (default 6, MIPROv2 `light`'s n). */
  numCandidates?: number;
  /** Bootstrapped demos per demo set (default 4). */
  maxBootstrappedDemos?: number;
  /** Labeled demos per demo set (default 4). */
  maxLabeledDemos?: number;
  /** Seed of the bootstrap shuffles and proposal tips (default 9, as MIPROv2). */
  seed?: number;
  metricThreshold?: number;
  teacherSettings?: Settings;
  /** Train examples bootstrapped at once (default 1; the demos do not depend on it). */
  concurrency?: number;
}

/** Where a candidate-taking variable of a program sits: its predictors, by index. */
interface CandidateSlot {
  name: string;
  kind: CandidateKind;
  variable: Variable;
  /** Indices in `program.predictors()` of the predictors of the module it is bound to. */
  predictors: number[];
}

/** What {@link proposeSpaceCandidates} returns. */
export interface SpaceCandidates<M extends Module> {
  /** The program with the new candidates (the original is untouched). */
  program: M;
  /** Per variable name, the candidates the prompt optimizers added (after the declared ones). */
  added: Record<string, unknown[]>;
  /** The spend (task and prompt model apart) and the proposer's checkpoint. */
  record: CandidatesRecord;
  /** Why candidate filling stopped early (a budget cap, or `cancelled`). */
  stopReason?: string;
}

/**
 * Fills a program's instruction and demo variables from the prompt optimizers, so one space
 * search covers the whole program: MIPROv2's demo-set bootstrapping (zero-shot, labeled,
 * unshuffled and shuffled BootstrapFewShot sets per predictor) and its grounded proposer (one
 * instruction per predictor and demo set, DSPy's prompts) run once: MIPROv2's first two steps
 * (`bootstrapDemoSets`, `proposeInstructionCandidates`), without its search or any evaluation.
 * Then each variable takes:
 *
 * - `v.instructions`: the declared candidates, then the proposals (duplicates dropped);
 * - `v.demoSets`: the declared sets, then the bootstrapped sets (the empty set once);
 * - `v.numDemos` with a pool: the pool becomes the largest bootstrapped set, then the declared
 *   pool's examples not in it, so a count takes the bootstrapped (`augmented`) demos first.
 *
 * A variable feeds the predictors of the module it is bound to; proposals come from the first.
 * The spend is measured (task and prompt model apart) and capped by `limits`; `checkpoint` gets
 * the run's journal after every step, and `resumeFrom` replays one without LM calls.
 *
 * @example
 * ```ts
 * const { program: filled, added } = await proposeSpaceCandidates(program, trainset, {
 *   metric: answerExactMatch, promptModel: gpt4o, numCandidates: 4,
 * });
 * programSpace(filled).get('answer.instructions')?.metadata.candidates; // declared + proposed
 * ```
 */
export async function proposeSpaceCandidates<M extends Module>(
  program: M,
  trainset: readonly Example[],
  options: SpaceCandidatesOptions & {
    metric: Metric;
    limits?: BudgetLimits;
    resumeFrom?: unknown;
    checkpoint?: (record: CandidatesRecord) => void | Promise<void>;
  },
): Promise<SpaceCandidates<M> | undefined> {
  const slots = candidateSlots(program);
  if (slots.length === 0) return undefined;
  if (trainset.length === 0)
    throw new OptimizerError(
      'invalid_option',
      'Filling instruction and demo candidates needs a non-empty trainset',
    );
  const promptModel = options.promptModel ?? currentSettings().lm;
  if (promptModel === undefined)
    throw new OptimizerError(
      'invalid_option',
      'Filling instruction candidates needs a promptModel (or a configured LM) to propose them',
    );
  const taskModel =
    options.taskModel ??
    currentSettings().lm ??
    program.predictors().find((p) => p.lm !== undefined)?.lm;
  const wantsDemos = slots.some((s) => s.kind !== 'instructions');
  const numCandidates = options.numCandidates ?? 6;
  const journal = new RunJournal(
    'space-candidates',
    options.limits ?? {},
    options.resumeFrom as OptimizerCheckpoint | undefined,
    options.checkpoint === undefined
      ? undefined
      : (c) => options.checkpoint!({ spend: spendOf(c.usage), checkpoint: c }),
  );
  // MIPROv2's first two steps, sharing one generator as it does: demo sets, then proposals.
  const rng = pythonRandom(options.seed ?? 9);
  const student = program.deepCopy();
  const demoSets = await bootstrapDemoSets(student, trainset, numCandidates, {
    options: {
      metric: options.metric,
      ...(taskModel === undefined ? {} : { taskModel }),
      ...(options.metricThreshold === undefined
        ? {}
        : { metricThreshold: options.metricThreshold }),
      ...(options.teacherSettings === undefined
        ? {}
        : { teacherSettings: options.teacherSettings }),
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    },
    // Without demo variables the sets run zero-shot: they only inform the proposals.
    maxBootstrappedDemos: wantsDemos ? (options.maxBootstrappedDemos ?? 4) : 0,
    maxLabeledDemos: wantsDemos ? (options.maxLabeledDemos ?? 4) : 0,
    rng,
    rngFactory: pythonRandom,
    journal,
  });
  let stopReason = journal.budget.exhausted();
  const instructionCandidates =
    demoSets === undefined || stopReason !== undefined
      ? []
      : await proposeInstructionCandidates(student, trainset, demoSets, numCandidates, {
          promptModel,
          rng,
          journal,
        });
  stopReason ??= journal.budget.exhausted();
  const demoCandidates = wantsDemos ? demoSets : undefined;
  const added: Record<string, unknown[]> = {};
  const filled: Record<string, unknown[]> = {};
  for (const slot of slots) {
    const at = slot.predictors[0];
    if (at === undefined) continue;
    const declared = [...(candidatesOf(slot.variable) ?? [])];
    const next =
      slot.kind === 'instructions'
        ? unique([...declared, ...(instructionCandidates[at]?.slice(1) ?? [])])
        : slot.kind === 'demoSets'
          ? unique([...declared, ...(demoCandidates?.[at] ?? []).map(asExamples)])
          : demoPool(declared as Example[], demoCandidates?.[at]);
    if (next.length === declared.length && slot.kind !== 'numDemos') continue;
    filled[slot.name] = next;
    added[slot.name] = slot.kind === 'numDemos' ? next : next.slice(declared.length);
  }
  return {
    program:
      Object.keys(filled).length === 0 ? program.deepCopy() : fillCandidates(program, filled),
    added,
    record: { spend: spendOf(journal.budget.usage), checkpoint: journal.checkpoint() },
    ...(stopReason === undefined ? {} : { stopReason }),
  };
}

/** The candidate-taking variables of a program and the predictors each feeds. */
function candidateSlots(program: Module): CandidateSlot[] {
  const space = programSpace(program);
  const kinds = new Map<Variable, { name: string; kind: CandidateKind }>();
  for (const name of space.names()) {
    const variable = space.get(name)!;
    const kind = candidateKindOf(variable);
    if (kind !== undefined) kinds.set(variable, { name, kind });
  }
  if (kinds.size === 0) return [];
  const predictorNames = program.namedPredictors().map(([name]) => name);
  const slots = new Map<Variable, CandidateSlot>();
  for (const [path, module] of program.namedSubModules()) {
    const binding = bindingOf(module);
    if (binding === undefined) continue;
    const prefix = path === 'self' ? '' : path.replace(/^self\./, '');
    const predictors = predictorNames.flatMap((name, i) =>
      prefix === '' || name === prefix || name.startsWith(`${prefix}.`) ? [i] : [],
    );
    for (const { variable } of variableSlots(binding)) {
      const known = kinds.get(variable);
      if (known === undefined) continue;
      const slot = slots.get(variable) ?? { ...known, variable, predictors: [] };
      slot.predictors.push(...predictors.filter((i) => !slot.predictors.includes(i)));
      slots.set(variable, slot);
    }
  }
  return [...slots.values()];
}

/** The largest bootstrapped set first, then the declared pool's examples not in it. */
function demoPool(
  declared: readonly Example[],
  sets: readonly Record<string, unknown>[][] | undefined,
): Example[] {
  const bootstrapped = (sets ?? []).slice(2);
  const largest = bootstrapped.reduce<Record<string, unknown>[]>(
    (best, set) => (set.length > best.length ? set : best),
    [],
  );
  return unique([...asExamples(largest), ...declared]) as Example[];
}

function asExamples(set: readonly Record<string, unknown>[]): Example[] {
  return set.map((d) => (d instanceof Example ? d : new Example(d)));
}

/** Drops repeats (by JSON of the value; examples by their fields). */
function unique<T>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = JSON.stringify(jsonOf(item));
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function jsonOf(value: unknown): unknown {
  if (value instanceof Example) {
    const { augmented: _a, ...fields } = value.toDict();
    return fields;
  }
  return Array.isArray(value) ? value.map(jsonOf) : value;
}

function spendOf(usage: BudgetUsage): CandidateSpend {
  return {
    taskLmCalls: usage.task.lmCalls,
    promptLmCalls: usage.prompt.lmCalls,
    dollars: usage.task.usd + usage.prompt.usd,
    metricCalls: usage.metricCalls,
  };
}
