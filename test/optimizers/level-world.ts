import type { LMRequest } from '../../src/lm/types.js';
import { ChoiceLM, systemOf, userOf } from './choice-lm.js';

const levelOf = (text: string): number => Number(/level (\d+)/.exec(text)?.[1] ?? 0);

/**
 * The COPRO world (also the stub world of the copro_* golden files): the first proposal round
 * offers `level j` for choice j; later rounds read the attempts (worst first) and offer levels
 * above the last (best) one. The task model answers item N right iff the instruction's level
 * exceeds N % 5, so a level is worth 20 points. Priced at $1 / $5 per 1M tokens.
 */
export function levelWorld(requests: LMRequest[] = []): ChoiceLM {
  return new ChoiceLM(
    (request, choice) => {
      const system = systemOf(request);
      const user = userOf(request);
      if (system.includes('instruction optimizer')) {
        if (!system.includes('attempted_instructions')) {
          return {
            proposed_instruction: `level ${choice}`,
            proposed_prefix_for_output_field: `P${choice}:`,
          };
        }
        const attempts = [...user.matchAll(/Instruction #\d+: ([^»\n]*)/g)];
        const top = levelOf(attempts.at(-1)?.[1] ?? '');
        return {
          proposed_instruction: `"level ${top + 1 + choice}"`,
          proposed_prefix_for_output_field: `Q${choice}:`,
        };
      }
      const n = Number(/What is item (\d+)\?/.exec(user)?.[1]);
      return { answer: levelOf(system) > n % 5 ? `a${n}` : 'wrong' };
    },
    requests,
    'sim-mini',
    { pricing: { input: 1, output: 5 } },
  );
}
