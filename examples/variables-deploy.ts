/**
 * The variable system in the runtime: a program whose instructions and temperature are variables
 * (only the temperature overridable by jobs), its space printed, a search for the front of quality
 * against cost, the chosen point deployed, a job overriding the temperature, and one trying to
 * change the instructions refused. Embedded mode; in Redis mode `rt.deploy` (or `dspex deploy`)
 * reaches every node.
 *
 *   npx tsx examples/variables-deploy.ts        # offline, scripted DummyLM
 */
import { Example, Predict, startRuntime, v } from 'dspex';
import { createLogger } from 'dspex/runtime';
import { lmFromEnv } from './lm-from-env.js';

const { lm, describe } = lmFromEnv({
  'capital of France': { answer: 'Paris' },
  'capital of Italy': { answer: 'Rome' },
  'capital of Spain': { answer: 'Madrid' },
});
console.log(`LM: ${describe}`);

const qa = new Predict('question -> answer', {
  instructions: v.instructions({
    candidates: ['Answer with one word.', 'Answer with the city name only.'],
  }),
  temperature: v.float({ range: [0, 1], default: 0, grid: [0, 0.5], overridable: true }),
});
const devset = [
  ['What is the capital of France?', 'Paris'],
  ['What is the capital of Italy?', 'Rome'],
  ['What is the capital of Spain?', 'Madrid'],
].map(([question, answer]) => new Example({ question, answer }).withInputs('question'));

const rt = await startRuntime(
  { programs: { qa } },
  { lm, logger: createLogger({ level: 'warn' }) },
);
try {
  for (const d of (await rt.variables('qa')).variables)
    console.log(
      `variable ${d.name}: ${d.kind} ${JSON.stringify(d.choices ?? d.range)} default ${JSON.stringify(d.default)}${d.overridable ? ' (overridable)' : ''}`,
    );
  const search = await rt.searchVariables('qa', {
    trainset: devset,
    metric: 'exact_match',
    objectives: ['quality', 'cost'],
    algorithm: 'grid',
    select: 'cheapest',
  });
  console.log(search.table);
  const chosen = search.chosen!;
  const deployed = await rt.deploy('qa', { configuration: chosen.configurationId });
  console.log(`deployed ${chosen.configurationId} as revision ${deployed.revision}`);
  const hot = await rt.run(
    'qa',
    { question: 'What is the capital of Italy?' },
    { config: { variables: { temperature: 0.5 } } },
  );
  console.log(`with temperature 0.5: ${String(hot.outputs['answer'])}`);
  await rt
    .run(
      'qa',
      { question: 'What is the capital of Spain?' },
      { config: { variables: { instructions: 1 } } },
    )
    .catch((e: Error) => console.log(`refused: ${e.message}`));
} finally {
  await rt.stop();
}
