/**
 * The Universal Variable System against brute force: on the simulated task of
 * test/variables/simulated-task.ts (served through the OpenAI wire protocol by the local fixture,
 * real `openai` SDK, per-model prices), grid search over all 3 models × 2 strategies × 2
 * temperatures × 2 instructions × 2 demo counts = 48 configurations is compared with the Pareto
 * search under a budget of half the evaluations. Rounds alternate brute force and search (one
 * search seed per round); the note prints both fronts (quality against cost; latency reported),
 * whether they match, the evaluations, LM calls, dollars and wall time (median and spread).
 *
 *   npx tsx bench/variables/run.ts [--rounds 3] [--devset 60] [--html PATH]
 */
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpaceSearch, type SpaceSearchOutcome } from '../../src/optimizers/index.js';
import {
  cheapestWithin,
  configurationKey,
  formatFrontTable,
  renderFrontHtml,
  type EvaluatedPoint,
} from '../../src/variables/index.js';
import { startOpenAIFixture } from '../../test/fixtures/openai-fixture.js';
import { numberOption } from './bench-args.js';
import {
  SimQA,
  answerMatches,
  items,
  simulatedHandler,
} from '../../test/variables/simulated-task.js';

const args = process.argv.slice(2);
const opt = numberOption;
const rounds = opt('rounds', 3);
const devsetSize = opt('devset', 60);
const htmlIdx = args.indexOf('--html');
const htmlPath = htmlIdx >= 0 ? args[htmlIdx + 1]! : join(tmpdir(), 'dspex-variables-front.html');

const fx = await startOpenAIFixture();
fx.recordRequests = false;
fx.handle(simulatedHandler({ delays: true }));
const program = new SimQA(fx.url, items(4, 1));
const devset = items(devsetSize, 101);
const objectives = { quality: 'max', cost: 'min' } as const;
const common = {
  metric: answerMatches,
  objectives,
  concurrency: 4,
  exampleConcurrency: 4,
  select: cheapestWithin(2),
};

type Outcome = SpaceSearchOutcome<SimQA>;
const timed = async (
  run: () => Promise<Outcome>,
): Promise<{ outcome: Outcome; seconds: number }> => {
  const t0 = performance.now();
  const outcome = await run();
  return { outcome, seconds: (performance.now() - t0) / 1000 };
};
const keys = (front: readonly EvaluatedPoint[]): Set<string> =>
  new Set(front.map((p) => configurationKey(p.configuration)));

const brute: { outcome: Outcome; seconds: number }[] = [];
const searched: { outcome: Outcome; seconds: number; seed: number; matches: boolean }[] = [];
try {
  for (let round = 0; round < rounds; round++) {
    brute.push(
      await timed(() =>
        new SpaceSearch({ ...common, algorithm: 'grid' }).optimize(program, { trainset: devset }),
      ),
    );
    const seed = round + 1;
    const s = await timed(() =>
      new SpaceSearch({
        ...common,
        algorithm: 'pareto',
        seed,
        budget: { evaluations: 24 },
      }).optimize(program, { trainset: devset }),
    );
    const truth = keys(brute[0]!.outcome.front);
    const found = keys(s.outcome.front);
    const matches = truth.size === found.size && [...truth].every((k) => found.has(k));
    searched.push({ ...s, seed, matches });
  }
} finally {
  await fx.close();
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1
    ? s[(s.length - 1) / 2]!
    : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const spread = (xs: number[]): string =>
  `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;

const reference = brute[0]!.outcome;
console.log(
  `\nSimulated task: ${devsetSize} devset items, 48 configurations, objectives quality (max) and cost (min); latency measured, not optimised.`,
);
console.log(`\nBrute force front (grid, ${reference.spent.evaluations} evaluations):`);
console.log(formatFrontTable(reference.front, { chosen: reference.chosen }));
const first = searched[0]!.outcome;
console.log(
  `\nPareto search front (seed ${searched[0]!.seed}, ${first.spent.evaluations.toFixed(2)} evaluations):`,
);
console.log(formatFrontTable(first.front, { chosen: first.chosen }));

console.log(
  '\nround  method        evaluations  examples  LM calls  dollars    seconds  front = brute force',
);
brute.forEach((b, i) => {
  const s = searched[i]!;
  const row = (name: string, o: Outcome, seconds: number, match: string): string =>
    `${String(i + 1).padEnd(6)} ${name.padEnd(13)} ${o.spent.evaluations.toFixed(2).padStart(11)} ${String(o.spent.examples).padStart(9)} ${String(o.spent.lmCalls).padStart(9)} ${o.spent.dollars.toFixed(5).padStart(8)} ${seconds.toFixed(2).padStart(10)}  ${match}`;
  console.log(row('grid', b.outcome, b.seconds, '(reference)'));
  console.log(row(`pareto s=${s.seed}`, s.outcome, s.seconds, s.matches ? 'yes' : 'NO'));
});
const evalRatio = searched.map((s) => s.outcome.spent.evaluations / reference.spent.evaluations);
const timeRatio = searched.map((s, i) => s.seconds / brute[i]!.seconds);
console.log(
  `\nsearch / brute force: evaluations median ${median(evalRatio).toFixed(2)} (${spread(evalRatio)}), wall time median ${median(timeRatio).toFixed(2)} (${spread(timeRatio)}); fronts matched in ${searched.filter((s) => s.matches).length}/${searched.length} rounds`,
);
console.log(
  `chosen by "cheapest within 2 points of the best": brute force ${JSON.stringify(reference.chosen?.configuration)}; search ${JSON.stringify(first.chosen?.configuration)}`,
);
await writeFile(
  htmlPath,
  renderFrontHtml(reference.front, {
    title: 'Simulated task: brute-force Pareto front (quality vs cost, latency as size/colour)',
    evaluated: reference.evaluated,
    chosen: reference.chosen,
  }),
);
console.log(`chart of the brute-force front: ${htmlPath}`);
if (searched.some((s) => s.outcome.spent.evaluations > 24)) process.exitCode = 1;
