import {
  BullMQTransport,
  JOB_STATES,
  TransportError,
  type JobInfo,
  type JobState,
} from '../../transport/index.js';
import type { CliDeps } from '../cli-deps.js';
import { requireRedis, resolveQueueTarget, type QueueTarget } from '../cli-config.js';
import { CliError } from '../cli-error.js';
import { assertRedisReachable } from '../redis-access.js';
import { formatDuration } from '../tree-render.js';

/** Options shared by the `dspex jobs` subcommands. */
export interface JobsOptions {
  config?: string;
  redis?: string;
  prefix?: string;
  queue?: string;
  json?: boolean;
}

async function withTransport<T>(
  deps: CliDeps,
  options: JobsOptions,
  command: string,
  work: (transport: BullMQTransport, queue: string, target: QueueTarget) => Promise<T>,
): Promise<T> {
  const target = await resolveQueueTarget(deps.io, options);
  const url = requireRedis(target, command);
  await assertRedisReachable(url);
  const transport = new BullMQTransport({ url, prefix: target.prefix });
  try {
    return await work(transport, options.queue ?? target.runQueue, target);
  } catch (e) {
    if (e instanceof TransportError && e.code === 'job_not_found')
      throw new CliError('not_found', e.message, { cause: e, details: { ...e.details } });
    if (e instanceof TransportError && (e.code === 'invalid_state' || e.code === 'invalid_job_id'))
      throw new CliError('usage', e.message, { cause: e, details: { ...e.details } });
    throw e;
  } finally {
    await transport.close();
  }
}

/** Validates `--state`. */
export function parseJobState(value: string): JobState {
  if ((JOB_STATES as readonly string[]).includes(value)) return value as JobState;
  throw new CliError('usage', `unknown job state '${value}' (one of: ${JOB_STATES.join(', ')})`);
}

/**
 * The program a job names, or `?` when its data is not a dspex job (null, a string, an array, an
 * object without a string `program`: any producer may write to the queue).
 */
export function jobProgram(data: unknown): string {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return '?';
  const program = (data as Record<string, unknown>).program;
  return typeof program === 'string' ? oneLine(program) : '?';
}

/** Text on one table line: line breaks and tabs shown as ` ⏎ ` and spaces. */
function oneLine(text: string): string {
  return text.replace(/\r?\n/g, ' ⏎ ').replace(/[\t\r]/g, ' ');
}

/**
 * Runs of a job that have ended. On a node's run queue the node owns retries: a run that fails
 * and is retried ends in a `DelayJobError` (the job waits in `delayed`), which BullMQ does not
 * count in `attemptsMade`; `started` counts every run taken, minus the runs lost with a dead node
 * (`stalledCount`) and the run in progress of an active job.
 */
export function jobRuns(j: JobInfo): number {
  if (j.started === undefined) return j.attemptsMade;
  const ended = j.started - j.stalledCount - (j.state === 'active' ? 1 : 0);
  return Math.max(j.attemptsMade, ended, 0);
}

/**
 * One line per job: id, state, program, attempts (runs ended / runs allowed), age, and the failure
 * reason if any. `nodeAttempts` is the node's own `jobs.attempts` when the jobs are from its run
 * queue: a job gets `max(job.attempts, jobs.attempts)` runs there, whatever the producer set.
 */
export function renderJobTable(
  jobs: readonly JobInfo[],
  now: number,
  nodeAttempts?: number,
): string {
  if (jobs.length === 0) return '(no jobs)';
  const rows = jobs.map((j) => [
    oneLine(j.id),
    j.state,
    jobProgram(j.data),
    // A plain BullMQ producer leaves `attempts` at 0, which BullMQ runs as 1 attempt.
    `${jobRuns(j)}/${Math.max(1, j.attempts, nodeAttempts ?? 0)}`,
    `${formatDuration(now - j.createdAt)} ago`,
    oneLine(j.failedReason ?? ''),
  ]);
  const header = ['ID', 'STATE', 'PROGRAM', 'ATTEMPTS', 'CREATED', 'REASON'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows]
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `dspex jobs list [--state S] [--limit N]`: newest first; without `--state`, every state. */
export async function jobsListCommand(
  deps: CliDeps,
  options: JobsOptions & { state?: string; limit?: number },
): Promise<number> {
  const states = options.state === undefined ? [...JOB_STATES] : [parseJobState(options.state)];
  return withTransport(deps, options, 'jobs list', async (transport, queue, target) => {
    const limit = options.limit ?? 20;
    const lists = await Promise.all(states.map((s) => transport.listJobs(queue, s, { limit })));
    const jobs = lists.flat().sort((a, b) => b.createdAt - a.createdAt);
    if (options.json === true) deps.io.stdout.write(`${JSON.stringify(jobs, null, 2)}\n`);
    else {
      const counts = await transport.getCounts(queue);
      deps.io.stdout.write(
        `queue ${queue}: ${JOB_STATES.map((s) => `${s} ${counts[s]}`).join(', ')}\n${renderJobTable(jobs, deps.io.now(), queue === target.runQueue ? target.jobAttempts : undefined)}\n`,
      );
    }
    return 0;
  });
}

/** `dspex jobs show ID`: the job as JSON (exit 7 when there is none). */
export async function jobsShowCommand(
  deps: CliDeps,
  id: string,
  options: JobsOptions,
): Promise<number> {
  return withTransport(deps, options, 'jobs show', async (transport, queue) => {
    const job = await transport.getJob(queue, id);
    if (job === undefined)
      throw new CliError('not_found', `no job ${id} in queue ${queue}`, {
        details: { jobId: id, queue },
      });
    deps.io.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
    return 0;
  });
}

/** `dspex jobs retry ID`: moves a failed job back to waiting with a fresh attempt budget. */
export async function jobsRetryCommand(
  deps: CliDeps,
  id: string,
  options: JobsOptions,
): Promise<number> {
  return withTransport(deps, options, 'jobs retry', async (transport, queue) => {
    await transport.retryJob(queue, id);
    deps.io.stdout.write(`job ${id} moved back to waiting\n`);
    return 0;
  });
}
