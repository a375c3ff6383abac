import type { LM, LMChoice, LMRequest } from '../lm/types.js';
import { SignatureError, type FieldType, type Signature } from '../signatures/index.js';
import { ToolCalls, toolDefinition, type ToolLike } from './tool-calls.js';

/**
 * What an adapter decided before formatting (DSPy's `_call_preprocess`): the signature it renders
 * (without the fields native features fill) and the request (with `tools` / `reasoningEffort`).
 */
export interface NativePlan {
  readonly signature: Signature;
  readonly request: Partial<LMRequest>;
  /** The `ToolCalls` output filled from the provider's tool calls, when native calling is on. */
  readonly toolCallsField: string | undefined;
  /** `Reasoning` outputs filled from the provider's reasoning content. */
  readonly reasoningFields: readonly string[];
}

/** Optional LM capability flags (an LM without them supports tools and lacks native reasoning). */
interface Capabilities {
  readonly supportsFunctionCalling?: unknown;
  readonly supportsReasoning?: unknown;
}

/** Whether a type is `Tool` or `list[Tool]` (DSPy's tool-input detection). */
function isToolsType(t: FieldType): boolean {
  return t.native === 'tool' || (t.kind === 'list' && t.item?.native === 'tool');
}

/** The input field holding the tools (`list[Tool]` or `Tool`), if any. */
export function toolsInputField(sig: Signature): string | undefined {
  return sig.inputFields.find((f) => isToolsType(f.type))?.name;
}

/** The output field of type `ToolCalls`, if any. */
export function toolCallsOutputField(sig: Signature): string | undefined {
  return sig.outputFields.find((f) => f.type.native === 'toolCalls')?.name;
}

function asToolList(value: unknown, field: string): ToolLike[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((t: unknown) => {
    const tool = t as Partial<ToolLike> | null;
    if (tool === null || typeof tool !== 'object' || typeof tool.name !== 'string') {
      throw new SignatureError(`Input \`${field}\` must hold Tool objects (with a name and args).`);
    }
    return { name: tool.name, desc: tool.desc ?? '', args: tool.args ?? {} };
  });
}

/**
 * DSPy's `Adapter._call_preprocess`. Without native function calling, request `tools` and
 * `toolChoice` are dropped. With it, a `ToolCalls` output and its `list[Tool]` input leave the
 * rendered signature and the tools go to the provider as function definitions (a `ToolCalls`
 * output without a tools input is an error). A `Reasoning` output leaves the signature when the
 * LM has native reasoning and the effort (request, else LM default, else `low`) is not `null`.
 */
export function planNativeFeatures(
  useNativeFunctionCalling: boolean,
  lm: LM,
  sig: Signature,
  inputs: Record<string, unknown>,
  request: Partial<LMRequest>,
): NativePlan {
  const extras: Partial<LMRequest> = { ...request };
  let signature = sig;
  let toolCallsField: string | undefined;
  const caps = lm as LM & Capabilities;
  if (!useNativeFunctionCalling) {
    // Only when present: `delete` turns the request into a slow dictionary-mode object, which every
    // later spread of it (the LM request, its history entry) would pay for.
    if ('tools' in extras) delete extras.tools;
    if ('toolChoice' in extras) delete extras.toolChoice;
  } else {
    const input = toolsInputField(sig);
    const output = toolCallsOutputField(sig);
    if (output !== undefined && input === undefined) {
      throw new SignatureError(
        `You provided an output field ${output} to receive the tool calls information, but did not provide any tools as the input. Please provide a list of tools as the input by adding an input field with type \`list[Tool]\`.`,
      );
    }
    if (output !== undefined && input !== undefined && caps.supportsFunctionCalling !== false) {
      extras.tools = asToolList(inputs[input], input).map(toolDefinition);
      signature = signature.delete(output).delete(input);
      toolCallsField = output;
    }
  }
  const reasoningFields: string[] = [];
  for (const f of sig.outputFields) {
    if (f.type.native !== 'reasoning') continue;
    // The request's effort wins over the LM's default; neither set means `low` (DSPy).
    const effort =
      'reasoningEffort' in extras
        ? extras.reasoningEffort
        : lm.params.reasoningEffort === undefined
          ? 'low'
          : lm.params.reasoningEffort;
    if (effort === null || effort === undefined || caps.supportsReasoning !== true) continue;
    extras.reasoningEffort = effort;
    signature = signature.delete(f.name);
    reasoningFields.push(f.name);
  }
  return { signature, request: extras, toolCallsField, reasoningFields };
}

/**
 * Fills the natively produced outputs of one choice (DSPy's `_call_postprocess`): the tool calls
 * into the `ToolCalls` field and the provider's reasoning into `Reasoning` fields. A `ToolCalls`
 * value the LM wrote as text becomes a {@link ToolCalls} too.
 */
export function fillNativeOutputs(
  plan: NativePlan,
  original: Signature,
  choice: LMChoice,
  value: Record<string, unknown>,
): Record<string, unknown> {
  const calls = choice.toolCalls ?? [];
  if (plan.toolCallsField !== undefined && calls.length > 0) {
    value[plan.toolCallsField] = ToolCalls.fromWire(calls);
  }
  for (const name of plan.reasoningFields) {
    if (choice.reasoning !== undefined) value[name] = choice.reasoning;
  }
  for (const f of original.outputFields) {
    const v = value[f.name];
    if (f.type.native === 'toolCalls' && v !== null && v !== undefined && !(v instanceof ToolCalls))
      value[f.name] = ToolCalls.from(v);
  }
  return value;
}
