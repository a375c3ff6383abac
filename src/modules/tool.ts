import { nanoid } from 'nanoid';
import { emitCallback } from '../context/index.js';
import type { JsonSchema } from '../lm/types.js';
import { pyRepr } from '../signatures/index.js';
import { ModuleError } from './errors.js';
import { isPlainObject } from './example.js';

/** A tool's implementation: receives the arguments object the LM chose. */
export type ToolFunction = (args: Record<string, unknown>) => unknown;

/** A tool described as data (DSPy's `dspy.Tool(func, name, desc, args)`). */
export interface ToolSpec {
  /** Name the LM calls it by; default the function's name. */
  name?: string;
  /** What the tool does, shown to the LM. */
  description?: string;
  /** JSON schema of each argument, by name (`{ city: { type: 'string' } }`). */
  args?: Record<string, JsonSchema>;
  func: ToolFunction;
}

/**
 * A function the LM may call (DSPy's `dspy.Tool`). JavaScript functions carry no parameter types,
 * so arguments are declared as JSON schemas (`args`); without them any arguments object is
 * accepted. Calls emit `onToolStart`/`onToolEnd`.
 *
 * @example
 * ```ts
 * const weather = new Tool({
 *   name: 'get_weather', description: 'Weather in a city.',
 *   args: { city: { type: 'string' } },
 *   func: ({ city }) => `Sunny in ${city}`,
 * });
 * ```
 */
export class Tool {
  readonly name: string;
  readonly desc: string;
  readonly args: Record<string, JsonSchema>;
  readonly func: ToolFunction;
  /** Whether the arguments were declared (undeclared tools accept any arguments). */
  private readonly declared: boolean;

  constructor(spec: ToolSpec | ToolFunction) {
    const s: ToolSpec = typeof spec === 'function' ? { func: spec } : spec;
    this.func = s.func;
    this.name = s.name ?? s.func.name;
    this.desc = s.description ?? '';
    this.args = s.args ?? {};
    this.declared = s.args !== undefined;
    if (this.name === '') {
      throw new ModuleError(
        'invalid_argument',
        'A tool needs a name (pass `name` or a named function).',
      );
    }
  }

  /** Validates `args` against the declared schemas, then runs the function (awaiting promises). */
  async call(args: Record<string, unknown> = {}): Promise<unknown> {
    const callId = nanoid();
    emitCallback('onToolStart', callId, this, args);
    try {
      this.validate(args);
      const result = await this.func(args);
      emitCallback('onToolEnd', callId, result, null);
      return result;
    } catch (error) {
      emitCallback('onToolEnd', callId, null, error);
      throw error;
    }
  }

  /** The line ReAct shows the LM: `name, whose description is <desc>…</desc>. It takes arguments {…}.` */
  toString(): string {
    const desc = this.desc
      ? `, whose description is <desc>${this.desc}</desc>.`.replaceAll('\n', '  ')
      : '.';
    return `${this.name}${desc} It takes arguments ${pyRepr(this.args)}.`;
  }

  private validate(args: Record<string, unknown>): void {
    if (!this.declared) return;
    for (const [k, v] of Object.entries(args)) {
      const schema = this.args[k];
      if (schema === undefined)
        throw new ModuleError('invalid_argument', `Arg ${k} is not in the tool's args.`);
      const problem = typeProblem(v, schema);
      if (problem !== null)
        throw new ModuleError('invalid_argument', `Arg ${k} is invalid: ${problem}`);
    }
  }
}

/** Checks the top-level JSON-schema `type` of a value (enough to catch LM slips early). */
function typeProblem(value: unknown, schema: JsonSchema): string | null {
  const type = schema['type'];
  const types = Array.isArray(type) ? (type as unknown[]) : type === undefined ? [] : [type];
  if (types.length === 0) return null;
  const ok = types.some((t) => {
    switch (t) {
      case 'string':
        return typeof value === 'string';
      case 'integer':
        return Number.isInteger(value);
      case 'number':
        return typeof value === 'number';
      case 'boolean':
        return typeof value === 'boolean';
      case 'array':
        return Array.isArray(value);
      case 'object':
        return isPlainObject(value);
      case 'null':
        return value === null;
      default:
        return true;
    }
  });
  return ok ? null : `${pyRepr(value)} is not of type ${types.map((t) => pyRepr(t)).join(', ')}`;
}

/** Accepts a Tool, a spec or a named function. */
export function toTool(t: Tool | ToolSpec | ToolFunction): Tool {
  return t instanceof Tool ? t : new Tool(t);
}
