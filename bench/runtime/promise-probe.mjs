// Preloaded by bench/runtime/promises-per-job.ts (NODE_OPTIONS=--import=…): counts every promise
// this process creates and writes the count to $PROMISE_PROBE_DIR/<pid> every 20 ms.
import { writeFileSync } from 'node:fs';
import { setInterval } from 'node:timers';
import { promiseHooks } from 'node:v8';

let created = 0;
promiseHooks.onInit(() => {
  created++;
});
const file = `${process.env.PROMISE_PROBE_DIR}/${process.pid}`;
setInterval(() => writeFileSync(file, String(created)), 20).unref();
