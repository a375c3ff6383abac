/**
 * RLM: a long document stays in the sandbox as a variable; the model writes JavaScript to explore
 * it step by step, asks a sub-LM about the part it found, and SUBMITs the answer.
 *
 *   npx tsx examples/rlm.ts                  # offline: the model's steps are scripted, the code really runs
 *   OPENAI_API_KEY=sk-... npx tsx examples/rlm.ts
 */
import { DummyLM, RLM, configure, type REPLEntry } from 'dspex';
import { lmFromEnv } from './lm-from-env.js';

const { lm, dummy, describe } = lmFromEnv({});
console.log(`LM: ${describe}`);

// 2,000 lines of log noise with one line that matters.
const lines = Array.from({ length: 2000 }, (_, i) => `line ${i}: heartbeat ok`);
lines[1337] = 'line 1337: the vault code is 4-8-15-16';
const document = lines.join('\n');

const step = (reasoning: string, code: string) => ({
  reasoning,
  code: `\`\`\`javascript\n${code}\n\`\`\``,
});
configure({
  lm: dummy
    ? new DummyLM([
        step(
          'The document is long: find the lines that are not heartbeats.',
          'const odd = context.split("\\n").filter((l) => !l.endsWith("heartbeat ok"));\nprint(odd.length, odd[0])',
        ),
        step(
          'One line stands out; ask the sub-LM to pull out the code, then submit it.',
          'const code = llm_query("Extract only the digits and dashes of the code in: " + odd[0]);\nSUBMIT({ answer: code.trim() })',
        ),
      ])
    : lm,
});

const rlm = new RLM('context, question -> answer', {
  maxIters: 8,
  subLm: dummy ? new DummyLM(['4-8-15-16']) : lm,
});
const pred = await rlm.call({ context: document, question: 'What is the vault code?' });
const trajectory = pred.get('trajectory') as REPLEntry[];
for (const [i, entry] of trajectory.entries()) {
  console.log(`step ${i + 1}: ${entry.reasoning}\n  output: ${entry.output}`);
}
console.log(`answer: ${String(pred.get('answer'))} (${trajectory.length} steps)`);
