import { DspexError } from '../errors/dspex-error.js';

/**
 * Codes of daemon failures.
 * - `admin_listen_failed`: the admin endpoint could not bind (details: host, port, errno code —
 *   `EADDRINUSE` when another daemon holds the port).
 * - `state_file`: `.dspex/daemon.json` could not be written, read or parsed.
 * - `already_running`: another live daemon already owns this directory's state file.
 */
export type DaemonErrorCode = 'admin_listen_failed' | 'state_file' | 'already_running';

/** A daemon start-up or bookkeeping failure. */
export class DaemonError extends DspexError<DaemonErrorCode> {}
