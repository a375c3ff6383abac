import { DspexError } from '../errors/dspex-error.js';

/**
 * Codes of CLI failures, each mapped to a documented exit code ({@link EXIT_CODES}).
 * - `usage`: bad arguments or options, an unreadable data file, an invalid config.
 * - `bad_json`: a JSON argument or JSONL line does not parse (details: offset, line, column).
 * - `daemon_not_running`: no live daemon for `inspect` (no state file, dead pid, endpoint down).
 * - `unknown_program`: the program is not hosted (details: known program names).
 * - `redis_unreachable`: the configured Redis does not answer.
 * - `not_found`: no such job, dataset, dataset version or split.
 * - `timeout`: `--wait` ran past `--timeout`.
 * - `failed`: the job, run, evaluation or optimization failed.
 * - `unauthorized`: the admin endpoint refused the token.
 * - `no_live_node`: a followed run has had no live node for the grace period (it resumes later).
 */
export type CliErrorCode =
  | 'usage'
  | 'bad_json'
  | 'daemon_not_running'
  | 'unknown_program'
  | 'redis_unreachable'
  | 'not_found'
  | 'timeout'
  | 'failed'
  | 'unauthorized'
  | 'no_live_node';

/** Exit codes of `dspex` (documented in `dspex --help`). */
export const EXIT_CODES = {
  ok: 0,
  failed: 1,
  usage: 2,
  daemonNotRunning: 3,
  unknownProgram: 4,
  redisUnreachable: 5,
  timeout: 6,
  notFound: 7,
  unauthorized: 8,
  noLiveNode: 9,
} as const;

const EXIT_OF: Record<CliErrorCode, number> = {
  failed: EXIT_CODES.failed,
  usage: EXIT_CODES.usage,
  bad_json: EXIT_CODES.usage,
  daemon_not_running: EXIT_CODES.daemonNotRunning,
  unknown_program: EXIT_CODES.unknownProgram,
  redis_unreachable: EXIT_CODES.redisUnreachable,
  timeout: EXIT_CODES.timeout,
  not_found: EXIT_CODES.notFound,
  unauthorized: EXIT_CODES.unauthorized,
  no_live_node: EXIT_CODES.noLiveNode,
};

/** The `Exit codes:` section of `dspex --help`. */
export const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  the job, run, evaluation or optimization failed (or an unexpected error)
  2  usage error: bad arguments, bad JSON (with the parse error position), bad config or data file
  3  daemon not running (start one with \`dspex start\`)
  4  unknown program (the known ones are listed)
  5  Redis unreachable
  6  timed out waiting for a job (--timeout)
  7  no such job
  8  the admin endpoint refused the token (set DSPEX_ADMIN_TOKEN)
  9  no live node while following a run (it is checkpointed and resumes when a node starts:
     \`dspex start\`, then \`dspex runs follow RUN_ID\`)`;

/** A failure the CLI reports as one message and an exit code. */
export class CliError extends DspexError<CliErrorCode> {
  /** The process exit code for this failure. */
  get exitCode(): number {
    return EXIT_OF[this.code];
  }
}
