import { dedent, splitLinesPy } from '../signatures/index.js';

/**
 * The objective text of the system message: DSPy dedents the instructions, then puts each line
 * on its own line indented by 8 spaces (so the text always starts with a newline).
 */
export function dedentAndIndent(instructions: string): string {
  const lines = splitLinesPy(dedent(instructions));
  return ['', ...lines].join('\n' + ' '.repeat(8));
}
