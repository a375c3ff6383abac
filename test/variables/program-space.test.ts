import { describe, expect, it } from 'vitest';
import { DummyLM } from '../../src/lm/index.js';
import {
  ChainOfThought,
  Module,
  Predict,
  StrategyModule,
  applyConfiguration,
  candidateValuesOf,
  configurationOf,
  configuredCandidatesOf,
  fillCandidates,
  loadConfiguredProgram,
  programSpace,
  type Prediction,
} from '../../src/modules/index.js';
import { MemoryStore } from '../../src/store/index.js';
import { v, VariableError } from '../../src/variables/index.js';

const answers = (a: string): { draft: string; answer: string }[] =>
  Array.from({ length: 20 }, () => ({ draft: 'd', answer: a }));
const lms = { small: new DummyLM(answers('s')), big: new DummyLM(answers('b')) };
const model = (): ReturnType<typeof v.model<DummyLM>> =>
  v.model({
    models: {
      small: {
        provider: 'x',
        price: { input: 1, output: 1 },
        contextWindow: 1000,
        capabilities: [],
      },
      big: { provider: 'x', price: { input: 9, output: 9 }, contextWindow: 9000, capabilities: [] },
    },
    lm: (name) => lms[name as 'small' | 'big'],
  });

class TwoStep extends Module {
  readonly draft: Predict;
  readonly answer: StrategyModule;
  constructor() {
    super();
    const shared = model();
    this.draft = new Predict('question -> draft', {
      lm: shared,
      temperature: v.float({ range: [0, 1.5], default: 0.3 }),
    });
    this.answer = new StrategyModule(
      v.reasoningStrategy({ name: 'strategy', strategies: { Predict, ChainOfThought } }),
      'question, draft -> answer',
      {
        lm: shared,
        instructions: v.instructions({ candidates: ['Answer.', 'Answer carefully.'] }),
      },
    );
  }
  override async forward(inputs: Record<string, unknown>): Promise<Prediction> {
    const { draft } = await this.draft.call(inputs);
    return this.answer.call({ ...inputs, draft });
  }
}

describe('programSpace', () => {
  it('collects_variables_with_stable_dotted_names_and_shares_named_ones', () => {
    const space = programSpace(new TwoStep());
    expect(space.names()).toEqual([
      'model',
      'draft.temperature',
      'strategy',
      'answer.instructions',
    ]);
    expect(programSpace(new TwoStep()).names()).toEqual(space.names());
  });
  it('a_module_without_variables_has_an_empty_space', () => {
    expect(programSpace(new Predict('q -> a')).names()).toEqual([]);
  });
  it('two_different_variables_under_one_name_are_rejected_with_both_places', () => {
    class Clash extends Module {
      a = new Predict('q -> a', { temperature: v.float({ name: 't', range: [0, 1] }) });
      b = new Predict('q -> a', { temperature: v.float({ name: 't', range: [0, 1] }) });
      forward(): Promise<Prediction> {
        throw new Error('unused');
      }
    }
    expect(() => programSpace(new Clash())).toThrow(/'t' \(at a.temperature and b.temperature\)/);
  });
});

describe('unconfigured programs run with the defaults', () => {
  it('predict_gets_default_values_not_variables', () => {
    const p = new TwoStep();
    expect(p.draft.config.temperature).toBe(0.3);
    expect(p.draft.lm).toBe(lms.small);
    expect(p.answer.impl).toBeInstanceOf(Predict);
    expect((p.answer.impl as Predict).signature.instructions).toBe('Answer.');
  });
});

describe('applyConfiguration', () => {
  it('returns_a_configured_copy_and_leaves_the_original_untouched', () => {
    const p = new TwoStep();
    const q = applyConfiguration(p, {
      model: 'big',
      'draft.temperature': 1.2,
      strategy: 'ChainOfThought',
      'answer.instructions': 1,
    });
    expect(q).not.toBe(p);
    expect(q.draft.config.temperature).toBe(1.2);
    expect(q.draft.lm).toBe(lms.big);
    expect(q.answer.impl).toBeInstanceOf(ChainOfThought);
    const inner = (q.answer.impl as ChainOfThought).predict;
    expect(inner.lm).toBe(lms.big);
    expect(inner.signature.instructions).toBe('Answer carefully.');
    expect(p.draft.config.temperature).toBe(0.3);
    expect(p.answer.impl).toBeInstanceOf(Predict);
    expect(configurationOf(p)).toBeUndefined();
  });
  it('one_shared_model_variable_sets_every_module', () => {
    const q = applyConfiguration(new TwoStep(), { model: 'big' });
    expect(q.predictors().map((x) => x.lm)).toEqual([lms.big, lms.big]);
  });
  it('bad_configuration_names_the_variable_and_value', () => {
    expect(() => applyConfiguration(new TwoStep(), { 'draft.temperature': 9 })).toThrow(
      "Variable 'draft.temperature': value 9 is outside the range [0, 1.5]",
    );
    expect(() => applyConfiguration(new TwoStep(), { strategy: 'ReAct' })).toThrow(VariableError);
  });
  it('keeps_demos_of_rebuilt_predictors', () => {
    const p = new TwoStep();
    p.draft.demos = [{ question: 'q', draft: 'd' }];
    expect(applyConfiguration(p, { 'draft.temperature': 1 }).draft.demos).toEqual([
      { question: 'q', draft: 'd' },
    ]);
  });
  it('configured_program_runs', async () => {
    const q = applyConfiguration(new TwoStep(), { model: 'big' });
    const pred = await q.call({ question: 'hi' });
    expect(pred.get('answer')).toBe('b');
  });
});

describe('saved state includes the configuration', () => {
  it('save_writes_metadata_and_loadConfiguredProgram_restores_it', () => {
    const q = applyConfiguration(new TwoStep(), { model: 'big', strategy: 'ChainOfThought' });
    const state = JSON.parse(JSON.stringify(q.save())) as Record<string, unknown>;
    expect(state['metadata']).toEqual({ configuration: configurationOf(q) });
    const restored = loadConfiguredProgram(new TwoStep(), state);
    expect(configurationOf(restored)).toEqual(configurationOf(q));
    expect(restored.answer.impl).toBeInstanceOf(ChainOfThought);
  });
  it('unconfigured_program_saves_no_metadata', () => {
    expect(new TwoStep().save()).not.toHaveProperty('metadata');
  });
});

describe('fillCandidates', () => {
  it('replaces_instruction_candidates_by_name', () => {
    const filled = fillCandidates(new TwoStep(), { 'answer.instructions': ['X.', 'Y.', 'Z.'] });
    const space = programSpace(filled);
    expect(space.get('answer.instructions')!.discreteValues()).toEqual([0, 1, 2]);
    const q = applyConfiguration(filled, { 'answer.instructions': 2 });
    expect((q.answer.impl as Predict).signature.instructions).toBe('Z.');
  });
  it('unknown_name_is_an_error_listing_the_declared_ones', () => {
    expect(() => fillCandidates(new TwoStep(), { nope: [] })).toThrow("no variable 'nope'");
  });
});

describe('a configuration over filled candidates travels with its values', () => {
  class QA extends Module {
    readonly answer: Predict = new Predict('question -> answer', {
      instructions: v.instructions({ candidates: ['Answer.', 'Answer carefully.'] }),
      demos: v.demoSets({ candidates: [[], [{ question: 'q1', answer: 'a1' }]] }),
    });
    override forward(inputs: Record<string, unknown>): Promise<Prediction> {
      return this.answer.call(inputs);
    }
  }
  const proposed = [
    { question: 'q2', answer: 'a2' },
    { question: 'q3', answer: 'a3' },
  ];
  /** The program a search filled (a third instruction, a third demo set) and a point of it. */
  const filled = (): QA =>
    fillCandidates(new QA(), {
      'answer.instructions': ['Answer.', 'Answer carefully.', 'Think, then answer in one word.'],
      'answer.demos': [[], [{ question: 'q1', answer: 'a1' }], proposed],
    });
  const point = { 'answer.instructions': 2, 'answer.demos': 2 };

  it('round_trips_through_the_store_and_configures_a_program_holding_only_the_declared_candidates', async () => {
    const candidates = candidateValuesOf(filled(), point);
    expect(candidates).toEqual({
      'answer.instructions': 'Think, then answer in one word.',
      'answer.demos': proposed,
    });
    const store = new MemoryStore();
    const created = await store.variableConfigurations.create({
      program: 'qa',
      values: point,
      candidates,
    });
    const record = await store.variableConfigurations.get(created.id);
    // The declared program alone cannot resolve the filled indexes…
    expect(() => applyConfiguration(new QA(), record.values)).toThrow("'answer.instructions'");
    // …but the carried values configure it as the filled program's point.
    const here = applyConfiguration(new QA(), record.values, { candidates: record.candidates! });
    const there = applyConfiguration(filled(), point);
    expect(here.answer.signature.instructions).toBe('Think, then answer in one word.');
    expect(here.answer.signature.instructions).toBe(there.answer.signature.instructions);
    expect(here.answer.demos).toEqual(proposed);
    expect(configurationOf(here)).toEqual(point);
    expect(configuredCandidatesOf(here)).toEqual(candidates);

    const saved = JSON.parse(JSON.stringify(here.save())) as Record<string, unknown>;
    expect(saved['metadata']).toEqual({ configuration: point, candidates });
    const restored = loadConfiguredProgram(new QA(), saved);
    expect(restored.answer.signature.instructions).toBe('Think, then answer in one word.');
    expect(configuredCandidatesOf(restored)).toEqual(candidates);
  });

  it('declared_candidates_carry_their_values_too_and_other_variables_are_still_checked', () => {
    expect(candidateValuesOf(new QA(), { 'answer.instructions': 1 })).toEqual({
      'answer.instructions': 'Answer carefully.',
      'answer.demos': [],
    });
    expect(candidateValuesOf(new TwoStep(), {})).toEqual({ 'answer.instructions': 'Answer.' });
    expect(() =>
      applyConfiguration(
        new TwoStep(),
        { 'draft.temperature': 9 },
        { candidates: { 'answer.instructions': 'X.' } },
      ),
    ).toThrow("Variable 'draft.temperature': value 9 is outside the range [0, 1.5]");
  });

  it('bad_carried_values_are_errors_naming_the_variable_and_value', () => {
    expect(() =>
      applyConfiguration(new QA(), {}, { candidates: { 'answer.temperature': 'x' } }),
    ).toThrow("Candidate value for 'answer.temperature'");
    expect(() =>
      applyConfiguration(new QA(), {}, { candidates: { 'answer.instructions': '' } }),
    ).toThrow(`Variable 'answer.instructions': candidate value "" is not an instruction text`);
    expect(() =>
      applyConfiguration(new QA(), {}, { candidates: { 'answer.demos': 'q2' } }),
    ).toThrow(`Variable 'answer.demos': candidate value "q2" is not a list of demos (objects)`);
  });
});
