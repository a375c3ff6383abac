import { describe, expect, it } from 'vitest';
import { runExample } from './helpers/run-example.js';

describe('examples/variables-deploy.ts in DummyLM mode (no env)', () => {
  it('prints the space and the front, deploys the chosen point, takes an override and refuses a locked one', async () => {
    const out = await runExample('variables-deploy.ts');
    expect(out).toContain('variable temperature: float [0,1] default 0 (overridable)');
    expect(out).toMatch(/quality\s+\$\/example/);
    expect(out).toMatch(/deployed \S+ as revision 1/);
    expect(out).toContain('with temperature 0.5: Rome');
    expect(out).toContain(
      "refused: invalid job config: Variable 'instructions' (value 1) is not overridable by jobs (overridable: temperature)",
    );
    expect(out).not.toContain('"level"');
  }, 90_000);
});
