import { runJobProblem } from '../../contracts/index.js';
import { readClusterNodes } from '../../daemon/index.js';
import { BullMQTransport, TransportError, type JsonObject } from '../../transport/index.js';
import type { CliDeps } from '../cli-deps.js';
import { requireRedis, resolveQueueTarget } from '../cli-config.js';
import { CliError } from '../cli-error.js';
import { parseJsonObject } from '../json-input.js';
import { openRedis } from '../redis-access.js';
import { unknownProgramError } from '../runtime-errors.js';

/** Options of `dspex submit`. */
export interface SubmitOptions {
  input: string;
  wait?: boolean;
  timeout?: number;
  version?: string;
  jobConfig?: string;
  attempts?: number;
  jobId?: string;
  config?: string;
  redis?: string;
  prefix?: string;
}

/** Default `--timeout` of `--wait`, ms. */
export const DEFAULT_WAIT_TIMEOUT_MS = 60_000;

/**
 * `dspex submit <program> --input JSON [--wait]`: a BullMQ producer on the run queue (Redis mode).
 * Before enqueueing, the program is checked against the live nodes' heartbeats (exit 4 when no
 * node hosts it); with no live node the job is queued anyway and waits for one. Prints the job id,
 * or with `--wait` the job's return value `{ outputs, executionId, usage }` as JSON.
 */
export async function submitCommand(
  deps: CliDeps,
  program: string,
  options: SubmitOptions,
): Promise<number> {
  const { io } = deps;
  const inputs = parseJsonObject(options.input, '--input');
  const jobConfig =
    options.jobConfig === undefined
      ? undefined
      : parseJsonObject(options.jobConfig, '--job-config');
  // The payload is checked with the schema the node validates it with: a bad one fails here, with
  // the node's error, instead of as a failed job.
  const data: JsonObject = { program, inputs: inputs as JsonObject };
  if (options.version !== undefined) data.version = options.version;
  if (jobConfig !== undefined) data.config = jobConfig as JsonObject;
  const problem = runJobProblem(data);
  if (problem !== undefined)
    throw new CliError('usage', problem.reason, { details: { issues: problem.issues } });
  const target = await resolveQueueTarget(io, options);
  const url = requireRedis(target, 'submit');

  const redis = await openRedis(url);
  try {
    const nodes = await readClusterNodes(redis, target.prefix);
    const known = [...new Set(nodes.flatMap((n) => n.programs))].sort();
    if (nodes.length > 0 && !known.includes(program)) throw unknownProgramError(program, known);
    if (nodes.length === 0)
      io.stderr.write(
        `warning: no live dspex node in Redis (prefix ${target.prefix}); the job waits until one starts (\`dspex start\`)\n`,
      );
  } finally {
    redis.disconnect();
  }

  const transport = new BullMQTransport({ url, prefix: target.prefix });
  try {
    const id = await transport.enqueue(target.runQueue, data, {
      attempts: options.attempts ?? 3,
      backoff: { type: 'exponential', delay: 1_000 },
      ...(options.jobId === undefined ? {} : { jobId: options.jobId }),
    });
    if (options.wait !== true) {
      io.stdout.write(`${id}\n`);
      return 0;
    }
    io.stderr.write(`job ${id} queued on ${target.runQueue}; waiting for its result\n`);
    const timeout = options.timeout ?? DEFAULT_WAIT_TIMEOUT_MS;
    try {
      const result = await transport.waitForResult(target.runQueue, id, timeout);
      io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return 0;
    } catch (e) {
      if (e instanceof TransportError && e.code === 'timeout')
        throw new CliError(
          'timeout',
          `job ${id} did not finish within ${timeout} ms (it is still queued or running: \`dspex jobs show ${id}\`)`,
          { cause: e, details: { jobId: id } },
        );
      if (e instanceof TransportError && e.code === 'job_failed')
        throw new CliError(
          'failed',
          `job ${id} failed: ${String(e.details.failedReason ?? e.message)}`,
          {
            cause: e,
            details: { jobId: id },
          },
        );
      throw e;
    }
  } catch (e) {
    if (
      e instanceof TransportError &&
      (e.code === 'invalid_job_id' || e.code === 'invalid_options')
    )
      throw new CliError('usage', e.message, { cause: e });
    throw e;
  } finally {
    await transport.close();
  }
}
