import { currentContext } from '../../context/index.js';
import { isDspexError } from '../../errors/index.js';
import type { LM, LMRequest, LMResponse, LMStreamChunk } from '../../lm/types.js';
import type { Predictor } from '../parameter.js';

/** A text token streamed by one predictor's LM call, as a stream session receives it. */
export interface PredictorToken {
  readonly predictor: Predictor;
  readonly text: string;
  /** Adapter in effect for that call (decides the section markers). */
  readonly adapterName: string;
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

/**
 * An LM whose `complete()` runs the wrapped LM's `stream()`, forwarding the text of the first
 * choice to `onText` and returning the final response, so adapters (which only call `complete`)
 * work unchanged while the user sees tokens as they arrive.
 * @internal
 */
export function streamingLm(inner: LM, onText: (text: string) => void): LM {
  const capabilities = inner as { supportsStructuredOutputs?: boolean };
  return {
    // The JSONAdapter reads this optional capability; keep it visible through the wrapper.
    ...(capabilities.supportsStructuredOutputs === undefined
      ? {}
      : { supportsStructuredOutputs: capabilities.supportsStructuredOutputs }),
    provider: inner.provider,
    model: inner.model,
    params: inner.params,
    async complete(request: LMRequest): Promise<LMResponse> {
      let final: LMResponse | undefined;
      let text = '';
      let received = false;
      try {
        for await (const chunk of inner.stream(request)) {
          received = true;
          if (chunk.type === 'text' && chunk.index === 0) {
            text += chunk.text;
            onText(chunk.text);
          } else if (chunk.type === 'done') {
            final = chunk.response;
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
    copy: (overrides) => streamingLm(inner.copy(overrides), onText),
    dumpState: () => inner.dumpState(),
  };
}
