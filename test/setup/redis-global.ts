import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startRedisServer } from '../helpers/redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the redis-server spawned for this test run (integration project only). */
    redisUrl: string;
  }
}

/** Integration runs get their own redis-server on a free port, stopped at the end of the run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redis = await startRedisServer();
  project.provide('redisUrl', redis.url);
  return () => redis.stop();
}
