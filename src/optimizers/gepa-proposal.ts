import type { LM } from '../lm/types.js';

/** One record of a reflective dataset (DSPy: `Inputs`, `Generated Outputs`, `Feedback`). */
export type ReflectiveRecord = Record<string, unknown>;

/**
 * GEPA's `InstructionProposalSignature.default_prompt_template`, verbatim: `<curr_param>` is
 * replaced by the current instruction and `<side_info>` by the rendered reflective dataset.
 */
export const INSTRUCTION_PROPOSAL_TEMPLATE = `I provided an assistant with the following instructions to perform a task for me:
\`\`\`
<curr_param>
\`\`\`

The following are examples of different task inputs provided to the assistant along with the assistant's response for each of them, and some feedback on how the assistant's response could be better:
\`\`\`
<side_info>
\`\`\`

Your task is to write a new instruction for the assistant.

Read the inputs carefully and identify the input format and infer detailed task description about the task I wish to solve with the assistant.

Read all the assistant responses and the corresponding feedback. Identify all niche and domain specific factual information about the task and include it in the instruction, as a lot of it may not be available to the assistant in the future. The assistant may have utilized a generalizable strategy to solve the task, if so, include that in the instruction as well.

Provide the new instructions within \`\`\` blocks.`;

function renderValue(value: unknown, level: number): string {
  if (Array.isArray(value)) {
    let s = '';
    value.forEach((item, i) => {
      s += `${'#'.repeat(level)} Item ${i + 1}\n${renderValue(item, Math.min(level + 1, 6))}`;
    });
    return value.length === 0 ? `${s}\n` : s;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    let s = '';
    for (const [k, v] of entries) {
      s += `${'#'.repeat(level)} ${k}\n${renderValue(v, Math.min(level + 1, 6))}`;
    }
    return entries.length === 0 ? `${s}\n` : s;
  }
  return `${String(value).trim()}\n\n`;
}

/** GEPA's `prompt_renderer`: the records as markdown (`# Example N`, `## key`, `### …`). */
export function renderInstructionProposal(
  currentInstruction: string,
  dataset: readonly ReflectiveRecord[],
  template: string = INSTRUCTION_PROPOSAL_TEMPLATE,
): string {
  const text = dataset
    .map((sample, i) => {
      let s = `# Example ${i + 1}\n`;
      for (const [key, val] of Object.entries(sample)) s += `## ${key}\n${renderValue(val, 3)}`;
      return s;
    })
    .join('\n\n');
  // Function replacers: `$` in instructions or data is literal text, as in Python's str.replace.
  return template
    .replace('<curr_param>', () => currentInstruction)
    .replace('<side_info>', () => text);
}

/** GEPA's `output_extractor`: the text inside the outermost ``` block (a language tag dropped). */
export function extractInstruction(lmOut: string): string {
  const start = lmOut.indexOf('```') + 3;
  const end = lmOut.lastIndexOf('```');
  if (start >= end) {
    const stripped = lmOut.trim();
    if (stripped.startsWith('```')) {
      const m = /^```\S*\n?/.exec(lmOut);
      if (m) return lmOut.slice(m[0].length).trim();
    } else if (stripped.endsWith('```')) {
      return stripped.slice(0, -3).trim();
    }
    return stripped;
  }
  let content = lmOut.slice(start, end);
  const m = /^\S*\n/.exec(content);
  if (m) content = content.slice(m[0].length);
  return content.trim();
}

/** A reflection model: takes GEPA's rendered prompt, returns the model's text. */
export type ReflectionFn = (prompt: string) => Promise<string>;

/** DSPy's `stripped_lm_call`: the prompt as one user message to `lm`, the first choice's text. */
export function reflectionFromLm(lm: LM): ReflectionFn {
  return async (prompt) => {
    const response = await lm.complete({ messages: [{ role: 'user', content: prompt }] });
    return response.choices[0]?.text ?? '';
  };
}

/** GEPA's `InstructionProposalSignature.run`: render, call, strip, extract. */
export async function proposeInstruction(
  reflect: ReflectionFn,
  currentInstruction: string,
  dataset: readonly ReflectiveRecord[],
  template?: string,
): Promise<string> {
  const out = await reflect(renderInstructionProposal(currentInstruction, dataset, template));
  return extractInstruction(out.trim());
}
