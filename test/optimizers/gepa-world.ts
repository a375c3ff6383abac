import type { Candidate, EvaluationBatch, GepaAdapter } from '../../src/optimizers/gepa-engine.js';
import type { ReflectionFn } from '../../src/optimizers/gepa-proposal.js';

/*
 * The toy world of fixtures/gepa_oracle.py (see its docstring): example x scores 0.5 when
 * component "a" holds the token k{x % 4} and 0.5 when "b" holds m{x % 3}.
 */
type Parts = { a: number; b: number };
interface Trace {
  x: number;
  parts: Parts;
}

function parts(candidate: Candidate, x: number): Parts {
  return {
    a: candidate['a']!.split(/\s+/).includes(`k${x % 4}`) ? 0.5 : 0,
    b: candidate['b']!.split(/\s+/).includes(`m${x % 3}`) ? 0.5 : 0,
  };
}

/** Python's str() of a float. */
const pyFloat = (v: number) => (Number.isInteger(v) ? v.toFixed(1) : String(v));

export function toyAdapter(objectives = false): GepaAdapter<number, Trace> {
  return {
    evaluate(batch, candidate, captureTraces): Promise<EvaluationBatch<Trace>> {
      const ps = batch.map((x) => parts(candidate, x));
      return Promise.resolve({
        outputs: batch.map((x) => ({ x })),
        scores: ps.map((p) => p.a + p.b),
        trajectories: captureTraces ? batch.map((x, i) => ({ x, parts: ps[i]! })) : undefined,
        objectiveScores: objectives ? ps.map((p) => ({ ...p })) : undefined,
      });
    },
    makeReflectiveDataset(_candidate, evaluation, components) {
      const out: Record<string, Record<string, unknown>[]> = {};
      for (const name of components) {
        const token = (x: number) => (name === 'a' ? `k${x % 4}` : `m${x % 3}`);
        out[name] = (evaluation.trajectories ?? []).map((t) => {
          const part = t.parts[name as keyof Parts];
          return {
            Inputs: { x: String(t.x) },
            'Generated Outputs': { score: pyFloat(part) },
            Feedback: part > 0 ? 'correct' : `needs ${token(t.x)}`,
          };
        });
      }
      return Promise.resolve(out);
    },
  };
}

/** The oracle's reflection LM; records the prompts it gets. */
export function toyReflection(prompts: string[]): ReflectionFn {
  return (prompt) => {
    prompts.push(prompt);
    const current = prompt.split('```\n')[1]!.split('\n```')[0]!;
    const words = current.split(/\s+/);
    for (const m of prompt.matchAll(/needs (\S+)/g)) {
      if (!words.includes(m[1]!))
        return Promise.resolve(`Here you go:\n\`\`\`text\n${words[0]} ${m[1]}\n\`\`\``);
    }
    return Promise.resolve(`\`\`\`\n${current}\n\`\`\``);
  };
}
