/**
 * The raw BullMQ baseline of bench/runtime: one process with a plain BullMQ `Worker` whose
 * processor does nothing, on the same Redis, with the same concurrency and the same lock/stall
 * settings as a dspex node's transport. It is the ceiling a node's queue consumption can reach.
 *
 *   node --import tsx bench/runtime/raw-worker.ts REDIS_URL PREFIX QUEUE CONCURRENCY
 *
 * Prints `{"ready":true}` once it consumes; stops on SIGTERM.
 */
import { Worker } from 'bullmq';
import { BULLMQ_TRANSPORT_DEFAULTS } from '../../src/transport/index.js';

const [url = 'redis://127.0.0.1:6379', prefix = 'bench', queue = 'raw', concurrency = '8'] =
  process.argv.slice(2);
const u = new URL(url);
const worker = new Worker(queue, async () => ({}), {
  prefix,
  concurrency: Number(concurrency),
  connection: { host: u.hostname, port: Number(u.port), maxRetriesPerRequest: null },
  lockDuration: BULLMQ_TRANSPORT_DEFAULTS.lockDuration,
  stalledInterval: BULLMQ_TRANSPORT_DEFAULTS.stalledInterval,
  maxStalledCount: BULLMQ_TRANSPORT_DEFAULTS.maxStalledCount,
});
worker.on('error', () => undefined);
await worker.waitUntilReady();
process.stdout.write('{"ready":true}\n');
process.on('SIGTERM', () => void worker.close().then(() => process.exit(0)));
