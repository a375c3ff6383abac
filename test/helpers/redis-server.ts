import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, createConnection } from 'node:net';

/** A real `redis-server` child process on a free loopback port, owned by a test run. */
export interface RedisServerHandle {
  readonly port: number;
  readonly url: string;
  /** Stops the server (SIGTERM, then SIGKILL after 2 s). */
  stop(): Promise<void>;
  /** SIGKILLs the server: for tests of Redis going away. */
  kill(): Promise<void>;
  /** Starts the server again on the same port (after stop/kill). */
  restart(): Promise<void>;
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error('no port'));
        return;
      }
      srv.close(() => resolve(addr.port));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ port, host: '127.0.0.1' });
    let buf = '';
    sock.setTimeout(500);
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      buf += d.toString();
      // A server that requires a password answers NOAUTH: it is up all the same.
      if (buf.includes('PONG') || buf.includes('NOAUTH')) {
        sock.destroy();
        resolve(true);
      }
    });
    sock.once('error', () => resolve(false));
    sock.once('timeout', () => {
      sock.destroy();
      resolve(false);
    });
  });
}

async function waitFor(
  cond: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/**
 * Spawns `redis-server` on a free port with persistence off; resolves once it answers PING.
 * `extraArgs` are appended to its command line (e.g. `['--requirepass', 'pw']`).
 */
export async function startRedisServer(
  port?: number,
  extraArgs: readonly string[] = [],
): Promise<RedisServerHandle> {
  const p = port ?? (await freePort());
  let child: ChildProcess | null = null;
  const launch = async (): Promise<void> => {
    const proc = spawn(
      'redis-server',
      [
        '--port',
        String(p),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--loglevel',
        'warning',
        ...extraArgs,
      ],
      { stdio: 'ignore' },
    );
    child = proc;
    const failed = new Promise<never>((_, reject) => {
      proc.once('error', (e) =>
        reject(
          new Error(
            `cannot spawn redis-server (install the Debian package redis-server): ${e.message}`,
          ),
        ),
      );
    });
    await Promise.race([waitFor(() => ping(p), 10_000, `redis-server on port ${p}`), failed]);
  };
  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child;
    child = null;
    if (proc === null || proc.exitCode !== null) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  };
  await launch();
  return {
    port: p,
    url: `redis://127.0.0.1:${p}`,
    stop: () => halt('SIGTERM'),
    kill: () => halt('SIGKILL'),
    restart: async () => {
      await halt('SIGTERM');
      await launch();
    },
  };
}
