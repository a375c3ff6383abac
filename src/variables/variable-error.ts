import { DspexError } from '../errors/index.js';

/** Stable codes of variable-system failures. */
export type VariableErrorCode =
  /** A variable definition is malformed (range inverted, default outside its range, no choices …). */
  | 'invalid_variable'
  /** A value does not fit its variable (details name the variable and the value). */
  | 'invalid_value'
  /** A configuration breaks one or more variables or constraints (details list every issue). */
  | 'invalid_configuration'
  /** A name the space does not declare. */
  | 'unknown_variable'
  /** A job tried to set a variable the program does not declare overridable. */
  | 'not_overridable'
  /** Two variables under one name. */
  | 'duplicate_variable'
  /** A dependency names no variable of the space. */
  | 'unknown_dependency'
  /** Variables depend on each other in a cycle (details give the cycle). */
  | 'dependency_cycle'
  /** No configuration satisfying every constraint was found within the retry cap. */
  | 'unsatisfiable'
  /** Enumeration asked of a space with a continuous variable and no grid. */
  | 'not_enumerable'
  /** An option of a search or report is out of range. */
  | 'invalid_option';

/** One problem with a configuration: which variable (or constraint), the value, and why. */
export interface ConfigurationIssue {
  /** Variable name, or `constraint:<name>` for a cross-variable constraint. */
  variable: string;
  value?: unknown;
  message: string;
}

/**
 * Error of the variable system. Branch on `code`; `details.issues` lists every
 * {@link ConfigurationIssue} of a rejected configuration.
 *
 * @example
 * ```ts
 * try { space.validateConfiguration({ temperature: 3 }) } catch (e) {
 *   if (e instanceof VariableError && e.code === 'invalid_configuration') console.log(e.issues);
 * }
 * ```
 */
export class VariableError extends DspexError<VariableErrorCode> {
  /** The issues of a rejected configuration (empty for other codes). */
  get issues(): readonly ConfigurationIssue[] {
    return (this.details['issues'] as ConfigurationIssue[] | undefined) ?? [];
  }
}

/** A value rendered for an error message: strings quoted, everything else as JSON. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null)
    return String(value);
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
