import type { JsonSchema, ToolCall as WireToolCall, ToolDefinition } from '../lm/types.js';
import { isRecord, jsonRepairLoads, pyJsonDumps, toJsonable } from '../signatures/index.js';

/** One call the LM asked for (DSPy's `ToolCalls.ToolCall`): `id` is the provider's call id. */
export interface ParsedToolCall {
  readonly id?: string;
  readonly name: string;
  readonly args: Record<string, unknown>;
}

/** The result of running one {@link ParsedToolCall} (DSPy's `ToolCallResults.ToolCallResult`). */
export interface ToolCallResult {
  readonly callId?: string;
  readonly name: string;
  readonly value: unknown;
  readonly isError: boolean;
}

/**
 * What an adapter needs from a tool given as an input (a `Tool` from the modules layer, or any
 * object of this shape): its name, description and per-argument JSON schemas.
 */
export interface ToolLike {
  readonly name: string;
  readonly desc?: string;
  readonly args: Readonly<Record<string, JsonSchema>>;
}

const DESCRIPTION =
  'Tool calls must be a JSON object with `tool_calls`, a list of calls. ' +
  'Each call must include `name` and `args`. ' +
  'Example: {"tool_calls": [{"name": "search", "args": {"query": "cats"}}]}';

function isToolCallDict(v: Record<string, unknown>): boolean {
  return ('name' in v && ('args' in v || 'arguments' in v)) || 'function' in v;
}

/** DSPy's `_normalize_tool_call_dict`: DSPy-, OpenAI- or Responses-shaped call → {@link ParsedToolCall}. */
function normalizeCall(data: unknown): ParsedToolCall {
  if (!isRecord(data)) {
    throw new TypeError(`Received invalid tool call value for \`dspy.ToolCalls\`: ${String(data)}`);
  }
  let rawArgs: unknown;
  let name: unknown;
  if ('function' in data) {
    const fn = data['function'];
    if (!isRecord(fn)) throw new TypeError('Received invalid function value for `dspy.ToolCalls`.');
    rawArgs = fn['arguments'] ?? {};
    name = fn['name'] ?? data['name'];
  } else {
    rawArgs = data['args'] ?? data['arguments'] ?? {};
    name = data['name'];
  }
  if (typeof name !== 'string' || name === '') {
    throw new TypeError('A tool call needs a string `name`.');
  }
  const parsed = typeof rawArgs === 'string' ? jsonRepairLoads(rawArgs) : rawArgs;
  const args = isRecord(parsed) ? parsed : {};
  const id = data['id'] ?? data['call_id'];
  return typeof id === 'string' && id !== '' ? { id, name, args } : { name, args };
}

/**
 * DSPy's `dspy.ToolCalls`: the calls an LM asked for, as an output field type. With native
 * function calling the adapter fills it from the provider's tool calls (OpenAI `tool_calls`,
 * Anthropic `tool_use`); otherwise the LM writes `{"tool_calls": [{"name", "args"}]}` as text.
 * Serialises (`toJSON`) in DSPy's shape; call ids stay out of it, as in DSPy.
 *
 * @example
 * ```ts
 * const calls = ToolCalls.fromDictList([{ name: 'search', args: { query: 'cats' } }]);
 * for (const c of calls.toolCalls) console.log(c.name, c.args);
 * ```
 */
export class ToolCalls {
  readonly toolCalls: readonly ParsedToolCall[];
  /** Results of running the calls, when an agent attached them (ReActV2 history). */
  readonly toolCallResults: readonly ToolCallResult[] | undefined;

  constructor(toolCalls: readonly ParsedToolCall[], toolCallResults?: readonly ToolCallResult[]) {
    this.toolCalls = toolCalls;
    this.toolCallResults = toolCallResults;
  }

  /** DSPy's `ToolCalls.from_dict_list`. */
  static fromDictList(dicts: readonly Record<string, unknown>[]): ToolCalls {
    return new ToolCalls(dicts.map(normalizeCall));
  }

  /** Calls the provider returned natively (arguments are JSON text, repaired when malformed). */
  static fromWire(calls: readonly WireToolCall[]): ToolCalls {
    return new ToolCalls(calls.map((c) => normalizeCall(c)));
  }

  /**
   * DSPy's `ToolCalls.model_validate`: a ToolCalls, `{ tool_calls: [...] }` (with optional
   * `tool_call_results`), a list of call dicts, or one call dict. Anything else is a TypeError.
   */
  static from(data: unknown): ToolCalls {
    if (data instanceof ToolCalls) return data;
    if (Array.isArray(data) && data.every((d) => isRecord(d) && isToolCallDict(d))) {
      return new ToolCalls(data.map(normalizeCall));
    }
    if (isRecord(data)) {
      if (Array.isArray(data['tool_calls'])) {
        const rawResults = data['tool_call_results'];
        const results = rawResults === undefined || rawResults === null ? undefined : rawResults;
        return new ToolCalls(
          data['tool_calls'].map(normalizeCall),
          results === undefined ? undefined : toolCallResultsFrom(results),
        );
      }
      if (isToolCallDict(data)) return new ToolCalls([normalizeCall(data)]);
    }
    throw new TypeError(
      `Received invalid value for \`dspy.ToolCalls\`: ${pyJsonDumps(toJsonable(data))}`,
    );
  }

  /** The type description DSPy adds to field descriptions. */
  static description(): string {
    return DESCRIPTION;
  }

  /** A copy with results attached (ids must line up with the calls'). */
  withResults(results: readonly ToolCallResult[] | undefined): ToolCalls {
    return new ToolCalls(this.toolCalls, results);
  }

  /** DSPy's `format()`: `{ tool_calls: [{ name, args }] }`. */
  format(): { tool_calls: { name: string; args: Record<string, unknown> }[] } {
    return { tool_calls: this.toolCalls.map((c) => ({ name: c.name, args: c.args })) };
  }

  /** DSPy's serializer: `format()` plus `tool_call_results` when attached. */
  toJSON(): Record<string, unknown> {
    const data: Record<string, unknown> = this.format();
    if (this.toolCallResults !== undefined) {
      data['tool_call_results'] = this.toolCallResults.map((r) => ({
        call_id: r.callId ?? null,
        name: r.name,
        value: toJsonable(r.value),
        is_error: r.isError,
      }));
    }
    return data;
  }
}

/** DSPy's `ToolCallResults.model_validate` for a list or `{ tool_call_results: [...] }`. */
function toolCallResultsFrom(data: unknown): ToolCallResult[] {
  const list = isRecord(data) ? data['tool_call_results'] : data;
  if (!Array.isArray(list)) throw new TypeError('Received invalid value for tool call results.');
  return list.map((r): ToolCallResult => {
    if (!isRecord(r) || typeof r['name'] !== 'string') {
      throw new TypeError('A tool call result needs a string `name`.');
    }
    const id = r['callId'] ?? r['call_id'];
    return {
      ...(typeof id === 'string' ? { callId: id } : {}),
      name: r['name'],
      value: r['value'],
      isError: r['isError'] === true || r['is_error'] === true,
    };
  });
}

/**
 * DSPy's `Tool.format_as_litellm_function_call`, provider-neutral: the arguments become an object
 * schema whose required list is every argument without a `default`.
 */
export function toolDefinition(tool: ToolLike): ToolDefinition {
  const required = Object.entries(tool.args)
    .filter(([, schema]) => !('default' in schema))
    .map(([name]) => name);
  return {
    name: tool.name,
    description: tool.desc ?? '',
    parameters: { type: 'object', properties: { ...tool.args }, required },
  };
}

/** DSPy's `_tool_result_content`: strings as they are, everything else compact JSON. */
export function toolResultContent(value: unknown): string {
  return typeof value === 'string' ? value : pyJsonDumps(value);
}
