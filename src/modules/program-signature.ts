import { Signature } from '../signatures/index.js';
import { Module } from './module.js';

/**
 * The signature a program presents to its caller: the inputs it is called with and the outputs it
 * answers with. A module that keeps the signature it was built from (`Predict`, `ReAct`,
 * `ReActV2`, `ProgramOfThought`, `RLM`, or any module with a `signature` of its own) reports that
 * one, not the signature its inner predictor is rebuilt with per turn (ReActV2's turn signature
 * has no outputs; ReAct's has a `trajectory` input); a wrapper (`BestOfN`, `Refine`) reports the
 * wrapped module's; any other program its first predictor's. Undefined for a program without one.
 *
 * @example
 * ```ts
 * programSignature(new ReActV2('question -> answer', [search]))?.toString(); // 'question -> answer'
 * ```
 */
export function programSignature(program: Module): Signature | undefined {
  const own = (program as { signature?: unknown }).signature;
  if (own instanceof Signature) return own;
  const wrapped = (program as { module?: unknown }).module;
  if (wrapped instanceof Module && wrapped !== program) return programSignature(wrapped);
  return program.namedPredictors()[0]?.[1].signature;
}
