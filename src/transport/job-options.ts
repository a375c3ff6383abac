import { TransportError } from './errors.js';
import type {
  BackoffOptions,
  EnqueueOptions,
  JobProgress,
  JsonObject,
  ProcessOptions,
} from './types.js';

/** BullMQ's highest priority number (2^21); priorities run 1 (first) … this (last). */
export const MAX_PRIORITY = 2_097_152;

/** {@link EnqueueOptions} after validation, with defaults applied. */
export interface NormalizedEnqueueOptions {
  readonly jobId?: string;
  readonly attempts: number;
  readonly backoff?: BackoffOptions;
  readonly priority: number;
  readonly delay: number;
}

function invalid(message: string, details: Record<string, unknown>): TransportError {
  return new TransportError('invalid_options', message, { details });
}

function isNonNegativeInteger(value: number): boolean {
  return Number.isInteger(value) && value >= 0;
}

/**
 * Throws `invalid_job_id` unless `id` is usable as a custom job id in both implementations: BullMQ
 * rejects integer strings (they collide with its generated ids) and `:` (its key separator).
 */
export function assertJobId(id: string): void {
  if (typeof id !== 'string' || id.length === 0) {
    throw new TransportError('invalid_job_id', 'job id must be a non-empty string', {
      details: { jobId: id },
    });
  }
  if (`${Number.parseInt(id, 10)}` === id) {
    throw new TransportError(
      'invalid_job_id',
      `job id ${JSON.stringify(id)} must not be an integer`,
      {
        details: { jobId: id },
      },
    );
  }
  if (id.includes(':')) {
    throw new TransportError(
      'invalid_job_id',
      `job id ${JSON.stringify(id)} must not contain ":"`,
      {
        details: { jobId: id },
      },
    );
  }
}

/** Throws `invalid_options` unless `name` is a usable queue name. */
export function assertQueueName(name: string): void {
  if (typeof name !== 'string' || name.length === 0 || name.includes(':')) {
    throw invalid(`queue name ${JSON.stringify(name)} must be non-empty and contain no ":"`, {
      queue: name,
    });
  }
}

/** Throws `invalid_payload` unless `data` is a plain JSON object. */
export function assertPayload(data: unknown): asserts data is JsonObject {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new TransportError('invalid_payload', 'job data must be a JSON object', {
      details: { received: Array.isArray(data) ? 'array' : data === null ? 'null' : typeof data },
    });
  }
}

/** Validates enqueue options and applies the defaults (1 attempt, no backoff, no priority, no delay). */
export function normalizeEnqueueOptions(options: EnqueueOptions = {}): NormalizedEnqueueOptions {
  const { jobId, attempts = 1, backoff, priority = 0, delay = 0 } = options;
  if (jobId !== undefined) assertJobId(jobId);
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw invalid(`attempts must be an integer >= 1, got ${String(attempts)}`, { attempts });
  }
  if (!isNonNegativeInteger(priority) || priority > MAX_PRIORITY) {
    throw invalid(`priority must be an integer in 0..${MAX_PRIORITY}, got ${String(priority)}`, {
      priority,
    });
  }
  if (!isNonNegativeInteger(delay)) {
    throw invalid(`delay must be an integer >= 0 (ms), got ${String(delay)}`, { delay });
  }
  const normalizedBackoff = normalizeBackoff(backoff);
  return {
    ...(jobId === undefined ? {} : { jobId }),
    attempts,
    ...(normalizedBackoff === undefined ? {} : { backoff: normalizedBackoff }),
    priority,
    delay,
  };
}

function normalizeBackoff(
  backoff: BackoffOptions | number | undefined,
): BackoffOptions | undefined {
  if (backoff === undefined) return undefined;
  const spec = typeof backoff === 'number' ? { type: 'fixed' as const, delay: backoff } : backoff;
  if (spec.type !== 'fixed' && spec.type !== 'exponential') {
    throw invalid(
      `backoff type must be "fixed" or "exponential", got ${JSON.stringify(spec.type)}`,
      {
        backoff,
      },
    );
  }
  if (!isNonNegativeInteger(spec.delay)) {
    throw invalid(`backoff delay must be an integer >= 0 (ms), got ${String(spec.delay)}`, {
      backoff,
    });
  }
  return { type: spec.type, delay: spec.delay };
}

/**
 * Delay before the next attempt once `attemptsMade` attempts have failed (BullMQ's formula):
 * fixed → `delay`; exponential → `round(2^(attemptsMade-1) × delay)`.
 */
export function backoffDelay(backoff: BackoffOptions | undefined, attemptsMade: number): number {
  if (backoff === undefined) return 0;
  if (backoff.type === 'fixed') return backoff.delay;
  return Math.round(2 ** Math.max(0, attemptsMade - 1) * backoff.delay);
}

/** Validates consumer options; returns the concurrency (default 1). */
export function normalizeConcurrency(options: ProcessOptions = {}): number {
  const { concurrency = 1 } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw invalid(`concurrency must be an integer >= 1, got ${String(concurrency)}`, {
      concurrency,
    });
  }
  return concurrency;
}

/** Default deadline of a graceful consumer close, ms. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 30_000;

/** Throws `invalid_payload` unless `progress` is a finite number or a JSON object. */
export function assertProgress(progress: unknown): asserts progress is JobProgress {
  const ok =
    (typeof progress === 'number' && Number.isFinite(progress)) ||
    (typeof progress === 'object' && progress !== null && !Array.isArray(progress));
  if (!ok) {
    throw new TransportError(
      'invalid_payload',
      'progress must be a finite number or a JSON object',
      {
        details: { received: Array.isArray(progress) ? 'array' : typeof progress },
      },
    );
  }
}
