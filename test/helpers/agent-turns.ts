import { ReActV2, Tool } from '../../src/modules/index.js';
import type { LMFixture } from '../fixtures/index.js';

/**
 * A one-tool ReActV2 agent (`question -> answer`) whose tool answers `<arg>: <reply>`, for the
 * streaming tests of native tool calls (runtime.stream, the HTTP SSE endpoint).
 */
export function oneToolAgent(name: string, arg: string, reply: string): ReActV2 {
  return new ReActV2('question -> answer', [
    new Tool({
      name,
      description: `Calls ${name}.`,
      args: { [arg]: { type: 'string' } },
      func: (args) => `${String(args[arg])}: ${reply}`,
    }),
  ]);
}

/** Scripts the agent's turns: one streamed native tool call per LM request, then `submit`. */
export function scriptToolTurns(
  fixture: LMFixture,
  call: { id: string; name: string; arguments: Record<string, unknown> },
  answer: string,
): void {
  fixture.enqueue({ kind: 'tool_calls', calls: [call] });
  fixture.enqueue({
    kind: 'tool_calls',
    calls: [{ id: 'call_s', name: 'submit', arguments: { answer } }],
  });
}
