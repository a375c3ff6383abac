import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { eventually } from './async-helpers.js';

/** A message a consumer node sends over IPC (see fixtures/consumer-node.ts). */
export interface NodeMessage {
  readonly node: string;
  readonly pid: number;
  readonly at: number;
  readonly type: 'ready' | 'started' | 'finished' | 'connection';
  readonly jobId?: string;
  readonly attempt?: number;
  readonly client?: string;
  readonly state?: string;
}

/** A consumer node running as a separate OS process, and what it reported. */
export interface NodeProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly messages: NodeMessage[];
  /** Resolves once the node's consumer is ready. */
  ready(): Promise<void>;
  /** Stops it gracefully (or kills it if it is still alive after 5 s). */
  stop(): Promise<void>;
  kill(): void;
}

const fixture = fileURLToPath(new URL('./fixtures/consumer-node.ts', import.meta.url));

export function startNode(
  name: string,
  config: { redisUrl: string; prefix: string; queue: string; concurrency: number; jobMs: number },
): NodeProcess {
  const child = fork(fixture, [], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      NODE_NAME: name,
      REDIS_URL: config.redisUrl,
      PREFIX: config.prefix,
      QUEUE: config.queue,
      CONCURRENCY: String(config.concurrency),
      JOB_MS: String(config.jobMs),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const messages: NodeMessage[] = [];
  child.on('message', (message) => messages.push(message as NodeMessage));
  child.on('error', () => undefined); // a send to a killed node; the test sees the exit instead
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    child,
    messages,
    ready: () =>
      eventually(() => messages.some((m) => m.type === 'ready'), 15_000, `node ${name} ready`),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.send('stop');
      else child.kill('SIGKILL');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
    kill: () => void child.kill('SIGKILL'),
  };
}
