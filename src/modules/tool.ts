import { nanoid } from 'nanoid';
import { z, type ZodType } from 'zod';
import { toolDefinition } from '../adapters/index.js';
import { emitCallback } from '../context/index.js';
import type { JsonSchema, ToolDefinition } from '../lm/types.js';
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
  /**
   * The whole arguments object instead of `args`: a zod object (arguments are validated and
   * parsed with it) or an object JSON schema (`{ type: 'object', properties, required }`).
   */
  schema?: ZodType | JsonSchema;
  func: ToolFunction;
}

function isZod(v: unknown): v is ZodType {
  return typeof v === 'object' && v !== null && '_zod' in v;
}

/** Per-argument schemas and required names of an object schema (zod or JSON). */
function argsFromSchema(schema: ZodType | JsonSchema): {
  args: Record<string, JsonSchema>;
  required: string[];
} {
  const json = isZod(schema)
    ? (z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema)
    : schema;
  const props = json['properties'];
  if (json['type'] !== 'object' || typeof props !== 'object' || props === null) {
    throw new ModuleError(
      'invalid_argument',
      'A tool schema must describe an object (`z.object({...})` or `{ type: "object", properties }`).',
    );
  }
  const args: Record<string, JsonSchema> = {};
  for (const [k, v] of Object.entries(props as Record<string, JsonSchema>)) {
    const { $schema: _drop, ...rest } = v;
    args[k] = rest;
  }
  const req = json['required'];
  return { args, required: Array.isArray(req) ? req.map(String) : [] };
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
  /** Names the arguments schema requires. */
  private readonly required: readonly string[];
  /** The zod schema that validates and parses the arguments, when given. */
  private readonly zod: ZodType | undefined;

  constructor(spec: ToolSpec | ToolFunction) {
    const s: ToolSpec = typeof spec === 'function' ? { func: spec } : spec;
    this.func = s.func;
    this.name = s.name ?? s.func.name;
    this.desc = s.description ?? '';
    if (s.schema !== undefined) {
      const { args, required } = argsFromSchema(s.schema);
      this.args = args;
      this.required = required;
    } else {
      this.args = s.args ?? {};
      this.required = [];
    }
    this.zod = isZod(s.schema) ? s.schema : undefined;
    this.declared = s.args !== undefined || s.schema !== undefined;
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
      const result = await this.func(this.validate(args));
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

  /**
   * The provider-neutral function definition (DSPy's `format_as_litellm_function_call`): an object
   * schema of the arguments, required unless they have a `default`.
   */
  formatAsFunctionCall(): ToolDefinition {
    return toolDefinition(this);
  }

  /** How a tool given as an input value renders in a prompt (DSPy: `str(tool)`). */
  toJSON(): string {
    return this.toString();
  }

  /** Checks the arguments (zod: parses them; JSON schema: names, required ones, top-level types). */
  private validate(args: Record<string, unknown>): Record<string, unknown> {
    if (this.zod !== undefined) {
      const parsed = this.zod.safeParse(args);
      if (!parsed.success) {
        const problems = parsed.error.issues
          .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(arguments)'}: ${i.message}`)
          .join('; ');
        throw new ModuleError('invalid_argument', `Arguments are invalid: ${problems}`);
      }
      return parsed.data as Record<string, unknown>;
    }
    if (!this.declared) return args;
    for (const k of this.required) {
      if (!(k in args)) throw new ModuleError('invalid_argument', `Arg ${k} is required.`);
    }
    for (const [k, v] of Object.entries(args)) {
      const schema = this.args[k];
      if (schema === undefined)
        throw new ModuleError('invalid_argument', `Arg ${k} is not in the tool's args.`);
      const problem = typeProblem(v, schema);
      if (problem !== null)
        throw new ModuleError('invalid_argument', `Arg ${k} is invalid: ${problem}`);
    }
    return args;
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

/** Tools keyed by name (a later tool of the same name wins). */
export function toolsByName(
  tools: readonly (Tool | ToolSpec | ToolFunction)[],
): Record<string, Tool> {
  const byName: Record<string, Tool> = {};
  for (const t of tools.map(toTool)) byName[t.name] = t;
  return byName;
}

/** How a tool failure reads to the model: the last line of a Python traceback, `<Name>: <message>`. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
