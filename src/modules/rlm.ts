import { fieldPlaceholder } from '../adapters/field-format.js';
import { isDspexError } from '../errors/index.js';
import type { LM } from '../lm/types.js';
import { openSandboxSession, type SandboxOptions, type SandboxResult } from '../sandbox/index.js';
import {
  parseValue,
  Signature,
  signature as toSignature,
  type Field,
  isRecord,
  fieldNameList,
} from '../signatures/index.js';
import { ModuleError } from './errors.js';
import { Module, type CallOptions } from './module.js';
import { Predict } from './predict.js';
import { Prediction } from './prediction.js';
import { currentSettings, warn } from './settings.js';
import type { Tool } from './tool.js';
import { toTool, type ToolFunction, type ToolSpec } from './tool.js';

/** Options of {@link RLM}; defaults as DSPy's `dspy.RLM`. */
export interface RLMOptions {
  /** REPL steps before the `extract` fallback (default 20). */
  maxIters?: number;
  /** Sub-LM calls (`llm_query` / `llm_query_batched` prompts) per call of the module (default 50). */
  maxLlmCalls?: number;
  /** Characters of each step's output shown to the model, head and tail (default 10 000). */
  maxOutputChars?: number;
  /** Functions the code may call, each with one arguments object (`search({ query })`). */
  tools?: readonly (Tool | ToolSpec | ToolFunction)[];
  /** LM of `llm_query`: a cheaper model for sub-queries (default the call's / context's LM). */
  subLm?: LM;
  /** Limits of the QuickJS isolate; `timeoutMs` applies to each step. `tools` are set by RLM. */
  sandbox?: Omit<SandboxOptions, 'tools'>;
}

/** One REPL step of an {@link RLM} trajectory (DSPy's `REPLEntry`). */
export interface REPLEntry {
  reasoning: string;
  code: string;
  output: string;
}

/** Outputs an {@link RLM} adds to the signature's: the steps, and the reasoning of the last one. */
export interface RLMExtras {
  trajectory: REPLEntry[];
  final_reasoning: string;
}

const RESERVED_SANDBOX_NAMES = new Set(['llm_query', 'llm_query_batched', 'SUBMIT', 'print']);
const RESERVED_RESULT_NAMES = new Set(['trajectory', 'final_reasoning']);

// DSPy 3.3's ACTION_INSTRUCTIONS_TEMPLATE, for a JavaScript REPL (the deliberate difference:
// the sandbox is a QuickJS isolate, so the model writes JavaScript and SUBMIT takes an object).
const ACTION_TEMPLATE = `You are tasked with producing the following outputs given the inputs {inputs}:
{output_fields}

You have access to a JavaScript REPL environment. Write JavaScript code and it will be executed. You will see the output, then write more code based on what you learned. This is an iterative process.
Available:
- Variables: {inputs} (your input data)
- \`llm_query(prompt)\` - query a sub-LLM (~500K char capacity) for semantic analysis
- \`llm_query_batched(prompts)\` - query multiple prompts concurrently (much faster for multiple queries)
- \`print()\` - ALWAYS print to see results
- \`SUBMIT({ {final_output_names} })\` - submit final output when done

IMPORTANT: This is ITERATIVE. Each code block you write will execute, you'll see the output, then you decide what to do next. Do NOT try to solve everything in one step.

1. EXPLORE FIRST - Look at your data before processing it. Print samples, check types/lengths, understand the structure.
2. ITERATE - Write small code snippets, observe outputs, then decide next steps. State persists between iterations.
3. VERIFY BEFORE SUBMITTING - If results seem wrong (zeros, empty, unexpected), reconsider your approach.
4. USE llm_query FOR SEMANTICS - String matching finds WHERE things are; llm_query understands WHAT things mean.
5. MINIMIZE RETYPING (INPUTS & OUTPUTS) - When values are long, precise, or error-prone (IDs, numbers, code, quotes), re-access them via variables and parse/compute in code instead of retyping. Use small, targeted prints to sanity-check, but avoid manual copying when variables can carry the exact value.
6. SUBMIT ONLY AFTER SEEING OUTPUTS - SUBMIT ends the current run immediately. If you need to inspect printed output, run it in one step, review the result, then call SUBMIT in a later step.

You have max {max_llm_calls} sub-LLM calls. When done, call SUBMIT() with your output.`;

const EXTRACT_INSTRUCTIONS = `Based on the REPL trajectory, extract the final outputs now.

            Review your trajectory to see what information you gathered and what values you computed, then provide the final outputs.`;

/**
 * Recursive Language Model (DSPy 3.3's experimental `dspy.RLM`, Zhang, Kraska & Khattab 2025): the
 * inputs live as variables in a REPL instead of in the prompt; each step the `generateAction`
 * predictor sees their metadata (type, length, a preview) and the history of earlier steps, and
 * writes `reasoning` and `code`; the code runs in one QuickJS isolate for the whole call (state
 * persists between steps) and may call `llm_query(prompt)` / `llm_query_batched(prompts)` on a
 * sub-LM at most `maxLlmCalls` times, the user's tools, and `SUBMIT({ …outputs })`. A valid SUBMIT
 * ends the call; after `maxIters` steps the `extract` predictor produces the outputs from the
 * history. The prediction carries the outputs, `trajectory` and `final_reasoning`.
 *
 * Deliberate difference from DSPy: the model writes **JavaScript** (QuickJS: no file system,
 * network, `process` or `require`; memory and per-step time bounded), `SUBMIT` takes an object,
 * tools take one arguments object, and history code blocks are fenced as `javascript`.
 *
 * @example
 * ```ts
 * const rlm = new RLM('context, query -> answer', { maxIters: 10, subLm: cheapLm });
 * const pred = await rlm.call({ context: hugeDocument, query: 'What is the magic number?' });
 * pred.answer; pred.trajectory.length;
 * ```
 */
export class RLM extends Module {
  readonly signature: Signature;
  readonly maxIters: number;
  readonly maxLlmCalls: number;
  readonly maxOutputChars: number;
  readonly subLm: LM | undefined;
  /** The user's tools by name (not predictors; not saved). */
  readonly tools: Readonly<Record<string, Tool>>;
  readonly generateAction: Predict;
  readonly extract: Predict;
  private readonly sandboxOptions: Omit<SandboxOptions, 'tools'>;

  constructor(sig: string | Signature, options: RLMOptions = {}) {
    super();
    this.signature = toSignature(sig);
    this.maxIters = options.maxIters ?? 20;
    this.maxLlmCalls = options.maxLlmCalls ?? 50;
    this.maxOutputChars = options.maxOutputChars ?? 10_000;
    this.subLm = options.subLm;
    this.sandboxOptions = options.sandbox ?? {};
    const tools: Record<string, Tool> = {};
    for (const t of (options.tools ?? []).map(toTool)) {
      if (tools[t.name] !== undefined) invalid(`Duplicate tool name '${t.name}'`);
      tools[t.name] = t;
    }
    this.tools = tools;
    this.validateNamespace();
    const { action, extract } = this.buildSignatures();
    this.generateAction = new Predict(action);
    this.extract = new Predict(extract);
  }

  private validateNamespace(): void {
    const inputs = this.signature.inputFields.map((f) => f.name);
    for (const name of Object.keys(this.tools)) {
      if (!/^[A-Za-z_$][\w$]*$/.test(name))
        invalid(`Invalid tool name '${name}': must be a valid JavaScript identifier`);
      if (RESERVED_SANDBOX_NAMES.has(name))
        invalid(`Tool name '${name}' conflicts with built-in sandbox function`);
    }
    const clash = (names: string[], set: (n: string) => boolean) => names.filter(set).sort();
    const reserved = clash(inputs, (n) => RESERVED_SANDBOX_NAMES.has(n));
    if (reserved.length > 0)
      invalid(`Input fields conflict with built-in sandbox functions: ${list(reserved)}`);
    const toolInputs = clash(inputs, (n) => n in this.tools);
    if (toolInputs.length > 0)
      invalid(`Input fields conflict with user tools: ${list(toolInputs)}`);
    const outputs = clash(
      this.signature.outputFields.map((f) => f.name),
      (n) => RESERVED_RESULT_NAMES.has(n),
    );
    if (outputs.length > 0)
      invalid(`Output fields conflict with RLM result metadata: ${list(outputs)}`);
  }

  /** DSPy's `_build_signatures`: the action signature and the extract fallback. */
  private buildSignatures(): { action: Signature; extract: Signature } {
    const sig = this.signature;
    const inputs = fieldNameList(sig.inputFields);
    const outputFields = sig.outputFields.map((f) => `- ${fieldPlaceholder(f)}`).join('\n');
    const task = sig.instructions ? `${sig.instructions}\n\n` : '';
    const instructions =
      task +
      ACTION_TEMPLATE.replaceAll('{inputs}', inputs)
        .replace('{output_fields}', outputFields)
        .replace('{final_output_names}', sig.outputFields.map((f) => f.name).join(', '))
        .replace('{max_llm_calls}', String(this.maxLlmCalls)) +
      this.toolDocs();
    const action = new Signature(instructions, [])
      .append('variables_info', 'input', {
        desc: 'Metadata about the variables available in the REPL',
      })
      .append('repl_history', 'input', { desc: 'Previous REPL code executions and their outputs' })
      .append('iteration', 'input', {
        desc: 'Current iteration number (1-indexed) out of max_iters',
      })
      .append('reasoning', 'output', {
        desc: 'Think step-by-step: what do you know? What remains? Plan your next action.',
      })
      .append('code', 'output', {
        desc: 'JavaScript code to execute. Use markdown code block format: ```javascript\\n<code>\\n```',
      });
    let extract = sig;
    for (const f of sig.inputFields) extract = extract.delete(f.name);
    const objective = task
      ? `The trajectory was generated with the following objective: \n${task}\n`
      : '';
    extract = extract
      .withInstructions(objective + EXTRACT_INSTRUCTIONS)
      .prepend('repl_history', 'input', { desc: 'Your REPL interactions so far' })
      .prepend('variables_info', 'input', {
        desc: 'Metadata about the variables available in the REPL',
      });
    return { action, extract };
  }

  private toolDocs(): string {
    const tools = Object.values(this.tools);
    if (tools.length === 0) return '';
    const lines = [
      '\nAdditional tools available (use these instead of standard library equivalents):',
    ];
    for (const t of tools) {
      const params = Object.entries(t.args)
        .map(([name, schema]) => `${name}: ${String(schema['type'] ?? 'any')}`)
        .join(', ');
      const desc = (t.desc || 'No description').replaceAll('\n', '  ');
      lines.push(`- \`${t.name}({ ${params} })\` - ${desc}`);
    }
    return lines.join('\n');
  }

  override async forward(
    inputs: Record<string, unknown>,
    options?: CallOptions,
  ): Promise<Prediction> {
    const names = this.signature.inputFields.map((f) => f.name);
    const unexpected = Object.keys(inputs).filter((k) => !names.includes(k));
    if (unexpected.length > 0)
      invalid(`Unexpected inputs not declared in the signature: ${list(unexpected.sort())}`);
    const missing = names.filter((n) => !(n in inputs));
    if (missing.length > 0) invalid(`Missing required inputs: ${list(missing.sort())}`);

    const variables = this.signature.inputFields.map((f) => replVariable(f, inputs[f.name]));
    const outputNames = this.signature.outputFields.map((f) => f.name);
    const session = await openSandboxSession({
      ...this.sandboxOptions,
      // llm_query counts its own calls (maxLlmCalls, DSPy's message); the session's cap only
      // guards against a runaway loop of tool calls.
      maxToolCalls: this.sandboxOptions.maxToolCalls ?? this.maxLlmCalls + 1000,
      tools: this.sandboxTools(options),
    });
    const history: REPLEntry[] = [];
    try {
      // `print` is console.log, defined in the isolate so its output lands in the step's logs.
      await session.execute('globalThis.print = (...a) => console.log(...a);');
      for (let i = 0; i < this.maxIters; i++) {
        const action = await this.generateAction.call(
          {
            variables_info: variables,
            repl_history: formatHistory(history, this.maxOutputChars),
            iteration: `${i + 1}/${this.maxIters}`,
          },
          options,
        );
        const reasoning = String(action.get('reasoning') ?? '');
        const rawCode = String(action.get('code') ?? '');
        let code = rawCode;
        let output: string;
        let fenceError: string | undefined;
        try {
          code = stripCodeFences(rawCode);
        } catch (e) {
          fenceError = `[Error] ${e instanceof Error ? e.message : String(e)}`;
        }
        if (fenceError !== undefined) {
          output = fenceError;
        } else {
          const result = await session.execute(code, { variables: inputs });
          if (result.ok && result.submitted) {
            const final = this.finalOutputs(result.value, outputNames);
            if ('outputs' in final) {
              history.push({ reasoning, code, output: `FINAL: ${JSON.stringify(final.outputs)}` });
              return new Prediction({
                ...final.outputs,
                trajectory: history,
                final_reasoning: reasoning,
              });
            }
            output = final.error;
          } else {
            output = stepOutput(result);
          }
        }
        history.push({ reasoning, code, output });
      }
      warn('RLM reached max iterations, using extract to get final output', {
        maxIters: this.maxIters,
      });
      const extracted = await this.extract.call(
        { variables_info: variables, repl_history: formatHistory(history, this.maxOutputChars) },
        options,
      );
      return new Prediction({
        trajectory: history,
        final_reasoning: 'Extract forced final output',
        ...Object.fromEntries(outputNames.map((n) => [n, extracted.get(n)])),
      });
    } finally {
      session.close();
    }
  }

  /** `llm_query`, `llm_query_batched` with a fresh call budget, and the user's tools. */
  private sandboxTools(options?: CallOptions): Record<string, (...args: unknown[]) => unknown> {
    let calls = 0;
    const reserve = (n: number): void => {
      if (calls + n > this.maxLlmCalls) {
        throw new Error(
          `LLM call limit exceeded: ${calls} + ${n} > ${this.maxLlmCalls}. Use JavaScript code for aggregation instead of making more LLM calls.`,
        );
      }
      calls += n;
    };
    const query = async (prompt: string): Promise<string> => {
      const lm = this.subLm ?? options?.lm ?? currentSettings().lm;
      if (lm === undefined) {
        throw new ModuleError(
          'no_lm',
          'No LM configured. Use configure({ lm }) or pass subLm to RLM.',
        );
      }
      const response = await lm.complete({ messages: [{ role: 'user', content: prompt }] });
      const text = response.choices[0]?.text;
      if (typeof text !== 'string') throw new Error('The sub-LM returned no text.');
      return text;
    };
    const tools: Record<string, (...args: unknown[]) => unknown> = {
      llm_query: async (prompt) => {
        if (typeof prompt !== 'string' || prompt === '') throw new Error('prompt cannot be empty');
        reserve(1);
        return query(prompt);
      },
      llm_query_batched: async (prompts) => {
        if (!Array.isArray(prompts)) throw new Error('prompts must be an array of strings');
        if (prompts.length === 0) return [];
        reserve(prompts.length);
        // One failed prompt does not fail the batch (DSPy isolates LM errors per prompt).
        return Promise.all(
          prompts.map((p) =>
            query(String(p)).catch((e: unknown) =>
              isDspexError(e) ? `[ERROR] ${e.message}` : Promise.reject(e),
            ),
          ),
        );
      },
    };
    for (const [name, tool] of Object.entries(this.tools)) {
      tools[name] = (args) => tool.call(isRecord(args) ? args : {});
    }
    return tools;
  }

  /** DSPy's `_process_final_output`: an object with every output, each parsed to its type. */
  private finalOutputs(
    raw: unknown,
    names: string[],
  ): { outputs: Record<string, unknown> } | { error: string } {
    if (!isRecord(raw)) {
      return {
        error: `[Error] FINAL returned ${raw === null ? 'null' : Array.isArray(raw) ? 'array' : typeof raw}, expected object with fields: ${list(names)}`,
      };
    }
    const missing = names.filter((n) => !(n in raw)).sort();
    if (missing.length > 0)
      return {
        error: `[Error] Missing output fields: ${list(missing)}. Use SUBMIT({ ${names.join(', ')} })`,
      };
    const outputs: Record<string, unknown> = {};
    const typeErrors: string[] = [];
    for (const f of this.signature.outputFields) {
      try {
        outputs[f.name] = parseValue(raw[f.name], f.type);
      } catch (e) {
        typeErrors.push(`${f.name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (typeErrors.length > 0) return { error: `[Type Error] ${typeErrors.join('; ')}` };
    return { outputs };
  }
}

/** DSPy's `REPLVariable.from_value(...).format()`: name, type, description, length and preview. */
export function replVariable(field: Field, value: unknown, previewChars = 1000): string {
  const text =
    value !== null && typeof value === 'object'
      ? JSON.stringify(value, null, 2)
      : value === undefined
        ? 'undefined'
        : String(value);
  const half = Math.floor(previewChars / 2);
  const preview =
    text.length > previewChars ? `${text.slice(0, half)}...${text.slice(-half)}` : text;
  const lines = [`Variable: \`${field.name}\` (access it in your code)`, `Type: ${jsType(value)}`];
  if (field.desc && !field.desc.startsWith('${')) lines.push(`Description: ${field.desc}`);
  lines.push(`Total length: ${text.length.toLocaleString('en-US')} characters`);
  lines.push(`Preview:\n\`\`\`\n${preview}\n\`\`\``);
  return lines.join('\n');
}

function jsType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** DSPy's `REPLEntry.format_output`: head and tail of a long output, the true length in the header. */
export function formatStepOutput(output: string, maxChars: number): string {
  let shown = output;
  if (output.length > maxChars) {
    const half = Math.floor(maxChars / 2);
    const omitted = output.length - maxChars;
    shown = `${output.slice(0, half)}\n\n... (${omitted.toLocaleString('en-US')} characters omitted) ...\n\n${output.slice(-half)}`;
  }
  return `Output (${output.length.toLocaleString('en-US')} chars):\n${shown}`;
}

/** DSPy's `REPLHistory.format()` (code fenced as `javascript`). */
export function formatHistory(entries: readonly REPLEntry[], maxChars: number): string {
  if (entries.length === 0) return 'You have not interacted with the REPL environment yet.';
  return entries
    .map((e, i) => {
      const reasoning = e.reasoning ? `Reasoning: ${e.reasoning}\n` : '';
      return `=== Step ${i + 1} ===\n${reasoning}Code:\n\`\`\`javascript\n${e.code}\n\`\`\`\n${formatStepOutput(e.output, maxChars)}`;
    })
    .join('\n');
}

/** What the model sees of a step that did not SUBMIT: its prints, else its value, else a hint. */
function stepOutput(result: SandboxResult): string {
  if (!result.ok) {
    const logs = result.logs.length > 0 ? `${result.logs.join('\n')}\n` : '';
    return `${logs}[Error] ${result.message}`;
  }
  if (result.logs.length > 0) return result.logs.join('\n');
  if (result.value !== undefined && result.value !== null)
    return typeof result.value === 'string' ? result.value : JSON.stringify(result.value);
  return '(no output - did you forget to print?)';
}

const JS_FENCE_LANGS = new Set(['javascript', 'js', 'typescript', 'ts', '']);

/** DSPy's `_strip_code_fences` for JavaScript: the first fenced block, a non-JS tag refused. */
export function stripCodeFences(raw: string): string {
  let code = raw.trim();
  if (!code.includes('```')) return code;
  let lines = code.split('\n');
  while (lines.length >= 2 && lines[0]?.trim() === '```' && lines.at(-1)?.trim() === '```') {
    lines = lines.slice(1, -1);
  }
  code = lines.join('\n').trim();
  if (!code.includes('```')) return code;
  const after = code.slice(code.indexOf('```') + 3);
  const newline = after.indexOf('\n');
  if (newline === -1) return code;
  const langLine = after.slice(0, newline).trim();
  const lang = (langLine.split(/\s+/)[0] ?? '').toLowerCase();
  if (!JS_FENCE_LANGS.has(lang)) {
    throw new SyntaxError(
      `Expected JavaScript code but got \`\`\`${lang} fence. Write JavaScript code, not ${lang}.`,
    );
  }
  const rest = after.slice(newline + 1);
  const end = rest.indexOf('```');
  return (end === -1 ? rest : rest.slice(0, end)).trim();
}

function list(names: readonly string[]): string {
  return `[${names.map((n) => `'${n}'`).join(', ')}]`;
}

function invalid(message: string): never {
  throw new ModuleError('invalid_argument', message);
}
