import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root and its `dspex` binary. */
export const ROOT = resolve(new URL('../..', import.meta.url).pathname);
export const BIN = join(ROOT, 'bin', 'dspex.js');
export const EXAMPLE_PROGRAMS = join(ROOT, 'examples', 'programs.ts');

/** The parent's environment without anything that would steer the CLI or the example LM. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(DSPEX_|OPENAI_|ANTHROPIC_)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** A fresh directory holding `dspex.config.json` with `config`. */
export function projectDir(config: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dspex-int-'));
  writeFileSync(
    join(dir, 'dspex.config.json'),
    JSON.stringify({ programs: EXAMPLE_PROGRAMS, ...config }, null, 2),
  );
  return dir;
}

/** The outcome of one CLI process. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/dspex.js ...args` to completion (killed after `timeoutMs`). */
export function runDspex(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: options.env ?? cleanEnv(),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 90_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/** A `dspex start` process. */
export interface DaemonProcess {
  readonly child: ChildProcess;
  readonly cwd: string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
  /** The parsed `.dspex/node-<pid>.json` of this node, once the daemon has written it. */
  waitForState(
    timeoutMs?: number,
  ): Promise<{ pid: number; port: number; nodeId: string; token?: string }>;
  /** Resolves once stdout contains `text`. */
  waitForOutput(text: string, timeoutMs?: number): Promise<void>;
  /** SIGKILL if still running (test cleanup). */
  kill(): void;
}

async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => T | undefined,
  exited: () => boolean,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (exited()) throw new Error(`the daemon exited while waiting for ${what}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Spawns `node bin/dspex.js start` in `cwd`. */
export function startDaemonProcess(
  cwd: string,
  env: NodeJS.ProcessEnv = cleanEnv(),
  args: string[] = [],
): DaemonProcess {
  const child = spawn(process.execPath, [BIN, 'start', ...args], { cwd, env });
  let stdout = '';
  let stderr = '';
  let done = false;
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) =>
    child.once('close', (code) => {
      done = true;
      r(code);
    }),
  );
  const stateFile = join(cwd, '.dspex', `node-${child.pid}.json`);
  return {
    child,
    cwd,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitForState: (timeoutMs = 90_000) =>
      until(
        `${stateFile} (stderr: ${stderr.slice(-500)})`,
        timeoutMs,
        () => (existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, 'utf8')) : undefined),
        () => done,
      ),
    waitForOutput: (text, timeoutMs = 90_000) =>
      until(
        `"${text}" on stdout`,
        timeoutMs,
        () => (stdout.includes(text) ? true : undefined),
        () => done,
      ).then(() => undefined),
    kill: () => {
      if (!done) child.kill('SIGKILL');
    },
  };
}
