/** A stream the CLI writes to (process.stdout / process.stderr, or a buffer in tests). */
export interface OutputStream {
  write(text: string): unknown;
  /** True for a terminal: colours off, but live progress bars and `--watch` redraws on. */
  isTTY?: boolean;
}

/** Everything the CLI touches outside itself, injected so tests can run it in-process. */
export interface CliIO {
  stdout: OutputStream;
  stderr: OutputStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Epoch ms. */
  now(): number;
  /** Waits `ms` (or until `signal` aborts): the `--watch` tick. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Aborted on SIGINT/SIGTERM while a command such as `inspect --watch` runs. */
  interrupt: AbortSignal;
}

/** The real process's IO. */
export function processIO(interrupt: AbortSignal): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    now: () => Date.now(),
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      }),
    interrupt,
  };
}
