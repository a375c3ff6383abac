import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { startRedisServer, type RedisServerHandle } from '../../test/helpers/redis-server.js';
import { ROOT } from '../../test/runtime/fixtures/node-process.js';

/** A numeric `--name VALUE` option of the command line, or `fallback`. */
export function numberOption(name: string, fallback: number): number {
  const args = process.argv.slice(2);
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1] ?? fallback) : fallback;
}

/** What a side-by-side runtime bench needs: its own redis-server and OpenAI fixture process. */
export interface BenchBackends {
  redis: RedisServerHandle;
  fixture: ChildProcess;
  lmUrl: string;
  /** BullMQ connection options for the bench's producers. */
  connection: { host: string; port: number; maxRetriesPerRequest: null };
  stop(): Promise<void>;
}

/** Starts a redis-server on a free port and the OpenAI fixture (0 ms, echo) in its own process. */
export async function startBenchBackends(): Promise<BenchBackends> {
  const redis = await startRedisServer();
  const fixture = spawn(
    process.execPath,
    ['--import', 'tsx', `${ROOT}/test/fixtures/serve.ts`, 'openai'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const [line] = (await once(createInterface({ input: fixture.stdout! }), 'line')) as [string];
  return {
    redis,
    fixture,
    lmUrl: (JSON.parse(line) as { url: string }).url,
    connection: { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null },
    stop: async () => {
      if (fixture.exitCode === null && fixture.signalCode === null) {
        const exited = once(fixture, 'exit');
        fixture.kill('SIGTERM');
        await exited;
      }
      await redis.stop();
    },
  };
}
