import type { Job, JobType } from 'bullmq';
import type { JobInfo, JobProgress, JobState, JsonObject, JsonValue } from '../types.js';

/**
 * BullMQ's states folded onto the transport's: `prioritized`, `paused` and `waiting-children` are
 * kinds of waiting. `unknown` (a job removed between two calls) maps to `undefined`.
 */
export function mapBullState(state: string): JobState | undefined {
  switch (state) {
    case 'waiting':
    case 'wait':
    case 'prioritized':
    case 'paused':
    case 'waiting-children':
      return 'waiting';
    case 'delayed':
    case 'active':
    case 'completed':
    case 'failed':
      return state;
    default:
      return undefined;
  }
}

/** BullMQ job types that make up each transport state (for counts and listings). */
export const BULL_TYPES_OF: Record<JobState, readonly JobType[]> = {
  waiting: ['wait', 'prioritized', 'paused', 'waiting-children'],
  delayed: ['delayed'],
  active: ['active'],
  completed: ['completed'],
  failed: ['failed'],
};

function toProgress(value: unknown): JobProgress {
  if (typeof value === 'number') return value;
  if (typeof value === 'object' && value !== null && !Array.isArray(value))
    return value as JsonObject;
  return 0;
}

/** A transport snapshot of a BullMQ job in a known state. */
export function toJobInfo(job: Job, queue: string, state: JobState): JobInfo {
  const info: JobInfo = {
    id: job.id ?? '',
    queue,
    data: job.data as JsonObject,
    state,
    attemptsMade: job.attemptsMade,
    attempts: job.opts.attempts ?? 1,
    stalledCount: job.stalledCounter ?? 0,
    started: job.attemptsStarted ?? 0,
    progress: toProgress(job.progress),
    priority: job.priority ?? 0,
    createdAt: job.timestamp,
    ...(state === 'completed' ? { returnvalue: (job.returnvalue ?? null) as JsonValue } : {}),
    ...(job.failedReason ? { failedReason: job.failedReason } : {}),
    ...(job.processedOn === undefined ? {} : { startedAt: job.processedOn }),
    ...(job.finishedOn === undefined || (state !== 'completed' && state !== 'failed')
      ? {}
      : { finishedAt: job.finishedOn }),
  };
  return info;
}
