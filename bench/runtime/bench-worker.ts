import { Worker, type Processor } from 'bullmq';
import { BULLMQ_TRANSPORT_DEFAULTS } from '../../src/transport/index.js';

/**
 * Starts a plain BullMQ `Worker` on `queue` with a dspex node's lock and stall settings, prints
 * `{"ready":true}` once it consumes, and closes on SIGTERM: the baselines of bench/runtime.
 */
export async function startBenchWorker(
  url: string,
  prefix: string,
  queue: string,
  concurrency: number,
  processor: Processor,
): Promise<void> {
  const u = new URL(url);
  const worker = new Worker(queue, processor, {
    prefix,
    concurrency,
    connection: { host: u.hostname, port: Number(u.port), maxRetriesPerRequest: null },
    lockDuration: BULLMQ_TRANSPORT_DEFAULTS.lockDuration,
    stalledInterval: BULLMQ_TRANSPORT_DEFAULTS.stalledInterval,
    maxStalledCount: BULLMQ_TRANSPORT_DEFAULTS.maxStalledCount,
  });
  worker.on('error', () => undefined);
  await worker.waitUntilReady();
  process.stdout.write('{"ready":true}\n');
  process.on('SIGTERM', () => void worker.close().then(() => process.exit(0)));
}
