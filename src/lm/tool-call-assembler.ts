import type { LMStreamChunk, ToolCall } from './types.js';

/** A tool call put together from its streamed pieces. */
export interface AssembledToolCall {
  /** The choice it belongs to. */
  readonly index: number;
  /** Its position among the choice's tool calls. */
  readonly callIndex: number;
  readonly call: ToolCall;
}

/**
 * Puts streamed `tool_call` pieces back together: the `id` and `name` of a call's first piece, and
 * its `arguments` JSON appended piece by piece, per (choice, call index), so parallel calls never
 * mix. A call is complete when the next call of the same choice starts or the stream ends;
 * {@link ToolCallAssembler.add} and {@link ToolCallAssembler.finish} return each call once, when
 * it is complete (a call that streamed no arguments gets `{}`).
 *
 * @example
 * ```ts
 * const calls = new ToolCallAssembler();
 * for await (const chunk of lm.stream(request)) {
 *   if (chunk.type === 'tool_call') for (const c of calls.add(chunk)) run(c.call);
 * }
 * for (const c of calls.finish()) run(c.call);
 * ```
 */
export class ToolCallAssembler {
  private readonly open = new Map<number, Map<number, ToolCall>>();

  /** Adds one piece; returns the calls of the same choice that it shows to be complete. */
  add(chunk: Extract<LMStreamChunk, { type: 'tool_call' }>): AssembledToolCall[] {
    let perChoice = this.open.get(chunk.index);
    if (perChoice === undefined) this.open.set(chunk.index, (perChoice = new Map()));
    const done: AssembledToolCall[] = [];
    let call = perChoice.get(chunk.callIndex);
    if (call === undefined) {
      // A new call starts: the calls before it in this choice will get no more pieces.
      for (const [i, c] of [...perChoice].sort((a, b) => a[0] - b[0])) {
        if (i < chunk.callIndex) {
          done.push(finished(chunk.index, i, c));
          perChoice.delete(i);
        }
      }
      call = { id: '', name: '', arguments: '' };
      perChoice.set(chunk.callIndex, call);
    }
    const piece = chunk.toolCall;
    if (piece.id) call.id = piece.id;
    // OpenAI sends the name once; some compatible servers split it, so pieces are appended.
    if (piece.name && call.name !== piece.name) call.name += piece.name;
    if (piece.arguments) call.arguments += piece.arguments;
    return done;
  }

  /** Ends the stream: the calls not returned yet, by choice and call index. */
  finish(): AssembledToolCall[] {
    const done: AssembledToolCall[] = [];
    for (const [index, perChoice] of [...this.open].sort((a, b) => a[0] - b[0])) {
      for (const [i, c] of [...perChoice].sort((a, b) => a[0] - b[0])) {
        done.push(finished(index, i, c));
      }
    }
    this.open.clear();
    return done;
  }
}

function finished(index: number, callIndex: number, c: ToolCall): AssembledToolCall {
  return { index, callIndex, call: { ...c, arguments: c.arguments === '' ? '{}' : c.arguments } };
}
