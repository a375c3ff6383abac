/**
 * The raw BullMQ baseline of bench/runtime: one process with a plain BullMQ `Worker` whose
 * processor does nothing, on the same Redis, with the same concurrency and the same lock/stall
 * settings as a dspex node's transport. It is the ceiling a node's queue consumption can reach.
 *
 *   node --import tsx bench/runtime/raw-worker.ts REDIS_URL PREFIX QUEUE CONCURRENCY
 *
 * Prints `{"ready":true}` once it consumes; stops on SIGTERM.
 */
import { startBenchWorker } from './bench-worker.js';

const [url = 'redis://127.0.0.1:6379', prefix = 'bench', queue = 'raw', concurrency = '8'] =
  process.argv.slice(2);
await startBenchWorker(url, prefix, queue, Number(concurrency), async () => ({}));
