import type { Redis } from 'ioredis';
import { TransportError } from '../errors.js';

/** What a node learned about its Redis server's durability at start. */
export interface RedisDurability {
  /** Append-only file on (`appendonly yes`). */
  readonly aof: boolean | undefined;
  /** RDB snapshots scheduled (`save` not empty). `undefined`: CONFIG is not allowed (managed Redis). */
  readonly rdb: boolean | undefined;
  /** `maxmemory-policy`; BullMQ needs `noeviction` (an evicted job key is a lost job). */
  readonly maxmemoryPolicy: string | undefined;
  /** One sentence per problem found, for a loud log line; empty when all is well. */
  readonly warnings: readonly string[];
}

/** `key:value` lines of an INFO section. */
function infoFields(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) out.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  return out;
}

async function configGet(redis: Redis, key: string): Promise<string | undefined> {
  try {
    const reply = (await redis.call('CONFIG', 'GET', key)) as string[];
    return reply.length >= 2 ? String(reply[1]) : undefined;
  } catch {
    // CONFIG is often renamed or forbidden on managed services: fall back to INFO.
    return undefined;
  }
}

/**
 * Checks that queued jobs survive a Redis restart and are never evicted: persistence (AOF or RDB
 * snapshots) and `maxmemory-policy noeviction`. Reads `INFO persistence`, `INFO memory` and, where
 * allowed, `CONFIG GET save`; never fails (a check that cannot run says so in `warnings`).
 *
 * @example
 * ```ts
 * const { warnings } = await checkRedisDurability(redis);
 * for (const w of warnings) logger.warn(w);
 * ```
 */
export async function checkRedisDurability(redis: Redis): Promise<RedisDurability> {
  let persistence: Map<string, string>;
  let memory: Map<string, string>;
  try {
    persistence = infoFields(await redis.info('persistence'));
    memory = infoFields(await redis.info('memory'));
  } catch (error) {
    // Wrong credentials are not a durability question: the node must not start (Redis error codes).
    if (error instanceof Error && /^(WRONGPASS|NOAUTH|NOPERM)/.test(error.message))
      throw new TransportError(
        'connection',
        `Redis refused the credentials of the configured URL: ${error.message}`,
        { cause: error },
      );
    return {
      aof: undefined,
      rdb: undefined,
      maxmemoryPolicy: undefined,
      warnings: [`could not check Redis persistence (INFO failed: ${(error as Error).message})`],
    };
  }
  const aofField = persistence.get('aof_enabled');
  const aof = aofField === undefined ? undefined : aofField === '1';
  const save = await configGet(redis, 'save');
  const rdb = save === undefined ? undefined : save.trim() !== '';
  const maxmemoryPolicy =
    memory.get('maxmemory_policy') ?? (await configGet(redis, 'maxmemory-policy'));
  const warnings: string[] = [];
  if (aof === false && rdb === false)
    warnings.push(
      'Redis has no persistence (appendonly no, save ""): every queued job is lost when Redis restarts; set appendonly yes (or a save schedule)',
    );
  else if (aof === false && rdb === undefined)
    warnings.push(
      'Redis append-only file is off and the RDB schedule cannot be read (CONFIG not allowed): queued jobs may be lost when Redis restarts',
    );
  if (maxmemoryPolicy !== undefined && maxmemoryPolicy !== 'noeviction')
    warnings.push(
      `Redis maxmemory-policy is ${maxmemoryPolicy}: under memory pressure Redis evicts job keys and jobs are lost; BullMQ needs maxmemory-policy noeviction`,
    );
  return { aof, rdb, maxmemoryPolicy, warnings };
}
