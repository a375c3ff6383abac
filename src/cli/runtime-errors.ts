import { CliError, type CliErrorCode } from './cli-error.js';

/** Runtime error codes that mean "the user asked for something wrong" (exit 2, not 1). */
const USAGE_CODES = new Set([
  'bad_message',
  'invalid_job',
  'unknown_metric',
  'unknown_optimizer',
  'unknown_dataset',
  'unknown_schema',
  'invalid_config',
  'config_not_found',
  'config_load_failed',
  'unknown_extension',
  'extension_clash',
  'invalid_extension',
]);

/**
 * Causes of a failed execution that are the caller's inputs, not the program or its LM: a run with a
 * missing input field is a bad request (exit 2), as a malformed payload is.
 */
const INPUT_CAUSES = new Set(['missing_inputs']);

/**
 * Maps a failure of the runtime (or anything a command awaited) to a {@link CliError}, by the
 * error's stable `code` (never its message): `unknown_program` → exit 4, bad requests → exit 2,
 * the rest → exit 1. Read structurally, because the runtime may come from another module
 * instance (the compiled build) than this CLI.
 */
export function toCliError(error: unknown, fallback: CliErrorCode = 'failed'): CliError {
  if (error instanceof CliError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const details = ((error as { details?: Record<string, unknown> } | null)?.details ??
    {}) as Record<string, unknown>;
  if (code === 'unknown_program')
    return new CliError('unknown_program', message, { cause: error, details });
  const inputFault =
    code === 'execution_failed' &&
    typeof details['cause'] === 'string' &&
    INPUT_CAUSES.has(details['cause']);
  if ((typeof code === 'string' && USAGE_CODES.has(code)) || inputFault)
    return new CliError('usage', message, { cause: error, details });
  return new CliError(fallback, message, { cause: error, details });
}

/** `unknown program 'x' (known: a, b)`, raised before any work is done. */
export function unknownProgramError(program: string, known: readonly string[]): CliError {
  return new CliError(
    'unknown_program',
    `unknown program '${program}' (known: ${known.length > 0 ? known.join(', ') : 'none'})`,
    { details: { program, known: [...known] } },
  );
}
