import type { Outcome, ParseCase } from './fixtures.js';

/** A parse case with what DSPy gives once its indented field headers are unindented. */
export type ParseCaseWithAlternative = ParseCase & {
  dspy_with_headers_unindented?: Outcome<{ outputs: unknown }>;
};

/**
 * A kind of case where dspex deliberately does not reproduce DSPy 3.3.1: why, which cases, and
 * what dspex gives instead (so the entry is checked, not skipped).
 */
export interface DeliberateDifference {
  name: string;
  reason: string;
  appliesTo: (adapterName: string, c: ParseCaseWithAlternative) => boolean;
  /** DSPy's recorded outcome of the behaviour dspex follows instead. */
  dspexOutcome: (c: ParseCaseWithAlternative) => unknown;
}

export const DELIBERATE_DIFFERENCES: readonly DeliberateDifference[] = [
  {
    name: 'indented-field-header',
    reason:
      'ChatAdapter/JSONAdapter read an indented `  [[ ## x ## ]] value` line by matching the stripped line ' +
      'but slicing the unstripped one at the match end, so the value keeps the leftover `]]` (a DSPy ' +
      'bug). dspex reads the header as if it were not indented: its result is what DSPy gives for ' +
      'the same completion with the header lines unindented.',
    appliesTo: (adapterName, c) =>
      adapterName === 'chat' && c.dspy_with_headers_unindented !== undefined,
    dspexOutcome: (c) => c.dspy_with_headers_unindented,
  },
];

/** The deliberate difference that applies to a case, if any. */
export function deliberateDifference(
  adapterName: string,
  c: ParseCaseWithAlternative,
): DeliberateDifference | undefined {
  return DELIBERATE_DIFFERENCES.find((d) => d.appliesTo(adapterName, c));
}
