import { DspexError } from '../errors/dspex-error.js';

/** Codes of configuration problems. */
export type ConfigErrorCode = 'config_not_found' | 'invalid_config' | 'config_load_failed';

/** A configuration that cannot be found, loaded or validated. The message names the file and the offending path. */
export class ConfigError extends DspexError<ConfigErrorCode> {}
