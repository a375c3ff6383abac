import type { FixtureHandler } from '../fixtures/index.js';

/** One chat-format answer. */
export function chat(fields: Record<string, string>): string {
  return `${Object.entries(fields)
    .map(([k, v]) => `[[ ## ${k} ## ]]\n${v}`)
    .join('\n\n')}\n\n[[ ## completed ## ]]`;
}

/** The text of a request's messages (system first, then the rest). */
export function messagesOf(body: unknown): string[] {
  return ((body as { messages: { content: unknown }[] }).messages ?? []).map((m) =>
    typeof m.content === 'string' ? m.content : JSON.stringify(m.content),
  );
}

/**
 * A fixture script for a trivia synthesis: generator calls (their prompt names
 * `task_description`) get the next batch of questions as `n` choices; labeling calls get an
 * answer and a difficulty of 3 — or 9, out of `int[1, 5]`, for a question containing "hard".
 */
export function triviaScript(batches: string[][]): FixtureHandler {
  let call = 0;
  return (req) => {
    const messages = messagesOf(req.body);
    if ((messages[0] ?? '').includes('`task_description`')) {
      const batch = batches[call++] ?? [];
      return { text: batch.map((question) => chat({ question })) };
    }
    const last = messages.at(-1) ?? '';
    const question = /\[\[ ## question ## \]\]\n(.*)/.exec(last)?.[1] ?? '';
    const fields: Record<string, string> = {
      answer: `answer to ${question}`,
      difficulty: question.includes('hard') ? '9' : '3',
    };
    if ((messages[0] ?? '').includes('`reasoning`'))
      return { text: chat({ reasoning: 'r', ...fields }) };
    return { text: chat(fields) };
  };
}

export const SEEDS = [
  { question: 'What is 2+2?', answer: '4', difficulty: 1 },
  { question: 'Capital of France?', answer: 'Paris', difficulty: 2 },
];

export const BATCHES = [
  ['Capital of Spain?', '  capital of   FRANCE? ', 'A hard question?'],
  ['What is 3+3?', 'Capital of Spain?', 'Capital of Peru?'],
  ['Capital of Italy?', 'Capital of Chile?'],
];
