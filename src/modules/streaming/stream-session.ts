import { currentContext } from '../../context/index.js';
import { isDspexError } from '../../errors/index.js';
import { ToolCallAssembler } from '../../lm/tool-call-assembler.js';
import type { LM, LMRequest, LMResponse, LMStreamChunk, ToolCall } from '../../lm/types.js';
import type { Predictor } from '../parameter.js';

/** A text token streamed by one predictor's LM call, as a stream session receives it. */
export interface PredictorToken {
  readonly predictor: Predictor;
  readonly text: string;
  /** Adapter in effect for that call (decides the section markers). */
  readonly adapterName: string;
}

/** A complete tool call streamed by one predictor's LM call (native function calling). */
export interface PredictorToolCall {
  readonly predictor: Predictor;
  readonly toolCall: ToolCall;
}

/**
 * The link between a running `streamify()` and the predictors of its program: Predict asks it
 * whether to stream and pushes tokens into it. Lives in the invocation context, so only the
 * streamed run (and nothing running concurrently) sees it.
 * @internal
 */
export interface StreamSession {
  /** Whether this predictor's LM calls should stream (all of them when no listener is given). */
  wants(predictor: Predictor): boolean;
  push(token: PredictorToken): void;
  /** Receives each tool call of the first choice once its arguments are complete. */
  pushToolCall?(call: PredictorToolCall): void;
}

const SESSION_KEY = 'dspex.modules.streamSession';

/** @internal The session of the current async scope, if the run is streamed. */
export function currentStreamSession(): StreamSession | undefined {
  return currentContext().values[SESSION_KEY] as StreamSession | undefined;
}

/** @internal Context values that install `session`. */
export function streamSessionValues(session: StreamSession): Record<string, unknown> {
  return { [SESSION_KEY]: session };
}

/** Optional capability flags adapters read from an LM; the wrapper keeps them visible. */
const CAPABILITIES = [
  'supportsStructuredOutputs',
  'supportsFunctionCalling',
  'supportsReasoning',
] as const;

/**
 * An LM whose `complete()` runs the wrapped LM's `stream()`, forwarding the text of the first
 * choice to `onText` and each of its tool calls, once complete, to `onToolCall`, and returning the
 * final response, so adapters (which only call `complete`) work unchanged while the user sees
 * tokens and tool calls as they arrive.
 * @internal
 */
export function streamingLm(
  inner: LM,
  onText: (text: string) => void,
  onToolCall: (call: ToolCall) => void = () => {},
): LM {
  const capabilities: Record<string, unknown> = {};
  for (const name of CAPABILITIES) {
    const value = (inner as unknown as Record<string, unknown>)[name];
    if (value !== undefined) capabilities[name] = value;
  }
  return {
    ...capabilities,
    provider: inner.provider,
    model: inner.model,
    params: inner.params,
    async complete(request: LMRequest): Promise<LMResponse> {
      let final: LMResponse | undefined;
      let text = '';
      let received = false;
      const calls = new ToolCallAssembler();
      let reported = 0;
      const report = (done: ReturnType<ToolCallAssembler['add']>) => {
        for (const c of done) {
          if (c.index !== 0) continue;
          reported++;
          onToolCall(c.call);
        }
      };
      try {
        for await (const chunk of inner.stream(request)) {
          received = true;
          if (chunk.type === 'text' && chunk.index === 0) {
            text += chunk.text;
            onText(chunk.text);
          } else if (chunk.type === 'tool_call') {
            report(calls.add(chunk));
          } else if (chunk.type === 'done') {
            report(calls.finish());
            final = chunk.response;
            // A cache hit streams no pieces: its tool calls come whole with the response.
            if (reported === 0) for (const c of final.choices[0]?.toolCalls ?? []) onToolCall(c);
          }
        }
      } catch (error) {
        // An LM that cannot stream says so with `bad_request` before any chunk: answer unstreamed.
        if (!received && isDspexError(error, 'bad_request')) return inner.complete(request);
        throw error;
      }
      return (
        final ?? {
          choices: [{ text, finishReason: 'stop' }],
          usage: null,
          model: inner.model,
          cached: false,
          latencyMs: 0,
        }
      );
    },
    stream: (request: LMRequest): AsyncIterable<LMStreamChunk> => inner.stream(request),
    copy: (overrides) => streamingLm(inner.copy(overrides), onText, onToolCall),
    dumpState: () => inner.dumpState(),
  };
}
