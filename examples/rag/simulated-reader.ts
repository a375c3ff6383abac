/**
 * A deterministic simulated reader LM for the RAG example when no real LM is configured. It is a
 * real `BaseLM` (usage, history, cache and callbacks work as for any provider) whose "model" is a
 * few transparent rules, so the example runs offline and its numbers can be reproduced:
 *
 * - it reads the `context` and `question` fields of the ChatAdapter prompt and picks the context
 *   sentence sharing the most content words with the question (first on ties);
 * - it answers with the words of that sentence that are not in the question (the first run of
 *   them) — but only when it has reason to be brief: the question asks for a quantity ("how many",
 *   "how high"), or the prompt's demos show short answers (at most three words). Otherwise it
 *   answers with the whole sentence, as a chatty model does zero-shot.
 *
 * It never sees gold answers: demos change its output only through their answer length, the way
 * in-context examples set the answer format for a real model. What the example measures with it
 * is that the optimizer finds such demos and the program carries them, not a model's quality.
 */
import { BaseLM, formatChatAnswer, wordTokens } from '../../src/index.js';
import type { LM, LMMessage, LMParams, LMRequest, ProviderResult } from '../../src/index.js';

const STOPWORDS = new Set(
  'a an the is are was were be of in on at to for by and or it its has have had does do did ' +
    'what who which how many much high usually like every in metres'.split(' '),
);

/** The text of a field in a ChatAdapter message (`[[ ## name ## ]]` up to the next header). */
function fieldOf(text: string, name: string): string | undefined {
  const m = new RegExp(`\\[\\[ ## ${name} ## \\]\\]\\n([\\s\\S]*?)(?=\\n\\n\\[\\[ ## |$)`).exec(
    text,
  );
  return m?.[1]?.trim();
}

function contentWords(text: string): Set<string> {
  return new Set(wordTokens(text).filter((w) => !STOPWORDS.has(w)));
}

/** The reader's answer and reasoning for one prompt. */
export function readAnswer(messages: readonly LMMessage[]): { reasoning: string; answer: string } {
  const last = String(messages[messages.length - 1]?.content ?? '');
  const question = fieldOf(last, 'question') ?? '';
  const context = fieldOf(last, 'context') ?? '';
  const sentences = context
    .replace(/\[\d+\]|[«»]/g, ' ')
    .split(/(?<=\.)\s+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const asked = contentWords(question);
  let best = '';
  let bestScore = -1;
  for (const s of sentences) {
    const score = [...contentWords(s)].filter((w) => asked.has(w)).length;
    if (score > bestScore) [best, bestScore] = [s, score];
  }
  const demoAnswers = messages
    .filter((m) => m.role === 'assistant')
    .map((m) => fieldOf(String(m.content), 'answer'))
    .filter((a): a is string => a !== undefined);
  const shortDemos = demoAnswers.length > 0 && demoAnswers.every((a) => a.split(/\s+/).length <= 3);
  const quantity = /^how (many|high|much|long|old)\b/i.test(question);
  const reasoning = best === '' ? 'The context does not say.' : `The context says: ${best}`;
  if (!(shortDemos || quantity) || best === '') return { reasoning, answer: best || 'unknown' };
  const questionWords = new Set(wordTokens(question));
  const run: string[] = [];
  for (const word of best.replace(/\.$/, '').split(/\s+/)) {
    const tokens = wordTokens(word);
    const fresh =
      tokens.length > 0 && tokens.every((t) => !questionWords.has(t) && !STOPWORDS.has(t));
    if (fresh) run.push(word.replace(/[.,;]$/, ''));
    else if (run.length > 0) break;
  }
  return { reasoning, answer: run.length > 0 ? run.join(' ') : best };
}

/** The simulated reader as an LM (provider `simulated`, model `rag-reader`). */
export class SimulatedReader extends BaseLM {
  readonly provider = 'simulated';

  constructor(params: LMParams = {}) {
    super('rag-reader', { params, cache: false });
  }

  protected clone(_model: string, params: LMParams): LM {
    return new SimulatedReader(params);
  }

  protected send(req: LMRequest): Promise<ProviderResult> {
    const n = Math.max(1, req.n ?? 1);
    const text = formatChatAnswer(readAnswer(req.messages));
    return Promise.resolve({
      choices: Array.from({ length: n }, () => ({ text, finishReason: 'stop' as const })),
      usage: { promptTokens: 0, completionTokens: 0 },
      model: this.model,
    });
  }
}
