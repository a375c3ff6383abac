/**
 * Retrieval-augmented QA over the small corpus in examples/rag/corpus.json: a `Retrieve` module
 * (embedder + in-memory vector store) feeds a ChainOfThought reader; the program is evaluated
 * zero-shot on the devset, optimized with BootstrapFewShot on the trainset, evaluated again, saved
 * and reloaded.
 *
 *   npx tsx examples/rag/rag.ts     # offline: hashing embedder + the simulated reader (see simulated-reader.ts)
 *   OPENAI_API_KEY=sk-... DSPEX_EMBEDDING_MODEL=text-embedding-3-small npx tsx examples/rag/rag.ts
 *
 * The LM comes from OPENAI_BASE_URL / OPENAI_API_KEY / DSPEX_MODEL (any OpenAI-compatible server);
 * embeddings from DSPEX_EMBEDDING_MODEL on the same server, else the offline hashing embedder.
 */
import { readFileSync } from 'node:fs';

import {
  BootstrapFewShot,
  ChainOfThought,
  Evaluate,
  Example,
  Module,
  Retrieve,
  configure,
  f1Score,
  hashingEmbedder,
  openaiEmbedder,
  type Embedder,
  type Prediction,
} from '../../src/index.js';
import { lmFromEnv } from '../lm-from-env.js';
import { SimulatedReader } from './simulated-reader.js';

interface Corpus {
  passages: string[];
  train: [string, string][];
  dev: [string, string][];
}
const corpus = JSON.parse(
  readFileSync(new URL('./corpus.json', import.meta.url), 'utf8'),
) as Corpus;
const toExamples = (rows: [string, string][]) =>
  rows.map(([question, answer]) => new Example({ question, answer }).withInputs('question'));
const trainset = toExamples(corpus.train);
const devset = toExamples(corpus.dev);

const env = process.env;
const fromEnv = lmFromEnv({});
const lm = fromEnv.dummy ? new SimulatedReader() : fromEnv.lm;
console.log(
  `LM: ${fromEnv.dummy ? 'simulated reader (offline, deterministic rules)' : fromEnv.describe}`,
);
const embeddingModel = env['DSPEX_EMBEDDING_MODEL'];
const embedder: Embedder =
  embeddingModel === undefined || embeddingModel === ''
    ? hashingEmbedder()
    : openaiEmbedder({
        model: embeddingModel,
        apiKey: env['OPENAI_API_KEY'] ?? 'not-needed',
        baseURL: env['OPENAI_BASE_URL'],
      });
console.log(`embedder: ${embedder.provider}/${embedder.model}`);
configure({ lm });

/** Retrieve two passages, then answer from them. */
class RAG extends Module<{ question: string }> {
  constructor(readonly search: Retrieve) {
    super();
  }
  answer = new ChainOfThought('context: list[str], question -> answer');
  override async forward({ question }: { question: string }): Promise<Prediction> {
    const { passages } = await this.search.call({ query: question });
    return this.answer.call({ context: passages, question });
  }
}

const search = await Retrieve.fromCorpus(corpus.passages, { embedder, k: 2 });
const zeroShot = new RAG(search);
const f1 = (example: Example, pred: Prediction): number =>
  f1Score(String(pred.answer), String(example.answer));
const evaluate = new Evaluate({ devset, metric: f1, concurrency: 4 });

const before = await evaluate.run(zeroShot);
console.log(`zero-shot: ${before.score}% token F1 on ${devset.length} dev questions`);

const optimizer = new BootstrapFewShot({
  metric: f1,
  metricThreshold: 1, // only traces whose answer matches the gold answer become demos
  maxBootstrappedDemos: 3,
  maxLabeledDemos: 3,
});
const { program: optimized, bootstrap } = await optimizer.optimize(zeroShot, { trainset });
console.log(
  `BootstrapFewShot: ${bootstrap.bootstrapped} bootstrapped demos from ${bootstrap.attempts} attempts`,
);
const after = await evaluate.run(optimized);
console.log(`optimized: ${after.score}% token F1 on ${devset.length} dev questions`);

const state = optimized.save();
const reloaded = new RAG(search).load(JSON.parse(JSON.stringify(state)) as Record<string, unknown>);
const again = await evaluate.run(reloaded);
console.log(
  `saved predictors: ${Object.keys(state).join(', ')}; reloaded program scores ${again.score}%`,
);
// Offline the run is deterministic: fail loudly if optimizing stops helping or reloading changes it.
if (fromEnv.dummy && (after.score <= before.score || again.score !== after.score))
  process.exitCode = 1;
