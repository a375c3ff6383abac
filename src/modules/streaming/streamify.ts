import { currentContext, runWithContext } from '../../context/index.js';
import type { LMStreamChunk, ToolCall } from '../../lm/types.js';
import { ModuleError } from '../errors.js';
import type { ExampleLike } from '../example.js';
import type { CallOptions, Module } from '../module.js';
import type { Predictor } from '../parameter.js';
import { Prediction } from '../prediction.js';
import type { StreamListener } from './stream-listener.js';
import { type StreamResponse } from './stream-listener.js';
import {
  defaultStatusMessages,
  statusCallback,
  type StatusMessage,
  type StatusMessageProvider,
} from './status-messages.js';
import { streamSessionValues, type PredictorToken, type StreamSession } from './stream-session.js';

/** Options of {@link streamify}. */
export interface StreamifyOptions {
  /** Fields to stream; without listeners every LM token of every predictor is passed through. */
  listeners?: readonly StreamListener[];
  /**
   * Yield the final Prediction at the end (default true). When false it is still yielded if
   * nothing was streamed (e.g. a cache hit), so the caller always gets the result.
   */
  includeFinalPrediction?: boolean;
  /**
   * Progress messages interleaved with the chunks (DSPy's status message provider). Default:
   * announce tool calls; `false`: none.
   */
  statusMessages?: StatusMessageProvider | false;
}

/** A raw LM token, yielded when no listener is configured. */
export interface RawTokenChunk {
  readonly type: 'token';
  /** Name of the predictor in the program, when known. */
  readonly predictName: string | undefined;
  readonly text: string;
}

/**
 * A native tool call the LM made while streaming (native function calling, e.g. ReActV2 or a
 * `ToolCalls` output with `useNativeFunctionCalling`), yielded once its arguments are complete —
 * before the predictor finishes. Yielded for every streamed predictor: all of them without
 * listeners, the listened ones with listeners.
 */
export interface ToolCallEvent {
  readonly type: 'tool_call';
  /** Name of the predictor in the program, when known. */
  readonly predictName: string | undefined;
  /** The call: provider id, tool name and the complete arguments JSON text. */
  readonly toolCall: ToolCall;
}

/**
 * What a streamed run yields: field chunks (or raw tokens), tool calls, status messages, then the
 * final {@link Prediction}.
 */
export type StreamEvent =
  StreamResponse | RawTokenChunk | ToolCallEvent | StatusMessage | Prediction;

/** A streamed program: call it with the inputs, iterate the events. */
export type StreamedProgram = (
  inputs: ExampleLike,
  options?: CallOptions,
) => AsyncGenerator<StreamEvent, void, undefined>;

/**
 * Wraps a program so each run streams (DSPy's `dspy.streamify`): the returned function runs the
 * program and yields, as they arrive, the pieces of the listened output fields
 * ({@link StreamResponse}), then the final {@link Prediction}. Predictors that no listener targets
 * call their LM normally. Every run has its own listeners' state and its own session in the
 * invocation context, so concurrent streamed runs never mix tokens.
 *
 * @example
 * ```ts
 * const run = streamify(qa, { listeners: [new StreamListener('answer')] });
 * for await (const ev of run({ question: 'Why?' })) {
 *   if (ev instanceof Prediction) console.log('\n', ev.answer);
 *   else if (ev.type === 'field_chunk') process.stdout.write(ev.chunk);
 * }
 * ```
 */
export function streamify(program: Module, options: StreamifyOptions = {}): StreamedProgram {
  const templates = resolveListeners(program, options.listeners ?? []);
  const includeFinal = options.includeFinalPrediction ?? true;
  const names = new Map<Predictor, string>(program.namedPredictors().map(([n, p]) => [p, n]));

  return async function* run(inputs, callOptions) {
    const listeners = templates.map((l) => l.fresh());
    const queue: (
      PredictorToken | StatusMessage | ToolCallEvent | { done: Prediction } | { error: unknown }
    )[] = [];
    let wake: (() => void) | undefined;
    const enqueue = (item: (typeof queue)[number]): void => {
      queue.push(item);
      wake?.();
    };
    const session: StreamSession = {
      wants: (p) => listeners.length === 0 || listeners.some((l) => l.predict === p),
      push: (token) => enqueue(token),
      pushToolCall: ({ predictor, toolCall }) =>
        enqueue({ type: 'tool_call', predictName: names.get(predictor), toolCall }),
    };
    const provider = options.statusMessages ?? defaultStatusMessages;
    const callbacks =
      provider === false
        ? currentContext().callbacks
        : [...currentContext().callbacks, statusCallback(provider, enqueue)];
    runWithContext({ callbacks, values: streamSessionValues(session) }, () =>
      program.call(inputs, callOptions),
    ).then(
      (done) => enqueue({ done }),
      (error: unknown) => enqueue({ error }),
    );

    for (;;) {
      if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      const item = queue.shift();
      if (item === undefined) continue;
      if ('error' in item) throw item.error;
      if ('type' in item) {
        yield item;
        continue;
      }
      if ('done' in item) {
        for (const l of listeners) {
          const last = l.finalize();
          if (last) yield last;
        }
        const nothingStreamed =
          listeners.length === 0 ||
          listeners.some((l) => l.cacheHit) ||
          !listeners.some((l) => l.streamStart);
        if (includeFinal || nothingStreamed) yield item.done;
        return;
      }
      if (listeners.length === 0) {
        const raw: RawTokenChunk = {
          type: 'token',
          predictName: names.get(item.predictor),
          text: item.text,
        };
        yield raw;
        continue;
      }
      for (const l of listeners) {
        if (l.predict !== item.predictor) continue;
        const out = l.receive(item.text, item.adapterName);
        if (out) yield out;
      }
    }
  };
}

/** Assigns each listener without a predictor the unique predictor that outputs its field. */
function resolveListeners(program: Module, listeners: readonly StreamListener[]): StreamListener[] {
  const named = program.namedPredictors();
  return listeners.map((listener) => {
    if (listener.predict !== undefined) {
      if (listener.predictName === undefined) {
        listener.predictName = named.find(([, p]) => p === listener.predict)?.[0];
      }
      return listener;
    }
    const owners = named.filter(([, p]) =>
      p.signature.outputFields.some((f) => f.name === listener.signatureFieldName),
    );
    if (owners.length === 0) {
      throw new ModuleError(
        'invalid_argument',
        `Signature field ${listener.signatureFieldName} is not a field of any predictor in the program, cannot automatically determine which predictor to use for streaming. Please verify your field name or specify the predictor to listen to.`,
        { details: { field: listener.signatureFieldName } },
      );
    }
    if (owners.length > 1) {
      throw new ModuleError(
        'invalid_argument',
        `Signature field ${listener.signatureFieldName} is not unique in the program, cannot automatically determine which predictor to use for streaming. Please specify the predictor to listen to.`,
        { details: { field: listener.signatureFieldName, predictors: owners.map(([n]) => n) } },
      );
    }
    const [name, predictor] = owners[0] as [string, Predictor];
    listener.predictName = name;
    listener.predict = predictor;
    return listener;
  });
}

/**
 * Turns a streamed run into Server-Sent Events lines (DSPy's `streaming_response`): predictions as
 * `data: {"prediction":{…}}`, chunks as `data: {"chunk":{…}}`, then `data: [DONE]`.
 */
export async function* streamingResponse(
  events: AsyncIterable<StreamEvent | LMStreamChunk>,
): AsyncGenerator<string, void, undefined> {
  for await (const ev of events) {
    if (ev instanceof Prediction)
      yield `data: ${JSON.stringify({ prediction: Object.fromEntries(ev.items()) })}\n\n`;
    else yield `data: ${JSON.stringify({ chunk: ev })}\n\n`;
  }
  yield 'data: [DONE]\n\n';
}
