import { describe, expect, it } from 'vitest';
import { builtinExtensionNames, runOptimizer } from '../../services/index.js';
import { JSONAdapter } from '../../src/adapters/index.js';
import {
  ExtensionError,
  ExtensionRegistry,
  adapterOf,
  defineExtensions,
  isDspexError,
  type Metric,
} from '../../src/index.js';
import { Example, Predict } from '../../src/modules/index.js';

const shouty: Metric = (_e, p) => String(p['answer']).toUpperCase() === p['answer'];

function caught(fn: () => unknown): ExtensionError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ExtensionError) return e;
    throw e;
  }
  throw new Error('expected an ExtensionError');
}

describe('extension registry', () => {
  it('resolves registered names beside the built-ins and lists both, sorted', () => {
    const registry = new ExtensionRegistry(builtinExtensionNames(), [
      { source: 'programs.ts', extensions: defineExtensions({ metrics: { shouty } }) },
    ]);
    expect(registry.extension('metrics', 'shouty')).toBe(shouty);
    expect(registry.has('metrics', 'exact_match')).toBe(true);
    expect(registry.names('metrics')).toEqual([
      'answer_exact_match',
      'answer_passage_match',
      'exact_match',
      'passage_match',
      'shouty',
    ]);
    expect(registry.registered()).toEqual({
      metrics: ['shouty'],
      optimizers: [],
      adapters: [],
      lms: [],
      modules: [],
    });
  });

  it('an unknown name is unknown_extension listing every registered name, built-ins included', () => {
    const registry = new ExtensionRegistry(builtinExtensionNames(), [
      { source: 'plugin.js', extensions: { optimizers: { keep: async ({ student }) => student } } },
    ]);
    const error = caught(() => registry.check('optimizers', 'miprov3'));
    expect(isDspexError(error, 'unknown_extension')).toBe(true);
    expect(error.message).toBe(
      "unknown optimizer 'miprov3' (registered: bootstrap, bootstrap-few-shot, copro, gepa, keep, labeled-few-shot, mipro, random, random-search, simba, space-search)",
    );
    expect(error.details['known']).toContain('keep');
  });

  it('a name clashing with a built-in is rejected at load, naming it and the module', () => {
    const error = caught(
      () =>
        new ExtensionRegistry(builtinExtensionNames(), [
          { source: '/app/programs.ts', extensions: { metrics: { exact_match: shouty } } },
        ]),
    );
    expect(error.code).toBe('extension_clash');
    expect(error.message).toBe(
      "/app/programs.ts registers metric 'exact_match', which is a built-in metric; pick another name",
    );
  });

  it('a name registered by two modules is rejected, naming both', () => {
    const error = caught(
      () =>
        new ExtensionRegistry(builtinExtensionNames(), [
          { source: 'programs.ts', extensions: { adapters: { terse: () => new JSONAdapter() } } },
          { source: 'plugin.js', extensions: { adapters: { terse: new JSONAdapter() } } },
        ]),
    );
    expect(error.message).toBe(
      "plugin.js registers adapter 'terse', already registered by programs.ts",
    );
  });

  it('defineExtensions rejects unknown kinds, bad names and values that are not functions', () => {
    expect(caught(() => defineExtensions({ metric: {} } as never)).message).toContain(
      "unknown kind 'metric' (kinds: metrics, optimizers, adapters, lms, modules)",
    );
    expect(caught(() => defineExtensions({ metrics: { '9lives': shouty } })).message).toContain(
      "'9lives' is not a valid name",
    );
    expect(caught(() => defineExtensions({ lms: { mine: 'gpt' as never } })).message).toBe(
      'extensions.lms.mine must be a function, not string',
    );
  });

  it('an adapter may be an instance or a factory', () => {
    const instance = new JSONAdapter();
    expect(adapterOf(instance)).toBe(instance);
    expect(adapterOf(() => instance)).toBe(instance);
  });

  it('a run naming a registered optimizer runs it; an unknown one lists the registered ones', async () => {
    const student = new Predict('question -> answer');
    const seen: unknown[] = [];
    const registry = new ExtensionRegistry(builtinExtensionNames(), [
      {
        source: 'programs.ts',
        extensions: {
          optimizers: {
            firstDemo: async ({ student: s, trainset, params }) => {
              seen.push(params);
              const copy = s.deepCopy();
              for (const p of copy.predictors()) p.demos = [trainset[0]!.toDict()];
              return { program: copy, score: 42 };
            },
          },
        },
      },
    ]);
    const hooks = {
      metric: undefined,
      onProgress: () => undefined,
      shouldStop: () => false,
      evaluator: undefined,
      checkpoint: async () => undefined,
      resumeFrom: undefined,
      promptModel: undefined,
      extensions: registry,
    };
    const trainset = [new Example({ question: 'q', answer: 'a' }).withInputs('question')];
    const out = await runOptimizer(
      'firstDemo',
      { k: 1, metric: 'm' },
      student,
      { trainset },
      hooks,
    );
    expect(out.score).toBe(42);
    expect(out.program.predictors()[0]!.demos).toEqual([{ question: 'q', answer: 'a' }]);
    expect(seen).toEqual([{ k: 1 }]);
    await expect(runOptimizer('nope', {}, student, { trainset }, hooks)).rejects.toThrow(
      /unknown optimizer 'nope' \(registered: bootstrap, .*firstDemo, .*\)/,
    );
  });
});
