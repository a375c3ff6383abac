import { describe, expect, it } from 'vitest';

import { majority } from '../../src/modules/majority.js';
import { Module } from '../../src/modules/module.js';
import { Prediction } from '../../src/modules/prediction.js';
import { Ensemble } from '../../src/optimizers/ensemble.js';
import { OptimizerError } from '../../src/optimizers/optimizer-error.js';
import { PythonRandom } from '../../src/optimizers/python-random.js';

class Constant extends Module {
  calls = 0;
  constructor(readonly answer: string) {
    super();
  }
  forward(): Promise<Prediction> {
    this.calls++;
    return Promise.resolve(new Prediction({ answer: this.answer }));
  }
}

const programs = () => ['x', 'y', 'x', 'z', 'x'].map((a) => new Constant(a));

describe('Ensemble', () => {
  it('runs every program and reduces with reduceFn', async () => {
    const ensembled = new Ensemble({ reduceFn: (preds) => majority(preds) }).compile(programs());
    expect((await ensembled.call({ q: 1 }))['answer']).toBe('x');
  });

  it('without reduceFn returns the predictions in a predictions field', async () => {
    const out = await new Ensemble().compile(programs()).call({ q: 1 });
    expect((out.get('predictions') as Prediction[]).map((p) => p['answer'])).toEqual([
      'x',
      'y',
      'x',
      'z',
      'x',
    ]);
  });

  it('samples size programs per call with the seeded generator, as random.sample', async () => {
    const ps = programs();
    const ensembled = new Ensemble({ size: 2 }).compile(ps);
    const out = await ensembled.call({ q: 1 });
    const expected = new PythonRandom(0).sample(ps, 2).map((p) => p.answer);
    expect((out.get('predictions') as Prediction[]).map((p) => p['answer'])).toEqual(expected);
    expect(ps.reduce((n, p) => n + p.calls, 0)).toBe(2);
  });

  it('deterministic: the same inputs pick the same programs', async () => {
    const ensembled = new Ensemble({ size: 2, deterministic: true }).compile(programs());
    const pick = async (q: unknown) =>
      ((await ensembled.call({ q })).get('predictions') as Prediction[]).map((p) => p['answer']);
    const first = await pick({ a: 1, b: 2 });
    for (let i = 0; i < 5; i++) expect(await pick({ b: 2, a: 1 })).toEqual(first);
  });

  it('rejects a size larger than the programs', () => {
    expect(() => new Ensemble({ size: 6 }).compile(programs())).toThrow(OptimizerError);
    expect(() => new Ensemble({ size: 0 })).toThrow(/size must be an integer >= 1/);
  });
});
