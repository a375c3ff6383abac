import { describe, expect, it } from 'vitest';
import { DummyLM } from '../../src/lm/index.js';
import {
  ChainOfThought,
  Example,
  Predict,
  StrategyModule,
  context,
  programSpace,
  type TraceEntry,
} from '../../src/modules/index.js';
import { BootstrapFewShot } from '../../src/optimizers/index.js';
import { Pipeline, PipelineError, pipeline, toMermaid } from '../../src/pipeline/index.js';
import { v } from '../../src/variables/index.js';

const CLASSIFY = 'text -> category, confidence: float';

function triage(primary: DummyLM, larger: DummyLM) {
  return pipeline<{ ticket: string }>('triage')
    .transform('clean', (s) => ({ text: s.ticket.trim() }))
    .validate('nonEmpty', (s) => s.text.length > 0 || 'the ticket is empty')
    .predict('classify', new Predict(CLASSIFY, { lm: primary }), {
      check: (p) => Number(p['confidence']) >= 0.7 || 'not confident enough',
      fallback: new Predict(CLASSIFY, { lm: larger }),
    })
    .predict('reply', new Predict('text, category -> reply', { lm: larger }));
}

describe('pipeline stages in process', () => {
  it('runs_transform_validate_and_predict_stages_in_order_over_one_state', async () => {
    const small = new DummyLM([{ category: 'bug', confidence: '0.9' }]);
    const large = new DummyLM([{ reply: 'We are on it.' }]);
    const pred = await triage(small, large).call({ ticket: '  app crashes  ' });
    expect(pred.toDict()).toEqual({
      ticket: '  app crashes  ',
      text: 'app crashes',
      category: 'bug',
      confidence: 0.9,
      reply: 'We are on it.',
    });
    expect(large.history.length).toBe(1);
  });

  it('validate_stage_rejects_the_state_with_validation_failed_naming_the_stage', async () => {
    const p = triage(new DummyLM([]), new DummyLM([]));
    const error = await p.call({ ticket: '   ' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineError);
    expect(error).toMatchObject({ code: 'validation_failed', details: { stage: 'nonEmpty' } });
    expect((error as Error).message).toContain('the ticket is empty');
  });

  it('falls_back_to_the_larger_model_on_low_confidence_and_keeps_only_its_trace', async () => {
    const small = new DummyLM([{ category: 'billing', confidence: '0.2' }]);
    const large = new DummyLM([{ category: 'bug', confidence: '0.95' }, { reply: 'Fixed soon.' }]);
    const p = triage(small, large);
    const trace: TraceEntry[] = [];
    const pred = await context({ trace }, () => p.call({ ticket: 'crash' }));
    expect(pred.toDict()).toMatchObject({
      category: 'bug',
      confidence: 0.95,
      reply: 'Fixed soon.',
    });
    expect(small.history.length).toBe(1);
    // The failed small-model answer is not in the trace a bootstrapping optimizer learns from.
    expect(
      trace.map((t) => t.prediction.toDict()['category'] ?? t.prediction.toDict()['reply']),
    ).toEqual(['bug', 'Fixed soon.']);
  });

  it('retries_a_failed_check_with_feedback_before_falling_back', async () => {
    const lm = new DummyLM([
      { category: 'bug', confidence: '0.3' },
      { category: 'bug', confidence: '0.8' },
    ]);
    const p = pipeline<{ text: string }>().predict('classify', new Predict(CLASSIFY, { lm }), {
      check: (pr) => Number(pr['confidence']) >= 0.7 || 'be surer',
      retries: 1,
    });
    const pred = await p.call({ text: 't' });
    expect(pred['confidence']).toBe(0.8);
    expect(JSON.stringify(lm.history.list().at(-1)?.messages)).toContain('be surer');
  });

  it('still_falls_back_to_the_larger_model_after_an_optimizer_reset_the_predictor_lms', async () => {
    const small = new DummyLM([{ category: 'billing', confidence: '0.2' }]);
    const large = new DummyLM([{ category: 'bug', confidence: '0.95' }]);
    const copy = triage(small, large).resetCopy();
    expect(copy.predictors().every((p) => p.lm === undefined)).toBe(true);
    // The context's LM only knows the reply: a classify attempt run on it would fail to parse.
    const contextLm = new DummyLM([{ reply: 'On it.' }]);
    const pred = await context({ lm: contextLm }, () => copy.call({ ticket: 'crash' }));
    expect(pred.toDict()).toMatchObject({ category: 'bug', confidence: 0.95, reply: 'On it.' });
    expect([small.history.length, large.history.length, contextLm.history.length]).toEqual([
      1, 1, 1,
    ]);
  });

  it('fails_with_stage_failed_listing_every_attempt_when_all_fallbacks_fail', async () => {
    const low = () => new DummyLM([{ category: 'x', confidence: '0.1' }]);
    const p = pipeline<{ text: string }>().predict(
      'classify',
      new Predict(CLASSIFY, { lm: low() }),
      {
        check: (pr) => Number(pr['confidence']) >= 0.7 || 'unsure',
        fallback: [
          new Predict(CLASSIFY, { lm: low() }),
          new ChainOfThought(CLASSIFY, { lm: low() }),
        ],
      },
    );
    const error = await p.call({ text: 't' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'stage_failed', details: { stage: 'classify' } });
    expect((error as PipelineError).details['failures']).toHaveLength(3);
  });

  it('branch_runs_the_chosen_arm_and_otherwise_catches_other_keys', async () => {
    const p = pipeline<{ n: number }>()
      .transform('parity', (s) => ({ kind: s.n % 2 === 0 ? 'even' : s.n < 0 ? 'negative' : 'odd' }))
      .branch('route', (s) => s.kind, {
        even: (a) => a.transform('half', (s) => ({ out: s.n / 2 })),
        odd: (a) => a.transform('triple', (s) => ({ out: s.n * 3 + 1 })),
      });
    expect((await p.call({ n: 4 }))['out']).toBe(2);
    expect((await p.call({ n: 3 }))['out']).toBe(10);
    await expect(p.call({ n: -3 })).rejects.toMatchObject({
      code: 'unknown_branch',
      details: { chosen: 'negative' },
    });
    const withDefault = pipeline<{ k: string }>().branch(
      'route',
      (s) => s.k,
      {
        a: (x) => x.transform('t', () => ({ out: 'a' })),
        other: (x) => x.transform('t', () => ({ out: 'other' })),
      },
      { otherwise: 'other' },
    );
    expect((await withDefault.call({ k: 'zzz' }))['out']).toBe('other');
  });

  it('parallel_fans_out_and_joins_the_fields_each_branch_added', async () => {
    const p = pipeline<{ n: number }>().parallel('facets', {
      double: (b) => b.transform('d', (s) => ({ doubled: s.n * 2 })),
      square: (b) => b.transform('s', (s) => ({ squared: s.n * s.n })),
    });
    expect((await p.call({ n: 3 })).toDict()).toEqual({ n: 3, doubled: 6, squared: 9 });
    const joined = pipeline<{ n: number }>().parallel(
      'facets',
      {
        double: (b) => b.transform('d', (s) => ({ doubled: s.n * 2 })),
        square: (b) => b.transform('s', (s) => ({ squared: s.n * s.n })),
      },
      (r) => ({ sum: (r.double.doubled ?? 0) + (r.square.squared ?? 0) }),
    );
    expect((await joined.call({ n: 3 })).toDict()).toEqual({ n: 3, sum: 15 });
  });
});

describe('pipeline declaration errors', () => {
  it.each([
    ['bad name', 'has space'],
    ['double underscore', 'a__b'],
    ['module member', 'forward'],
  ])('rejects_a_stage_named_with_%s', (_, name) => {
    expect(() => pipeline().transform(name, () => ({}))).toThrow(PipelineError);
  });

  it('rejects_a_repeated_stage_name', () => {
    const p = pipeline().transform('a', () => ({}));
    expect(() => p.transform('a', () => ({}))).toThrow(/already exists/);
  });

  it('rejects_a_transform_returning_a_non_object', async () => {
    const p = pipeline().transform('bad', () => 3 as unknown as object);
    await expect(p.call({})).rejects.toMatchObject({ code: 'invalid_pipeline' });
  });
});

describe('a pipeline is a module', () => {
  it('names_its_stage_predictors_including_fallbacks_and_arms', () => {
    const p = triage(new DummyLM([]), new DummyLM([])).branch('route', () => 'x', {
      x: (a) => a.predict('fix', new ChainOfThought('text -> fix')),
    });
    expect(p.namedPredictors().map(([n]) => n)).toEqual([
      'classify.attempts[0].module',
      'classify.attempts[1].module',
      'reply',
      "route['x'].fix.predict",
    ]);
  });

  it('saves_and_loads_its_predictor_state', () => {
    const p = triage(new DummyLM([]), new DummyLM([]));
    (p.predictors()[0] as Predict).demos = [
      new Example({ text: 'a', category: 'bug', confidence: 1 }),
    ];
    const state = p.save();
    const fresh = triage(new DummyLM([]), new DummyLM([]));
    fresh.load(state);
    expect(fresh.predictors()[0]?.demos).toHaveLength(1);
    expect(fresh.save()).toEqual(state);
  });

  it('exposes_a_strategy_variable_of_a_stage_to_program_space', () => {
    const p = pipeline<{ question: string }>().predict(
      'answer',
      new StrategyModule(
        v.reasoningStrategy({ strategies: { Predict, ChainOfThought } }),
        'question -> answer',
      ),
    );
    expect(programSpace(p).names()).toEqual(['answer.strategy']);
  });

  it('is_optimized_by_bootstrap_few_shot_through_its_predictors', async () => {
    const lm = new DummyLM({
      alpha: { category: 'bug', confidence: '0.9', reply: 'r-alpha' },
      beta: { category: 'billing', confidence: '0.9', reply: 'r-beta' },
    });
    const p = pipeline<{ ticket: string }>('t')
      .transform('clean', (s) => ({ text: s.ticket.trim() }))
      .predict('classify', new Predict(CLASSIFY))
      .predict('reply', new Predict('text, category -> reply'));
    const trainset = [
      new Example({ ticket: 'alpha', category: 'bug' }).withInputs('ticket'),
      new Example({ ticket: 'beta', category: 'billing' }).withInputs('ticket'),
    ];
    const compiled = await context({ lm }, () =>
      new BootstrapFewShot({
        metric: (gold, pred) => gold['category'] === pred['category'],
        maxBootstrappedDemos: 2,
        maxLabeledDemos: 0,
      }).compile(p, { trainset }),
    );
    expect(compiled).toBeInstanceOf(Pipeline);
    const demos = Object.fromEntries(
      compiled.namedPredictors().map(([n, pr]) => [n, pr.demos.length]),
    );
    expect(demos).toEqual({ classify: 2, reply: 2 });
    expect(p.predictors()[0]?.demos).toHaveLength(0);
  });
});

describe('the job DAG of a pipeline', () => {
  const build = () =>
    pipeline<{ n: number }>('dag')
      .transform('inc', (s) => ({ n: s.n + 1 }))
      .parallel('facets', {
        double: (b) => b.transform('d', (s) => ({ doubled: s.n * 2 })),
        square: (b) => b.transform('s', (s) => ({ squared: s.n * s.n })),
      })
      .transform('sum', (s) => ({ sum: s.doubled + s.squared }));

  it('has_one_node_per_stage_and_per_parallel_branch_with_the_join_after_them', () => {
    expect(
      build()
        .nodes()
        .map((n) => [n.id, n.after]),
    ).toEqual([
      ['inc', []],
      ['facets__double', ['inc']],
      ['facets__square', ['inc']],
      ['facets', ['inc', 'facets__double', 'facets__square']],
      ['sum', ['facets']],
    ]);
  });

  it('gives_the_same_state_node_by_node_over_json_as_in_process', async () => {
    const p = build();
    const outputs: Record<string, Record<string, unknown>> = {};
    for (const node of p.nodes()) {
      const parents = Object.fromEntries(
        node.after.map((a) => [a, JSON.parse(JSON.stringify(outputs[a]))]),
      );
      outputs[node.id] = await p.runNode(node.id, { n: 2 }, parents);
    }
    expect(outputs['sum']).toEqual((await p.call({ n: 2 })).toDict());
    expect(outputs['sum']).toEqual({ n: 3, doubled: 6, squared: 9, sum: 15 });
  });

  it('rejects_an_unknown_node', async () => {
    await expect(build().runNode('nope', {}, {})).rejects.toMatchObject({ code: 'unknown_node' });
  });
});

describe('toMermaid', () => {
  it('renders_stages_fallbacks_and_arms_of_a_pipeline', () => {
    const p = triage(new DummyLM([]), new DummyLM([])).parallel('facets', {
      a: (b) => b.predict('x', new Predict('text -> x')),
    });
    const text = toMermaid(p);
    expect(text.startsWith('flowchart TD\n')).toBe(true);
    for (const part of [
      '["clean: transform"]',
      '{{"nonEmpty: validate"}}',
      '("classify#1: Predict<br/>text → category, confidence")',
      '-.->|on failure|',
      '{{"check classify#2 (retries 0)"}}',
      '(("facets: parallel"))',
      `subgraph g`,
      '(["outputs"])',
    ])
      expect(text).toContain(part);
  });

  it('renders_any_module_with_its_predictor_signature', () => {
    expect(toMermaid(new ChainOfThought('question -> answer'), { direction: 'LR' })).toBe(
      'flowchart LR\n  n0("ChainOfThought: ChainOfThought<br/>question → reasoning, answer")\n  n1(["outputs"])\n  n0 --> n1\n',
    );
  });
});
