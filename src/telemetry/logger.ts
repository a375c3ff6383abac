import { pino, type Logger, type LoggerOptions } from 'pino';

/** Paths never written to logs (STYLE habit 12: secrets redacted). */
export const REDACTED_PATHS = [
  'apiKey',
  '*.apiKey',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'config.admin.token',
  'redis.url',
];

/**
 * Creates the one pino root logger of a process. JSON lines on stdout (pretty-printing belongs in a
 * transport, not the hot path); components take `logger.child({ component })`.
 *
 * @example
 * ```ts
 * const log = createLogger({ level: 'info', base: { node: 'n1' } });
 * log.child({ actor: 'client-pool' }).info('started');
 * ```
 */
export function createLogger(
  options: {
    level?: string;
    base?: Record<string, unknown>;
    destination?: NodeJS.WritableStream;
  } = {},
): Logger {
  const opts: LoggerOptions = {
    level: options.level ?? 'info',
    base: { pid: process.pid, ...(options.base ?? {}) },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}

/** A logger that writes nothing (tests, embedded use without logging). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

export type { Logger };
