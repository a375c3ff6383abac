import type { Configuration } from '../variables/index.js';

/** Where a configured program keeps the configuration it was built with. */
export const CONFIGURATION: unique symbol = Symbol.for('dspex.configuration');
/** Where a configured program keeps the candidate values it was built with. */
export const CANDIDATE_VALUES: unique symbol = Symbol.for('dspex.candidateValues');

/**
 * The chosen values of a configuration's instruction and demo variables, by dotted name: an
 * instruction's text, a demo set's (or a demo count's) demos as plain objects. They travel with
 * a stored or deployed configuration, so a node whose program holds only the declared candidates
 * (not the ones a search filled in) serves the same instructions and demos.
 */
export type CandidateValues = Record<string, string | Record<string, unknown>[]>;

/**
 * The configuration a program was built with by `applyConfiguration`, or `undefined`.
 *
 * @example
 * ```ts
 * configurationOf(applyConfiguration(program, { model: 'small' })); // { model: 'small', … }
 * ```
 */
export function configurationOf(program: object): Configuration | undefined {
  const c = (program as { [CONFIGURATION]?: Configuration })[CONFIGURATION];
  return c === undefined ? undefined : { ...c };
}

/**
 * The candidate values a program was built with (`applyConfiguration`'s `candidates`), or
 * `undefined` when none were given.
 */
export function configuredCandidatesOf(program: object): CandidateValues | undefined {
  const c = (program as { [CANDIDATE_VALUES]?: CandidateValues })[CANDIDATE_VALUES];
  return c === undefined ? undefined : { ...c };
}
