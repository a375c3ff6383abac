import { beforeEach, describe, expect, it } from 'vitest';
import {
  DummyLM,
  functionEmbedder,
  globalLMHistory,
  resetGlobalHistory,
} from '../../src/lm/index.js';
import { ChainOfThought, Example, Module, Predict, context } from '../../src/modules/index.js';
import { KNNFewShot } from '../../src/optimizers/index.js';
import { KNN, Retrieve, hashingEmbedder, knnText } from '../../src/retrieval/index.js';

beforeEach(() => resetGlobalHistory());

const corpus = [
  'Brussels is the capital of Belgium.',
  'Paris is the capital of France.',
  'The blue whale is the largest animal.',
  'Tokyo is the capital of Japan.',
];

describe('Retrieve', () => {
  it('returns the k passages nearest to the query, closest first, with ids and scores', async () => {
    const search = await Retrieve.fromCorpus(corpus, { embedder: hashingEmbedder(), k: 2 });
    const pred = await search.call({ query: 'What is the capital of Belgium?' });
    expect(pred.passages[0]).toBe('Brussels is the capital of Belgium.');
    expect(pred.ids[0]).toBe('0');
    expect(pred.passages).toHaveLength(2);
    expect(pred.scores[0]).toBeGreaterThan(pred.scores[1]);
    const one = await search.call({ query: 'largest animal', k: 1 });
    expect(one.passages).toEqual(['The blue whale is the largest animal.']);
  });

  it('rejects a missing query and a bad k with readable errors', async () => {
    const search = new Retrieve({ embedder: hashingEmbedder() });
    await expect(search.call({})).rejects.toThrow("Retrieve needs a non-empty string 'query'.");
    expect(() => new Retrieve({ embedder: hashingEmbedder(), k: 0 })).toThrow(
      'k must be a positive integer, got 0.',
    );
  });

  it('feeds a RAG program whose only predictor is the answerer', async () => {
    const search = await Retrieve.fromCorpus(corpus, { embedder: hashingEmbedder(), k: 1 });
    class RAG extends Module<{ question: string }> {
      search = search;
      answer = new ChainOfThought('context: list[str], question -> answer');
      async forward({ question }: { question: string }) {
        const { passages } = await this.search.call({ query: question });
        return this.answer.call({ context: passages, question });
      }
    }
    const rag = new RAG();
    expect(rag.namedPredictors().map(([n]) => n)).toEqual(['answer.predict']);
    const lm = new DummyLM([{ reasoning: 'From the context.', answer: 'Tokyo' }]);
    const pred = await context({ lm }, () => rag.call({ question: 'capital of Japan?' }));
    expect(pred.answer).toBe('Tokyo');
    const user = String(globalLMHistory()[0]?.messages.at(-1)?.content);
    expect(user).toContain('Tokyo is the capital of Japan.');
  });
});

const trainset = [
  ['What is the capital of Belgium?', 'Brussels'],
  ['What is the capital of France?', 'Paris'],
  ['How many legs does a spider have?', '8'],
  ['How many legs does an ant have?', '6'],
].map(([question, answer]) => new Example({ question, answer }).withInputs('question'));

describe('KNN', () => {
  it("embeds DSPy's 'key: value' text and returns the nearest examples, closest first", async () => {
    const seen: string[][] = [];
    const base = hashingEmbedder();
    const embedder = functionEmbedder(async (texts) => {
      seen.push(texts);
      return base.embed(texts);
    });
    const knn = new KNN(2, trainset, embedder);
    const near = await knn.call({ question: 'How many legs does a beetle have?' });
    expect(near.map((e) => e.answer)).toEqual(['8', '6']); // 'a beetle' shares 'a' with 'a spider'
    expect(seen[0]?.[0]).toBe('question: What is the capital of Belgium?');
    expect(seen[1]).toEqual(['question: How many legs does a beetle have?']);
    await knn.call({ question: 'capital of Spain?' });
    expect(seen).toHaveLength(3); // the trainset is embedded once
    expect(
      knnText([
        ['a', 1],
        ['b', 'x'],
      ]),
    ).toBe('a: 1 | b: x');
  });
});

describe('KNNFewShot', () => {
  it('compiles per call with the nearest examples as demos', async () => {
    const answers = Object.fromEntries(
      trainset.map((e) => [String(e.question), { answer: String(e.answer) }]),
    );
    const lm = new DummyLM({ ...answers, 'a beetle': { answer: '6' } });
    const optimizer = new KNNFewShot({
      k: 2,
      trainset,
      embedder: hashingEmbedder(),
      maxBootstrappedDemos: 2,
    });
    const compiled = await optimizer.compile(new Predict('question -> answer'), { trainset: [] });
    expect(compiled.namedPredictors().map(([n]) => n)).toEqual(['self']);
    const pred = await context({ lm }, () =>
      compiled.call({ question: 'How many legs does a beetle have?' }),
    );
    expect(pred.answer).toBe('6');
    const last = globalLMHistory().at(-1)?.messages ?? [];
    const text = last.map((m) => String(m.content)).join('\n');
    expect(text).toContain('How many legs does an ant have?');
    expect(text).toContain('How many legs does a spider have?');
    expect(text).not.toContain('capital of Belgium');
  });
});
