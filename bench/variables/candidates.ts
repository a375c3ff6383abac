/**
 * Candidates from the prompt optimizers in one space search: on the simulated task of
 * test/variables/simulated-task.ts (OpenAI wire protocol, real `openai` SDK), a program that
 * declares one plain instruction and an empty demo set is searched (a) over its declared space and
 * (b) with its instruction and demo variables filled first by MIPROv2's grounded proposer and
 * bootstrapped demo sets (`candidates`). The prompt model is a second fixture that proposes
 * instructions (some ask for care, which the task rewards). Each chosen program and the defaults
 * are scored on held-out items. Rounds alternate (a) and (b), one seed per round.
 *
 *   npx tsx bench/variables/candidates.ts [--rounds 3] [--devset 40] [--test 100]
 */
import { formatChatAnswer } from '../../src/lm/chat-format.js';
import { openai } from '../../src/lm/index.js';
import { Evaluate } from '../../src/evaluate/index.js';
import type { Module } from '../../src/modules/index.js';
import { SpaceSearch, type SpaceSearchOutcome } from '../../src/optimizers/index.js';
import { startOpenAIFixture } from '../../test/fixtures/openai-fixture.js';
import { numberOption } from './bench-args.js';
import {
  INSTRUCTIONS,
  SimQA,
  answerMatches,
  items,
  proposerReply,
  simulatedHandler,
} from '../../test/variables/simulated-task.js';

const opt = numberOption;
const rounds = opt('rounds', 3);
const devset = items(opt('devset', 40), 101);
const testset = items(opt('test', 100), 1001);

const task = await startOpenAIFixture();
task.recordRequests = false;
task.handle(simulatedHandler());
const proposer = await startOpenAIFixture();
proposer.recordRequests = false;
proposer.handle((req) => ({
  text: formatChatAnswer(proposerReply(req.body as Record<string, unknown>) ?? {}),
}));
const promptModel = openai({
  model: 'sim-proposer',
  apiKey: 'sim',
  baseURL: proposer.url,
  cache: false,
  retry: { maxAttempts: 1 },
  prices: { 'sim-proposer': { input: 1, output: 4 } },
});
const program = new SimQA(task.url, [], {
  models: ['sim-small', 'sim-medium'],
  temperatures: [0],
  instructions: [INSTRUCTIONS[0]!],
  demoSets: true,
});

const heldOut = async (p: Module): Promise<number> =>
  (
    await new Evaluate({
      devset: testset,
      metric: answerMatches,
      display: false,
      concurrency: 8,
    }).run(p)
  ).score;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[]): string => `${Math.min(...xs)}–${Math.max(...xs)}`;

type Row = {
  devQuality: number;
  test: number;
  lmCalls: number;
  promptCalls: number;
  dollars: number;
};
const rows: { declared: Row; filled: Row; seed: number; chosen: string }[] = [];
const rowOf = async (o: SpaceSearchOutcome<SimQA>): Promise<Row> => ({
  devQuality: o.chosen?.quality ?? 0,
  test: await heldOut(o.program),
  lmCalls: o.spent.lmCalls,
  promptCalls: o.spent.candidates?.promptLmCalls ?? 0,
  dollars: o.spent.dollars,
});
let defaults = 0;
try {
  defaults = await heldOut(program);
  for (let round = 0; round < rounds; round++) {
    const seed = round + 1;
    const common = {
      metric: answerMatches,
      objectives: { quality: 'max', cost: 'min' } as const,
      algorithm: 'grid' as const,
      concurrency: 4,
      seed,
    };
    const declared = await new SpaceSearch(common).optimize(program, { trainset: devset });
    const filled = await new SpaceSearch({
      ...common,
      candidates: { promptModel, numCandidates: 4, seed },
    }).optimize(program, { trainset: items(30, 201), valset: devset });
    rows.push({
      seed,
      declared: await rowOf(declared),
      filled: await rowOf(filled),
      chosen: JSON.stringify(filled.chosen?.configuration),
    });
  }
} finally {
  await task.close();
  await proposer.close();
}

console.log(
  `\nSimulated task, program declaring 1 instruction and an empty demo set; models sim-small/sim-medium × Predict/ChainOfThought; devset ${devset.length}, held-out ${testset.length} items; select best quality.`,
);
console.log(`held-out score of the defaults: ${defaults}`);
console.log('round  search                    dev quality  held-out  LM calls (prompt)  dollars');
for (const [i, r] of rows.entries()) {
  const line = (name: string, x: Row): string =>
    `${String(i + 1).padEnd(6)} ${name.padEnd(25)} ${x.devQuality.toFixed(2).padStart(11)} ${x.test.toFixed(2).padStart(9)} ${`${x.lmCalls} (${x.promptCalls})`.padStart(18)} ${x.dollars.toFixed(5).padStart(8)}`;
  console.log(line('declared space', r.declared));
  console.log(line(`+ MIPROv2 candidates s=${r.seed}`, r.filled));
}
const gain = rows.map((r) => r.filled.test - r.declared.test);
console.log(
  `\nheld-out: defaults ${defaults}; declared-space search median ${median(rows.map((r) => r.declared.test))} (${spread(rows.map((r) => r.declared.test))}); with candidates median ${median(rows.map((r) => r.filled.test))} (${spread(rows.map((r) => r.filled.test))}); gain over the declared space median ${median(gain).toFixed(2)} points`,
);
console.log(`chosen with candidates (round 1): ${rows[0]?.chosen}`);
