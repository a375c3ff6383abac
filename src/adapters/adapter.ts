import { randomUUID } from 'node:crypto';
import { currentContext, emitCallback } from '../context/index.js';
import type { ChatMessage, LM, LMChoice, LMMessage, LMRequest, LMResponse } from '../lm/types.js';
import { fieldDefault, type Signature } from '../signatures/index.js';
import { expandCustomTypes } from './custom-type-parts.js';
import { AdapterParseError } from './errors.js';
import { withImageInputs } from './image.js';
import { isHistory } from './history.js';
import { fillNativeOutputs, planNativeFeatures, type NativePlan } from './native-features.js';
import { toolCallsInMessage, toolCallTurn } from './tool-history.js';
import { dedentAndIndent } from './task-description.js';

/** Arguments of {@link Adapter.call}. */
export interface AdapterCallArgs {
  signature: Signature;
  demos: readonly Record<string, unknown>[];
  inputs: Record<string, unknown>;
  /** Extra request fields (temperature, n, rolloutId, …) merged into the LM request. */
  request?: Partial<LMRequest>;
}

/** What {@link Adapter.call} returns: one parsed output record per choice, and the raw response. */
export interface AdapterCallResult {
  outputs: Record<string, unknown>[];
  response: LMResponse;
}

/**
 * Turns (signature, demos, inputs) into chat messages and completions back into outputs.
 * Implementations: {@link ChatAdapter} (default), {@link JSONAdapter}, {@link XMLAdapter}.
 */
export interface Adapter {
  readonly name: string;
  format(
    sig: Signature,
    demos: readonly Record<string, unknown>[],
    inputs: Record<string, unknown>,
  ): ChatMessage[];
  /** Parses one completion; throws {@link AdapterParseError}. */
  parse(sig: Signature, text: string): Record<string, unknown>;
  /**
   * format → lm.complete → parse every choice. ChatAdapter falls back to JSONAdapter on
   * AdapterParseError only (never on LM errors), as DSPy does. Emits the adapter format/parse
   * callbacks via emitCallback.
   */
  call(lm: LM, args: AdapterCallArgs): Promise<AdapterCallResult>;
}

const INCOMPLETE_DEMO_PREFIX =
  'This is an example of the task, though some input or output fields are not supplied.';
/** The trailing space is DSPy's; it survives when the missing field is not the last one. */
const MISSING_IN_INCOMPLETE_DEMO = 'Not supplied for this particular example. ';
const MISSING_IN_COMPLETE_DEMO = 'Not supplied for this conversation history message. ';

function present(record: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(record, key) && record[key] !== undefined;
}

function newCallId(): string {
  return randomUUID().replaceAll('-', '');
}

/**
 * The adapter pipeline shared by every adapter (DSPy's `Adapter` base): the system message
 * (field descriptions, structure, objective), demos (incomplete ones first), conversation
 * history, the main user message; and per-choice parsing with optional-output defaults.
 */
export abstract class BaseAdapter implements Adapter {
  abstract readonly name: string;
  /**
   * Whether request `tools`/`toolChoice` reach the LM. DSPy strips them unless native function
   * calling is on (ChatAdapter: off by default; JSONAdapter: on).
   */
  readonly useNativeFunctionCalling: boolean;

  constructor(options: { useNativeFunctionCalling?: boolean } = {}) {
    this.useNativeFunctionCalling = options.useNativeFunctionCalling ?? false;
  }

  /** Field descriptions part of the system message. */
  protected abstract formatFieldDescription(sig: Signature): string;
  /** Structure part of the system message. */
  protected abstract formatFieldStructure(sig: Signature): string;
  /** A user message holding the given inputs; `mainRequest` adds the output reminder. */
  protected abstract formatUserMessageContent(
    sig: Signature,
    inputs: Record<string, unknown>,
    options?: { prefix?: string; mainRequest?: boolean },
  ): string;
  /** An assistant message holding the given outputs; absent ones become `missing` (else `None`). */
  protected abstract formatAssistantMessageContent(
    sig: Signature,
    outputs: Record<string, unknown>,
    missing?: string,
  ): string;
  /** Parses one completion text (no callbacks). */
  protected abstract parseCompletion(sig: Signature, text: string): Record<string, unknown>;

  /** `In adhering to this structure, your objective is: ` and the instruction lines, indented. */
  protected formatTaskDescription(sig: Signature): string {
    return `In adhering to this structure, your objective is: ${dedentAndIndent(sig.instructions)}`;
  }

  /**
   * System messages already built, per signature. Signatures and their fields are frozen, so the
   * text depends only on the signature object and this adapter: building it once saves the field
   * descriptions, placeholders and dedent work on every call.
   */
  private readonly systemMessages = new WeakMap<Signature, string>();

  /** The system message: description, structure and task, joined by newlines. */
  formatSystemMessage(sig: Signature): string {
    let message = this.systemMessages.get(sig);
    if (message === undefined) {
      message = `${this.formatFieldDescription(sig)}\n${this.formatFieldStructure(sig)}\n${this.formatTaskDescription(sig)}`;
      this.systemMessages.set(sig, message);
    }
    return message;
  }

  /**
   * The text messages of a call. History tool calls render as text here; the messages a call with
   * native function calling sends are {@link BaseAdapter.formatRequestMessages}'.
   */
  format(
    sig: Signature,
    demos: readonly Record<string, unknown>[],
    inputs: Record<string, unknown>,
  ): ChatMessage[] {
    // Text-mode history yields only text messages.
    return this.formatWith(sig, demos, inputs, false) as ChatMessage[];
  }

  /**
   * The messages a call sends: {@link BaseAdapter.format}'s, except that with native function
   * calling the history's tool calls become provider tool-call turns and `tool` results.
   */
  formatRequestMessages(
    sig: Signature,
    demos: readonly Record<string, unknown>[],
    inputs: Record<string, unknown>,
  ): LMMessage[] {
    return this.formatWith(sig, demos, inputs, this.useNativeFunctionCalling);
  }

  private formatWith(
    sig: Signature,
    demos: readonly Record<string, unknown>[],
    inputs: Record<string, unknown>,
    nativeTools: boolean,
  ): LMMessage[] {
    // Without callbacks there is nobody to pair ids for: skip the UUID and the event objects.
    if (currentContext().callbacks.length === 0)
      return this.formatMessages(sig, demos, inputs, nativeTools);
    const callId = newCallId();
    emitCallback('onAdapterFormatStart', callId, this, { signature: sig, demos, inputs });
    try {
      const messages = this.formatMessages(sig, demos, inputs, nativeTools);
      emitCallback('onAdapterFormatEnd', callId, messages, undefined);
      return messages;
    } catch (e) {
      emitCallback('onAdapterFormatEnd', callId, undefined, e);
      throw e;
    }
  }

  parse(sig: Signature, text: string): Record<string, unknown> {
    if (currentContext().callbacks.length === 0) return this.parseCompletion(sig, text);
    const callId = newCallId();
    emitCallback('onAdapterParseStart', callId, this, { signature: sig, completion: text });
    try {
      const outputs = this.parseCompletion(sig, text);
      emitCallback('onAdapterParseEnd', callId, outputs, undefined);
      return outputs;
    } catch (e) {
      emitCallback('onAdapterParseEnd', callId, undefined, e);
      throw e;
    }
  }

  call(lm: LM, args: AdapterCallArgs): Promise<AdapterCallResult> {
    // Not `async`: `callWith` already returns the promise; one wrapper less per prediction.
    return this.callWith(lm, args, args.request ?? {});
  }

  /** One format → complete → parse round with the given request extras. */
  protected callWith(
    lm: LM,
    args: AdapterCallArgs,
    request: Partial<LMRequest>,
  ): Promise<AdapterCallResult> {
    // `.then` instead of an `async` frame (this runs on every prediction); a synchronous throw of
    // planning or formatting still becomes a rejection.
    try {
      const plan = this.planCall(lm, args, request);
      const messages = this.formatRequestMessages(plan.signature, args.demos, args.inputs);
      return Promise.resolve(lm.complete(Object.assign({}, plan.request, { messages }))).then(
        (response) => ({
          outputs: response.choices.map((choice) => this.parseChoice(plan, args.signature, choice)),
          response,
        }),
      );
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * The signature to render and the request to send, after native features (tool calls,
   * reasoning) took their fields out (see {@link planNativeFeatures}).
   */
  protected planCall(lm: LM, args: AdapterCallArgs, request: Partial<LMRequest>): NativePlan {
    return planNativeFeatures(
      this.useNativeFunctionCalling,
      lm,
      args.signature,
      args.inputs,
      request,
    );
  }

  /**
   * Parses one choice against the rendered signature, then fills the natively produced outputs.
   * An empty completion is an {@link AdapterParseError}, as in DSPy, unless it carries the tool
   * calls a `ToolCalls` output waits for (then unparseable text is ignored).
   */
  protected parseChoice(
    plan: NativePlan,
    original: Signature,
    choice: LMChoice,
  ): Record<string, unknown> {
    const text = choice.text as string | null | undefined;
    const hasText = text !== null && text !== undefined && text !== '';
    const nativeCalls = plan.toolCallsField !== undefined && (choice.toolCalls ?? []).length > 0;
    let parsed: Record<string, unknown>;
    if (hasText && !nativeCalls) {
      parsed = this.parse(plan.signature, text);
    } else if (nativeCalls) {
      try {
        parsed =
          hasText && plan.signature.outputFields.length > 0 ? this.parse(plan.signature, text) : {};
      } catch (e) {
        if (!(e instanceof AdapterParseError)) throw e;
        parsed = {};
      }
    } else {
      throw new AdapterParseError({
        adapterName: this.name,
        signature: original,
        lmResponse: text === '' ? '' : 'None',
        message: 'The LM returned an empty or null response.',
      });
    }
    const value = applyOutputDefaults(original, parsed);
    for (const f of original.outputFields) if (!(f.name in value)) value[f.name] = null;
    return fillNativeOutputs(plan, original, choice, value);
  }

  /** DSPy's `Adapter.format`: system, demos, history turns, then the main request. */
  protected formatMessages(
    sig: Signature,
    demos: readonly Record<string, unknown>[],
    inputs: Record<string, unknown>,
    nativeTools = false,
  ): LMMessage[] {
    const current = { ...withImageInputs(sig, inputs) };
    const historyField = sig.inputFields.find((f) => f.type.kind === 'history');
    const messages: LMMessage[] = [{ role: 'system', content: this.formatSystemMessage(sig) }];
    messages.push(
      ...this.formatDemos(
        sig,
        demos.map((d) => withImageInputs(sig, d)),
      ),
    );
    if (historyField) {
      const withoutHistory = sig.delete(historyField.name);
      const turns = this.formatConversationHistory(
        withoutHistory,
        current[historyField.name],
        nativeTools,
      );
      delete current[historyField.name];
      messages.push(...turns);
      const content = this.formatUserMessageContent(withoutHistory, current, { mainRequest: true });
      if (content) messages.push({ role: 'user', content });
    } else {
      const content = this.formatUserMessageContent(sig, current, { mainRequest: true });
      if (content) messages.push({ role: 'user', content });
    }
    // Custom types (Image) were written as marked text; user messages holding them become parts.
    return expandCustomTypes(messages);
  }

  /**
   * Demos as user/assistant pairs: incomplete demos (some field missing, but at least one input
   * and one output present) first, then complete ones; the rest are dropped.
   */
  protected formatDemos(sig: Signature, demos: readonly Record<string, unknown>[]): ChatMessage[] {
    const complete: Record<string, unknown>[] = [];
    const incomplete: Record<string, unknown>[] = [];
    for (const demo of demos) {
      const isComplete = sig.fields.every((f) => present(demo, f.name) && demo[f.name] !== null);
      const hasInput = sig.inputFields.some((f) => present(demo, f.name));
      const hasOutput = sig.outputFields.some((f) => present(demo, f.name));
      if (isComplete) complete.push(demo);
      else if (hasInput && hasOutput) incomplete.push(demo);
    }
    const messages: ChatMessage[] = [];
    for (const demo of incomplete) {
      messages.push({
        role: 'user',
        content: this.formatUserMessageContent(sig, demo, { prefix: INCOMPLETE_DEMO_PREFIX }),
      });
      messages.push({
        role: 'assistant',
        content: this.formatAssistantMessageContent(sig, demo, MISSING_IN_INCOMPLETE_DEMO),
      });
    }
    for (const demo of complete) {
      messages.push({ role: 'user', content: this.formatUserMessageContent(sig, demo) });
      messages.push({
        role: 'assistant',
        content: this.formatAssistantMessageContent(sig, demo, MISSING_IN_COMPLETE_DEMO),
      });
    }
    return messages;
  }

  /**
   * Each history message as a user turn (its inputs) and an assistant turn (its outputs). A message
   * holding `ToolCalls` with results becomes, with native function calling, an assistant turn that
   * calls the tools plus one `tool` message per result; otherwise the calls stay in the assistant
   * text and the results follow as a user turn (DSPy's `format_conversation_history`).
   */
  protected formatConversationHistory(
    sig: Signature,
    value: unknown,
    nativeTools = false,
  ): LMMessage[] {
    if (!isHistory(value)) return [];
    const messages: LMMessage[] = [];
    for (const message of value.messages) {
      const user = this.formatUserMessageContent(sig, message);
      if (user) messages.push({ role: 'user', content: user });
      const found = toolCallsInMessage(message);
      if (found === undefined) {
        const assistant = this.formatAssistantMessageContent(sig, message);
        if (assistant) messages.push({ role: 'assistant', content: assistant });
        continue;
      }
      messages.push(
        ...toolCallTurn(sig, message, found, nativeTools, {
          assistant: (s, values) => this.formatAssistantMessageContent(s, values),
          user: (s, values) => this.formatUserMessageContent(s, values),
        }),
      );
    }
    return messages;
  }
}

/** Present-or-missing lookup shared by the assistant-message formatters. */
export function outputOrMissing(
  outputs: Record<string, unknown>,
  name: string,
  missing: string | undefined,
): unknown {
  return present(outputs, name) ? outputs[name] : (missing ?? null);
}

/**
 * DSPy's `apply_output_field_defaults`: keeps parsed outputs in signature order and fills missing
 * optional ones with their default (or null).
 */
export function applyOutputDefaults(
  sig: Signature,
  parsed: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of sig.outputFields) {
    if (f.name in parsed) out[f.name] = parsed[f.name];
    else if (f.optional) out[f.name] = fieldDefault(f);
  }
  return out;
}

/** Whether the parsed keys are exactly the signature's output names. */
export function hasExactlyOutputs(sig: Signature, parsed: Record<string, unknown>): boolean {
  const keys = Object.keys(parsed);
  return keys.length === sig.outputFields.length && sig.outputFields.every((f) => f.name in parsed);
}
