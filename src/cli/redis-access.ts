import { Redis } from 'ioredis';
import { CliError } from './cli-error.js';

/** A Redis URL with its password hidden, fit for messages. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(unparsable Redis URL)';
  }
}

/**
 * Connects to Redis once, without retries, and checks it answers PING within `timeoutMs`: the CLI
 * must fail fast with `redis_unreachable` (exit 5) rather than hang in a reconnect loop.
 * The caller owns the returned client (`disconnect()` it).
 */
export async function openRedis(url: string, timeoutMs = 3_000): Promise<Redis> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // Reported through the rejected connect/ping; the socket's own error (a TLS certificate that
  // does not verify, a refused connection) is kept, as ioredis only says "Connection is closed".
  let socketError: Error | undefined;
  client.on('error', (e: Error) => (socketError ??= e));
  try {
    await client.connect();
    await client.ping();
    return client;
  } catch (cause) {
    client.disconnect();
    const why = socketError?.message ?? (cause as Error).message;
    const tlsHint = url.startsWith('rediss:')
      ? '; for a private CA set NODE_EXTRA_CA_CERTS=/path/to/ca.pem'
      : '';
    throw new CliError(
      'redis_unreachable',
      `Redis at ${redactRedisUrl(url)} is unreachable (${why}); start Redis or fix redis.url / DSPEX_REDIS_URL${tlsHint}`,
      { cause, details: { url: redactRedisUrl(url) } },
    );
  }
}

/** Fails with `redis_unreachable` unless Redis answers (see {@link openRedis}). */
export async function assertRedisReachable(url: string, timeoutMs?: number): Promise<void> {
  const client = await openRedis(url, timeoutMs);
  client.disconnect();
}
