import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Path of the real Erlang driver (repo-relative ../shared/oracle/driver.escript by default). */
/**
 * The reference OTP driver: `DSPEX_ORACLE_DRIVER`, else `shared/oracle/driver.escript` beside the
 * checkout, else the team machines' `/work/shared/oracle/driver.escript` (a clone elsewhere on them).
 * The project does not ship its own driver yet (issue 7 item 7 is open on that point).
 */
export const DRIVER_PATH =
  process.env['DSPEX_ORACLE_DRIVER'] ??
  [
    resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/oracle/driver.escript'),
    '/work/shared/oracle/driver.escript',
  ].find((path) => existsSync(path)) ??
  resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/oracle/driver.escript');

/** Whether escript and the driver are available. */
export function driverAvailable(): Promise<boolean> {
  if (!existsSync(DRIVER_PATH)) return Promise.resolve(false);
  return new Promise((res) =>
    execFile('escript', ['-s', DRIVER_PATH], (err) =>
      res(err === null || (err as { code?: unknown }).code !== 'ENOENT'),
    ),
  );
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
