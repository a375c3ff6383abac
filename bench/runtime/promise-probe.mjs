// Preloaded by bench/runtime/promises-per-job.ts (NODE_OPTIONS=--import=…): counts every promise
// this process creates and writes the count to $PROMISE_PROBE_DIR/<pid> every 20 ms.
import { renameSync, writeFileSync } from 'node:fs';
import { setInterval } from 'node:timers';
import { promiseHooks } from 'node:v8';

let created = 0;
promiseHooks.onInit(() => {
  created++;
});
const file = `${process.env.PROMISE_PROBE_DIR}/${process.pid}`;
// Written aside and renamed: a reader never sees a half-written (truncated) count.
setInterval(() => {
  writeFileSync(`${file}.tmp`, String(created));
  renameSync(`${file}.tmp`, file);
}, 20).unref();
