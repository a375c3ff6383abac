import { execFile, execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project's own OTP oracle driver (test/oracle/driver/dspex_oracle.escript): it plays a
 * scenario against Erlang/OTP's real `supervisor`. `DSPEX_ORACLE_DRIVER` may point at another
 * driver speaking the same DSL (e.g. to compare two drivers), never needed otherwise.
 */
export const DRIVER_PATH =
  process.env['DSPEX_ORACLE_DRIVER'] ??
  resolve(dirname(fileURLToPath(import.meta.url)), '../driver/dspex_oracle.escript');

/** Whether the `escript` command (Debian package erlang-base) is on the PATH. */
export function escriptInstalled(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v escript'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Runs the real driver on a scenario file: stdout, stderr and exit status. */
export function runDriver(file: string): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((res) => {
    execFile('escript', [DRIVER_PATH, file], { timeout: 120_000 }, (err, stdout, stderr) => {
      const code =
        err === null
          ? 0
          : typeof (err as { code?: unknown }).code === 'number'
            ? (err as { code: number }).code
            : -1;
      res({ stdout, stderr, code });
    });
  });
}
