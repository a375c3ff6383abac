/**
 * Registered modules are built by name (issue 14): a programs module may declare a program as
 * `{ module, options }`, naming a module an extension registered or a built-in built from a
 * signature; an unknown name fails the load listing the names that can be built.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChainOfThought, Predict, StrategyModule, programSpace } from '../../src/modules/index.js';
import { loadProgramsModule } from '../../supervisors/programs-module.js';

const SRC = resolve(new URL('../../src', import.meta.url).pathname);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Writes a programs module whose default export is `programs` (source text) and loads it. */
async function load(programs: string) {
  const dir = mkdtempSync(join(tmpdir(), 'dspex-modules-'));
  dirs.push(dir);
  const file = join(dir, 'programs.mts');
  writeFileSync(
    file,
    `import { Predict, defineExtensions } from ${JSON.stringify(join(SRC, 'index.js'))};
export const extensions = defineExtensions({
  modules: {
    terse: (options) => new Predict(String(options.signature), { instructions: 'Answer in one word.' }),
    broken: () => ({ not: 'a module' }),
  },
});
export default ${programs};
`,
  );
  return loadProgramsModule({ file, plugins: [] }, 1);
}

describe('programs declared by module name', () => {
  it('builds_registered_and_built_in_modules_from_their_options', async () => {
    const { catalog, programs } = await load(`{
      short: { module: 'terse', options: { signature: 'question -> answer' } },
      cot: { module: 'ChainOfThought', options: { signature: 'question -> answer' } },
    }`);
    const short = catalog.get('short');
    expect(short).toBeInstanceOf(Predict);
    expect((short as Predict).signature.instructions).toBe('Answer in one word.');
    expect(catalog.get('cot')).toBeInstanceOf(ChainOfThought);
    expect(programs['cot']).toBe(catalog.get('cot'));
  });

  it('an_unknown_module_name_fails_the_load_listing_the_names_that_can_be_built', async () => {
    await expect(load(`{ qa: { module: 'tersee', options: {} } }`)).rejects.toThrow(
      "unknown module 'tersee' (registered: ChainOfThought, Predict, StrategyModule, broken, terse)",
    );
  });

  it('builds_a_strategy_module_choosing_among_registered_modules_by_name', async () => {
    const { catalog } = await load(`{
      qa: { module: 'StrategyModule', options: { signature: 'question -> answer', strategies: ['terse', 'ChainOfThought'] } },
    }`);
    const qa = catalog.get('qa') as StrategyModule;
    expect(qa).toBeInstanceOf(StrategyModule);
    expect((qa.impl as Predict).signature.instructions).toBe('Answer in one word.');
    expect(programSpace(qa).names()).toEqual(['strategy']);
  });

  it.each([
    [
      `{ qa: { module: 'StrategyModule', options: { signature: 'q -> a', strategies: ['Predict', 'tersee'] } } }`,
      "module 'StrategyModule': unknown module 'tersee' (registered: ChainOfThought, Predict, broken, terse)",
    ],
    [
      `{ qa: { module: 'StrategyModule', options: { signature: 'q -> a', strategies: [] } } }`,
      'needs options.strategies, a non-empty list of module names',
    ],
    [`{ qa: { module: 'ReAct', options: {} } }`, "built-in module 'ReAct' takes code"],
    [`{ qa: { module: 'Predict', options: {} } }`, "module 'Predict' needs options.signature"],
    [`{ qa: { module: 'broken' } }`, "module factory 'broken' returned object, not a Module"],
    [`{ qa: { module: 'terse', options: 3 } }`, "options of module 'terse' must be an object"],
  ])('a_bad_definition_%s_fails_the_load_naming_the_program', async (programs, message) => {
    const error = (await load(programs).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain("program 'qa'");
    expect(error.message).toContain(message);
  });
});
