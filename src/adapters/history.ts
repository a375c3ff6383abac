/**
 * Prior conversation turns for a signature input typed `History` (DSPy's `dspy.History`). Each
 * message is a record keyed by the signature's field names; adapters render every message as a
 * user turn (its inputs) and an assistant turn (its outputs), before the current request.
 *
 * @example
 * ```ts
 * const sig = signature('history: History, question -> answer');
 * const h = history([{ question: 'What is 1+1?', answer: '2' }]);
 * new ChatAdapter().format(sig, [], { history: h, question: 'What is 3+3?' });
 * ```
 */
export interface History {
  readonly messages: readonly Record<string, unknown>[];
}

/** Builds a frozen {@link History}. */
export function history(messages: readonly Record<string, unknown>[]): History {
  return Object.freeze({ messages: Object.freeze([...messages]) });
}

/** True for a `{ messages: [...] }` value. */
export function isHistory(v: unknown): v is History {
  return (
    typeof v === 'object' && v !== null && Array.isArray((v as { messages?: unknown }).messages)
  );
}
