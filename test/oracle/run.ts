/**
 * `npx tsx test/oracle/run.ts FILE.scn`: runs a supervision scenario on the TS kernel and prints
 * the numbered event log exactly as the project's Erlang driver (test/oracle/driver/dspex_oracle.escript) does.
 * Exit status: 0 ok, 2 parse/validation error (`driver: FILE:LINE: message` on stderr),
 * 3 run-time scenario error.
 */
import { runScenarioFile } from './lib/run-file.js';

const out = await runScenarioFile(process.argv.slice(2));
process.stdout.write(out.stdout);
process.stderr.write(out.stderr);
process.exitCode = out.code;
