import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { startRedisServer, type RedisServerHandle } from '../../test/helpers/redis-server.js';
import { ROOT } from '../../test/runtime/fixtures/node-process.js';

/**
 * Spawns `node [nodeArgs] --import tsx script …argv` from the repository root and waits for its
 * first stdout line (how the benches' children say they are ready), which it returns.
 */
export async function spawnReady(
  script: string,
  argv: readonly string[],
  nodeArgs: readonly string[] = [],
): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script, ...argv], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return { child, line };
}

/** Stops a child with SIGTERM (SIGKILL after 10 s) and waits until it has exited. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

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
  /**
   * Sets the fixture's LM latency for every later request and checks it answered 204 (the control
   * routes live at the server's root, not under `lmUrl`'s `/v1`: posting there was a silent 404).
   */
  setLatency(ms: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a redis-server on a free port and the OpenAI fixture (0 ms, echo) in its own process. */
export async function startBenchBackends(): Promise<BenchBackends> {
  const redis = await startRedisServer();
  const { child: fixture, line } = await spawnReady(`${ROOT}/test/fixtures/serve.ts`, ['openai']);
  const { url, port } = JSON.parse(line) as { url: string; port: number };
  return {
    redis,
    fixture,
    lmUrl: url,
    setLatency: async (ms) => {
      const res = await fetch(`http://127.0.0.1:${port}/__fixture/latency`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ms }),
      });
      if (res.status !== 204) throw new Error(`fixture latency ${ms} ms: HTTP ${res.status}`);
    },
    connection: { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null },
    stop: async () => {
      await stopChild(fixture);
      await redis.stop();
    },
  };
}
