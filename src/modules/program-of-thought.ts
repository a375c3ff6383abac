import { runInSandbox, type SandboxOptions } from '../sandbox/index.js';
import { signature as toSignature, type Signature, fieldNameList } from '../signatures/index.js';
import { ChainOfThought } from './chain-of-thought.js';
import { ModuleError } from './errors.js';
import { Module, type CallOptions } from './module.js';
import type { Prediction } from './prediction.js';
import { warn } from './settings.js';

/** Options of {@link ProgramOfThought}. */
export interface ProgramOfThoughtOptions {
  /** Code generations tried before giving up (DSPy's `max_iters`, default 3). */
  maxIters?: number;
  /** Limits and host tools of the sandbox each program runs in (see `runInSandbox`). */
  sandbox?: SandboxOptions;
}

type Mode = 'generate' | 'regenerate' | 'answer';

const CODE_DESC = 'javascript code that answers the question';

/**
 * Solve a task by writing and running a program (DSPy's `dspy.ProgramOfThought`), in
 * **JavaScript** run in a QuickJS isolate (no file system, network, `process` or `require`;
 * memory, time and tool calls bounded) where DSPy writes Python for a Deno/Pyodide interpreter —
 * the one deliberate difference; the prompts say "JavaScript" where DSPy's say "Python".
 *
 * Three ChainOfThought predictors as DSPy: `codeGenerate` writes `generated_code`; when parsing or
 * running it fails, `codeRegenerate` gets `previous_code` and `error` and writes new code (up to
 * `maxIters` generations in all, then a `ModuleError('all_attempts_failed')` with DSPy's "Max hops
 * reached" message); `generateOutput` sees `final_generated_code` and `code_output` (the JSON of
 * the value the code `SUBMIT`ted, else of its last expression) and writes the signature's outputs.
 *
 * @example
 * ```ts
 * const pot = new ProgramOfThought('question -> answer: int');
 * (await pot.call({ question: 'What is the sum of the first 100 primes?' })).answer; // 24133
 * ```
 */
export class ProgramOfThought extends Module {
  readonly signature: Signature;
  readonly maxIters: number;
  readonly codeGenerate: ChainOfThought;
  readonly codeRegenerate: ChainOfThought;
  readonly generateOutput: ChainOfThought;
  /** Sandbox settings of every run (not saved; no predictor state). */
  readonly sandbox: SandboxOptions;

  constructor(sig: string | Signature, options: ProgramOfThoughtOptions = {}) {
    super();
    this.signature = toSignature(sig);
    this.maxIters = options.maxIters ?? 3;
    this.sandbox = options.sandbox ?? {};
    this.codeGenerate = new ChainOfThought(this.modeSignature('generate'));
    this.codeRegenerate = new ChainOfThought(this.modeSignature('regenerate'));
    this.generateOutput = new ChainOfThought(this.modeSignature('answer'));
  }

  /** DSPy's `_generate_signature` plus `_generate_instruction` for one mode. */
  private modeSignature(mode: Mode): Signature {
    let sig = this.signature;
    if (mode !== 'answer') for (const f of sig.outputFields) sig = sig.delete(f.name);
    if (mode === 'regenerate') {
      sig = sig
        .append('previous_code', 'input', {
          desc: 'previously-generated javascript code that errored',
        })
        .append('error', 'input', {
          desc: 'error message from previously-generated javascript code',
        });
    }
    if (mode === 'answer') {
      const at = sig.inputFields.length;
      sig = sig
        .insert(at, 'final_generated_code', 'input', { desc: CODE_DESC })
        .insert(at + 1, 'code_output', 'input', {
          desc: 'output of previously-generated javascript code',
        });
    } else {
      sig = sig.append('generated_code', 'output', { desc: CODE_DESC });
    }
    const inputs = fieldNameList(sig.inputFields);
    const outputs = fieldNameList(sig.outputFields);
    const lines =
      mode === 'generate'
        ? [
            `You will be given ${inputs} and you will respond with ${outputs}.`,
            `Generating executable JavaScript code that programmatically computes the correct ${outputs}.`,
            "After you're done with the computation and think you have the final output, make sure to submit your output by calling the preloaded function `SUBMIT()`.",
            `You must structure your output in an object, like {"field_a": value_a, ...}, with the correct value mapping for the field(s): ${fieldNameList(this.signature.outputFields)}.`,
          ]
        : mode === 'regenerate'
          ? [
              `You are given ${inputs} due to an error in previous code.`,
              'Your task is to correct the error and provide the new `generated_code`.',
            ]
          : [`Given the final code ${inputs}, provide the final ${outputs}.`];
    return sig.withInstructions(lines.join('\n'));
  }

  override async forward(
    inputs: Record<string, unknown>,
    options?: CallOptions,
  ): Promise<Prediction> {
    const inputKwargs: Record<string, unknown> = {};
    for (const f of this.signature.inputFields) inputKwargs[f.name] = inputs[f.name];
    let codeData = await this.codeGenerate.call(inputKwargs, options);
    let { code, error } = parseCode(String(codeData['generated_code'] ?? ''));
    let output: string | undefined;
    if (error === undefined) ({ output, error } = await this.execute(code));
    for (let hop = 1; error !== undefined; hop++) {
      warn(`Error in code execution: ${error}`, { hop });
      if (hop === this.maxIters) {
        throw new ModuleError(
          'all_attempts_failed',
          `Max hops reached. Failed to run ProgramOfThought: ${error}`,
          { details: { maxIters: this.maxIters, error } },
        );
      }
      Object.assign(inputKwargs, { previous_code: code, error });
      codeData = await this.codeRegenerate.call(inputKwargs, options);
      ({ code, error } = parseCode(String(codeData['generated_code'] ?? '')));
      if (error === undefined) ({ output, error } = await this.execute(code));
    }
    delete inputKwargs['previous_code'];
    delete inputKwargs['error'];
    return this.generateOutput.call(
      { ...inputKwargs, final_generated_code: code, code_output: output },
      options,
    );
  }

  private async execute(code: string): Promise<{ output?: string; error?: string }> {
    if (code === '') return { error: 'Error: Empty code before execution.' };
    const result = await runInSandbox(code, this.sandbox);
    if (!result.ok) return { error: result.message };
    return { output: JSON.stringify(result.value) ?? 'null' };
  }
}

/**
 * DSPy's `_parse_code` for JavaScript: text before `---` or a triple blank line, the body of a
 * fenced block when there is one, a one-liner with several `=` refused, and a final assignment
 * `x = …` (or `const x = …`) followed by `x` so its value is the completion value.
 */
export function parseCode(raw: string): { code: string; error?: string } {
  const code = (raw.split('---', 1)[0] ?? '').split('\n\n\n', 1)[0] ?? '';
  const fenced = /```(?:javascript|js)?[ \n](.*?)[ \n]```?/s.exec(code);
  let block = fenced?.[1] ?? code;
  if (block === '') return { code, error: 'Error: Empty code after parsing.' };
  if (!block.includes('\n') && (block.match(/=/g) ?? []).length > 1)
    return { code, error: 'Error: Code format is not correct.' };
  const lines = block.split('\n');
  const last = /^(?:(?:const|let|var)\s+)?(\w+)\s*=(?!=)/.exec(
    (lines[lines.length - 1] ?? '').trim(),
  );
  if (last !== null && lines.length > 1) block += `\n${last[1]}`;
  return { code: block };
}
