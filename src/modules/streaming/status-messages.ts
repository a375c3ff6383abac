import type { Callback } from '../../context/index.js';

/** A progress message of a streamed run (DSPy's `StatusMessage`). */
export interface StatusMessage {
  readonly type: 'status';
  readonly message: string;
}

/**
 * Chooses the status messages of a streamed run (DSPy's `StatusMessageProvider`). Each method
 * returns the message for an event, or nothing to stay silent. The default announces tool calls.
 *
 * @example
 * ```ts
 * streamify(agent, { statusMessages: { toolStart: (tool) => `Searching with ${tool.name}…` } });
 * ```
 */
export interface StatusMessageProvider {
  toolStart?(tool: { name: string }, inputs: Record<string, unknown>): string | undefined;
  toolEnd?(outputs: unknown): string | undefined;
  moduleStart?(module: unknown, inputs: Record<string, unknown>): string | undefined;
  moduleEnd?(outputs: unknown): string | undefined;
  lmStart?(lm: unknown, inputs: Record<string, unknown>): string | undefined;
  lmEnd?(outputs: unknown): string | undefined;
}

/** DSPy's default messages: only tool calls (never for ReAct's `finish`). */
export const defaultStatusMessages: StatusMessageProvider = {
  toolStart: (tool) => `Calling tool ${tool.name}...`,
  toolEnd: () => 'Tool calling finished! Querying the LLM with tool calling results...',
};

/** @internal A callback turning events into status messages for one streamed run. */
export function statusCallback(
  provider: StatusMessageProvider,
  send: (message: StatusMessage) => void,
): Callback {
  const emit = (message: string | undefined): void => {
    if (message) send({ type: 'status', message });
  };
  return {
    onToolStart: (_id, instance, inputs) => {
      const tool = instance as { name: string };
      if (tool.name !== 'finish') emit(provider.toolStart?.(tool, inputs));
    },
    onToolEnd: (_id, outputs) => {
      if (outputs !== 'Completed.') emit(provider.toolEnd?.(outputs));
    },
    onModuleStart: (_id, instance, inputs) => emit(provider.moduleStart?.(instance, inputs)),
    onModuleEnd: (_id, outputs) => emit(provider.moduleEnd?.(outputs)),
    onLmStart: (_id, instance, inputs) => emit(provider.lmStart?.(instance, inputs)),
    onLmEnd: (_id, outputs) => emit(provider.lmEnd?.(outputs)),
  };
}
