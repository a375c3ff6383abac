import type { Configuration } from '../variables/index.js';

/** Where a configured program keeps the configuration it was built with. */
export const CONFIGURATION: unique symbol = Symbol.for('dspex.configuration');

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
