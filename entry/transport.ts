/**
 * `dspex/transport`: the job-queue interface with its BullMQ and in-memory implementations, and
 * DAG pipelines over it (the runtime's queues are built on these).
 *
 * @example
 * ```ts
 * import { MemoryTransport } from 'dspex/transport';
 * const transport = new MemoryTransport();
 * ```
 */
export * from '../src/transport/index.js';
