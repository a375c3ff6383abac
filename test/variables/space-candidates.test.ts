/**
 * Instruction and demo variables filled by the prompt optimizers before a space search: MIPROv2's
 * grounded proposer and its bootstrapped demo sets, on a scripted LM world where the proposed
 * instructions and bootstrapped demos are what makes answers right.
 */
import { describe, expect, it } from 'vitest';
import type { LMRequest } from '../../src/lm/types.js';
import { Example, Module, Predict, context, type Prediction } from '../../src/modules/index.js';
import { Evaluate } from '../../src/evaluate/index.js';
import {
  SpaceSearch,
  exampleSpend,
  proposeSpaceCandidates,
  type CandidateEvaluator,
  type OptimizerCheckpoint,
  type SpaceSearchOptimizerOptions,
} from '../../src/optimizers/index.js';
import { applyConfiguration, configurationOf, programSpace } from '../../src/modules/index.js';
import {
  candidatesOf,
  configurationKey,
  v,
  type SearchCheckpoint,
} from '../../src/variables/index.js';
import { ChoiceLM, systemOf, userOf } from '../optimizers/choice-lm.js';

const item = (n: number): Example =>
  new Example({ question: `What is item ${n}?`, answer: `a${n}` }).withInputs('question');
const trainset = Array.from({ length: 12 }, (_, i) => item(i));
const valset = Array.from({ length: 10 }, (_, i) => item(100 + i));
const exact = (ex: Example, pred: Prediction): boolean => ex.get('answer') === pred.get('answer');

const DECLARED = 'Answer the question (level 1).';

/**
 * Proposer calls get fixed descriptions and `level k` instructions (k from the rollout id, 1…3);
 * the task model answers item N right iff its instruction's level, plus one with two demos in the
 * prompt, exceeds N % 5. The declared instruction is level 1: 20% alone, and the best takes a
 * proposed instruction and a bootstrapped demo set.
 */
const outputsOf = (request: LMRequest): string =>
  systemOf(request).split('Your output fields are:')[1]?.split('All interactions')[0] ?? '';
const isTask = (r: LMRequest): boolean => outputsOf(r).includes('`answer`');

/** The proposer's answers, by the output field a call asks for. */
const PROPOSER: Record<string, (request: LMRequest) => Record<string, unknown>> = {
  observations: () => ({ observations: 'Items and codes.' }),
  summary: () => ({ summary: 'Items.' }),
  program_description: () => ({ program_description: 'Answers.' }),
  module_description: () => ({ module_description: 'One module.' }),
  proposed_instruction: (r) => ({ proposed_instruction: `level ${1 + (Number(r.rolloutId) % 3)}` }),
};

/** The task model: right iff the instruction's level (+1 with two demos) beats N % 5. */
function taskAnswer(request: LMRequest): Record<string, unknown> {
  const n = Number(/What is item (\d+)\?/.exec(userOf(request))?.[1]);
  const turns = request.messages.filter((m) => m.role === 'assistant').length;
  const skill = Number(/level (\d+)/.exec(systemOf(request))?.[1] ?? 0) + (turns >= 2 ? 1 : 0);
  return { answer: skill > n % 5 ? `a${n}` : 'wrong' };
}

function world(requests: LMRequest[] = []): ChoiceLM {
  const rule = (request: LMRequest): Record<string, unknown> => {
    const field = Object.keys(PROPOSER).find((f) => outputsOf(request).includes(`\`${f}\``));
    return field === undefined ? taskAnswer(request) : PROPOSER[field]!(request);
  };
  return new ChoiceLM(rule, requests, 'sim-mini', { pricing: { input: 1, output: 5 } });
}

class QA extends Module {
  readonly answer = new Predict('question -> answer', {
    instructions: v.instructions({ candidates: [DECLARED] }),
    demos: v.demoSets<Example>({ candidates: [[]] }),
  });

  override forward(inputs: Record<string, unknown>): Promise<Prediction> {
    return this.answer.call(inputs as { question: string });
  }
}

const isProposal = (r: LMRequest): boolean => systemOf(r).includes('`proposed_instruction`');

function search(extra: Partial<SpaceSearchOptimizerOptions> = {}): SpaceSearch {
  return new SpaceSearch({
    metric: exact,
    objectives: { quality: 'max', cost: 'min' },
    algorithm: 'grid',
    candidates: { numCandidates: 4, maxBootstrappedDemos: 2, maxLabeledDemos: 0, seed: 3 },
    ...extra,
  });
}

describe('space search candidates from the prompt optimizers', () => {
  it('instructions_come_from_the_grounded_proposer_and_demo_sets_from_bootstrapping', async () => {
    const requests: LMRequest[] = [];
    const lm = world(requests);
    const filled = await context({ lm }, () =>
      proposeSpaceCandidates(new QA(), trainset, {
        metric: exact,
        numCandidates: 4,
        maxBootstrappedDemos: 2,
        maxLabeledDemos: 0,
        seed: 3,
      }),
    );
    const space = programSpace(filled!.program);
    const instructions = candidatesOf(space.get('answer.instructions')!) as string[];
    // The declared candidate first (still the default), then the proposals (DSPy's first
    // proposal per predictor is the original instruction, so it is not repeated).
    expect(instructions[0]).toBe(DECLARED);
    expect(space.get('answer.instructions')!.defaultFor()).toBe(0);
    const proposed = filled!.added['answer.instructions'] as string[];
    expect(proposed.length).toBeGreaterThan(0);
    expect(proposed.every((t) => /^level [1-3]$/.test(t))).toBe(true);
    expect(instructions.slice(1)).toEqual(proposed);
    expect(requests.filter(isProposal).length).toBeGreaterThanOrEqual(proposed.length);
    // Demo sets: the declared empty set, then the bootstrapped sets of augmented demos.
    const sets = candidatesOf(space.get('answer.demos')!) as Example[][];
    expect(sets[0]).toEqual([]);
    const bootstrapped = sets.slice(1).filter((s) => s.length > 0);
    expect(bootstrapped.length).toBeGreaterThan(0);
    for (const set of bootstrapped)
      for (const demo of set) {
        expect(demo.get('augmented')).toBe(true);
        expect(trainset.some((t) => t.get('question') === demo.get('question'))).toBe(true);
      }
    // Spend: the task model (bootstrapping) and the prompt model (proposals) apart.
    const { spend } = filled!.record;
    expect(spend.promptLmCalls).toBe(requests.filter((r) => !isTask(r)).length);
    expect(spend.taskLmCalls + spend.promptLmCalls).toBe(requests.length);
    // MIPROv2's demo-set and proposal steps only: no search and no baseline evaluation is paid.
    const keys = (filled!.record.checkpoint as OptimizerCheckpoint).steps.map((step) => step.key);
    expect(keys.filter((k) => k.startsWith('demos:'))).toEqual([
      'demos:-3',
      'demos:-2',
      'demos:-1',
      'demos:0',
    ]);
    expect(keys.filter((k) => /^(eval|trial|full):/.test(k))).toEqual([]);
    expect(keys.some((k) => k.startsWith('summary:'))).toBe(true);
    // The original program keeps its declared candidates.
    expect(candidatesOf(programSpace(new QA()).get('answer.instructions')!)).toEqual([DECLARED]);
  });

  it('one_search_picks_a_proposed_instruction_and_a_bootstrapped_demo_set_and_beats_the_defaults', async () => {
    const requests: LMRequest[] = [];
    const lm = world(requests);
    const result = await context({ lm }, () => search().optimize(new QA(), { trainset, valset }));
    const chosen = result.chosen!;
    const instructions = candidatesOf(
      programSpace(result.program).get('answer.instructions')!,
    ) as string[];
    expect(chosen.configuration['answer.instructions']).toBeGreaterThan(0);
    expect(instructions[chosen.configuration['answer.instructions'] as number]).toMatch(/^level/);
    expect(chosen.configuration['answer.demos']).toBeGreaterThan(0);
    const defaults = result.evaluated.find(
      (p) => p.configuration['answer.instructions'] === 0 && p.configuration['answer.demos'] === 0,
    )!;
    expect(defaults.quality).toBe(20);
    expect(chosen.quality).toBeGreaterThan(defaults.quality);
    // The chosen program runs with the chosen instruction and demos.
    const predictor = result.program.predictors()[0]!;
    expect(predictor.signature.instructions).toMatch(/^level/);
    expect(predictor.demos.length).toBeGreaterThan(0);
    // The candidates' LM calls count in the search's spend, prompt-model calls apart.
    const c = result.spent.candidates!;
    expect(c.promptLmCalls).toBeGreaterThan(0);
    expect(c.taskLmCalls).toBeGreaterThan(0);
    expect(result.spent.lmCalls).toBe(requests.length);
    expect(result.spent.lmCalls).toBe(
      c.taskLmCalls + c.promptLmCalls + result.evaluated.reduce((s, p) => s + p.lmCalls, 0),
    );
  });

  it('the_lm_call_budget_includes_the_candidates_calls', async () => {
    const lm = world();
    const unbounded = await context({ lm }, () =>
      search().optimize(new QA(), { trainset, valset }),
    );
    const candidateCalls =
      unbounded.spent.candidates!.taskLmCalls + unbounded.spent.candidates!.promptLmCalls;
    const budget = candidateCalls + 2 * valset.length;
    const capped = await context({ lm: world() }, () =>
      search({ budget: { lmCalls: budget } }).optimize(new QA(), { trainset, valset }),
    );
    expect(capped.budgetExhausted).toBe(true);
    // Two configurations fit beside the candidates (one LM call per example), not more.
    expect(capped.evaluated.filter((p) => p.complete)).toHaveLength(2);
    expect(capped.spent.lmCalls).toBe(budget);
  });

  it('a_resumed_search_fills_the_same_candidates_without_lm_calls', async () => {
    const first: SearchCheckpoint[] = [];
    const lm = world();
    const full = await context({ lm }, () =>
      search({
        onCheckpoint: (c) => void first.push(JSON.parse(JSON.stringify(c)) as SearchCheckpoint),
      }).optimize(new QA(), { trainset, valset }),
    );
    // The last checkpoint written while the candidates were filled (nothing evaluated yet).
    const filling = first.filter((c) => c.observations.length === 0).at(-1)!;
    expect(filling.candidates?.checkpoint).toBeDefined();
    const requests: LMRequest[] = [];
    const resumed = await context({ lm: world(requests) }, () =>
      search({ resumeFrom: filling }).optimize(new QA(), { trainset, valset }),
    );
    expect(resumed.candidates).toEqual(full.candidates);
    const keys = (r: typeof full) => r.front.map((p) => configurationKey(p.configuration)).sort();
    expect(keys(resumed)).toEqual(keys(full));
    // Dollars are sums of per-example floats: equal up to rounding.
    const { dollars, ...counts } = resumed.spent;
    const { dollars: fullDollars, ...fullCounts } = full.spent;
    expect(counts).toEqual(fullCounts);
    expect(dollars).toBeCloseTo(fullDollars, 12);
    // Only the evaluations ran again: no proposer or bootstrap call.
    expect(requests.filter(isProposal)).toHaveLength(0);
    expect(requests.length).toBe(full.evaluated.reduce((s, p) => s + p.lmCalls, 0));
  });

  it('evaluations_elsewhere_rebuild_the_candidate_from_the_declared_program_and_its_state', async () => {
    const local = await context({ lm: world() }, () =>
      search().optimize(new QA(), { trainset, valset }),
    );
    // A "remote node": it knows only the declared program; it applies the configuration it is
    // sent (filled variables at their defaults) and loads the state (the chosen instruction, demos).
    const seen: Record<string, unknown>[] = [];
    const remote: CandidateEvaluator = async (candidate, devset) => {
      const configuration = configurationOf(candidate) ?? {};
      seen.push(configuration);
      const rebuilt = applyConfiguration(new QA(), configuration).load(candidate.save());
      const r = await new Evaluate({ devset, metric: exact, display: false }).run(rebuilt);
      return {
        scores: r.results.map((x) => Number(x.score)),
        errors: 0,
        spend: { lmCalls: r.results.length, promptTokens: 0, completionTokens: 0, usd: 0 },
        outcomes: r.results.map(exampleSpend),
      };
    };
    const elsewhere = await context({ lm: world() }, () =>
      search({ evaluator: remote }).optimize(new QA(), { trainset, valset }),
    );
    expect(seen.every((c) => c['answer.instructions'] === 0 && c['answer.demos'] === 0)).toBe(true);
    const qualities = (r: typeof local) => r.evaluated.map((p) => [p.configuration, p.quality]);
    expect(qualities(elsewhere)).toEqual(qualities(local));
    // (Points tied on quality and cost may come in either order: compare what was chosen by.)
    expect(elsewhere.chosen?.quality).toBe(local.chosen?.quality);
  });
});
