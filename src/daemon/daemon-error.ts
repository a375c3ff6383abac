import { DspexError } from '../errors/dspex-error.js';

/**
 * Codes of daemon failures.
 * - `admin_listen_failed`: the admin endpoint could not bind (details: host, port, errno code). A
 *   taken configured port is not one: the daemon falls back to a free port.
 * - `admin_insecure`: the admin endpoint would listen beyond loopback without a bearer token.
 * - `state_file`: a node's `.dspex/node-<pid>.json` could not be written, read or parsed.
 * - `http_unavailable`: `http.enabled` is set but the daemon was given no HTTP runtime.
 */
export type DaemonErrorCode =
  'admin_listen_failed' | 'admin_insecure' | 'state_file' | 'http_unavailable';

/** A daemon start-up or bookkeeping failure. */
export class DaemonError extends DspexError<DaemonErrorCode> {}
