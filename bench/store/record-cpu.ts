/**
 * CPU of writing one succeeded execution record through the Redis store, as a node does at the
 * end of a first delivery (`executions.recordSucceeded`: one insert script), against a floor of
 * one plain `HSET <key> json <the record's JSON>` per record on a client of the same kind
 * (auto-pipelined ioredis). The record is shaped like a `qa` job's: inputs `{ question }`,
 * outputs `{ answer }`, per-model usage and (unless `--no-trace`) a one-entry trace.
 *
 * Starts its own redis-server; 8 writers at a time; rounds alternate the variants. Prints per
 * variant the median and min–max over rounds of node CPU (µs of this process per record,
 * `process.cpuUsage`), Redis CPU (µs per record, `INFO cpu` used_cpu_user + used_cpu_sys delta)
 * and Redis commands per record (`INFO commandstats`, script calls included). CPU time, not wall
 * time, so it holds on a loaded machine. `--compare DIR` adds the `recordSucceeded` of another
 * checkout (its `src/store`, same server, same rounds): before → after in one run. After the
 * rounds, one more pass per variant counts the promises this process creates per record (V8
 * promise hooks, on only for that pass). `--als` runs every write inside an AsyncLocalStorage
 * scope, as a node's job path does (on Node 20 every promise then also pays its hooks).
 *
 *   npx tsx bench/store/record-cpu.ts [--rounds 7] [--records 8000] [--no-trace] [--als] [--compare DIR]
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promiseHooks } from 'node:v8';
import { Redis } from 'ioredis';
import { RedisStore, type ExecutionSucceeded } from '../../src/store/index.js';
import { startRedisServer } from '../../test/helpers/redis-server.js';
import { numberOption } from '../runtime/bench-setup.js';
import { quantile, redisCommandStats } from '../runtime/measure.js';

const ROUNDS = numberOption('--rounds', 7);
const RECORDS = numberOption('--records', 8000);
const WITH_TRACE = !process.argv.includes('--no-trace');
const COMPARE = process.argv.includes('--compare')
  ? resolve(process.argv[process.argv.indexOf('--compare') + 1] ?? '.')
  : undefined;
const ALS = process.argv.includes('--als') ? new AsyncLocalStorage<number>() : undefined;
const CONCURRENCY = 8;
const TTL_SECONDS = 7 * 24 * 3600; // the node's default `retention.executionTtlSeconds`

/** The `recordSucceeded` input a node writes for the `i`-th `qa` job. */
function qaRecord(i: number): ExecutionSucceeded {
  const inputs = { question: `What is the capital of country number ${i}? Answer in one word.` };
  const outputs = { answer: `Capital-${i}` };
  return {
    id: `exec-${i}-${Math.random().toString(36).slice(2, 12)}`,
    program: 'qa',
    inputs,
    node: 'node-4242',
    outputs,
    usage: {
      'openai/gpt-4o-mini': {
        promptTokens: 171,
        completionTokens: 12,
        totalTokens: 183,
        cost: 0.00003285,
        calls: 1,
      },
    },
    ...(WITH_TRACE ? { trace: [{ predictor: 'self', inputs, outputs }] } : {}),
    durationMs: 3,
  };
}

interface Sample {
  nodeUs: number;
  redisUs: number;
  commands: number;
}

async function redisCpuUs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string): number =>
    Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? Number.NaN);
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1e6;
}

async function commandCount(redis: Redis): Promise<number> {
  let total = 0;
  for (const [name, n] of await redisCommandStats(redis)) if (name !== 'info') total += n;
  return total;
}

/** Runs `write(i)` for `n` records, `CONCURRENCY` at a time; returns the CPU it cost per record. */
async function measure(
  admin: Redis,
  n: number,
  offset: number,
  write: (i: number) => Promise<unknown>,
): Promise<Sample> {
  await admin.flushall();
  const redisBefore = await redisCpuUs(admin);
  const commandsBefore = await commandCount(admin);
  let next = 0;
  const writer = async (): Promise<void> => {
    while (next < n) {
      const i = offset + next++;
      await (ALS === undefined ? write(i) : ALS.run(i, write, i));
    }
  };
  const start = process.cpuUsage();
  await Promise.all(Array.from({ length: CONCURRENCY }, writer));
  const used = process.cpuUsage(start);
  const redisAfter = await redisCpuUs(admin);
  const commandsAfter = await commandCount(admin);
  return {
    nodeUs: (used.user + used.system) / n,
    redisUs: (redisAfter - redisBefore) / n,
    commands: (commandsAfter - commandsBefore) / n,
  };
}

const spread = (xs: number[], digits = 1): string =>
  `${quantile(xs, 0.5).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;

const server = await startRedisServer();
const admin = new Redis(server.url);
const plain = new Redis(server.url, { enableAutoPipelining: true });
const storeOptions = { redis: server.url, prefix: 'bench:store', executionTtlSeconds: TTL_SECONDS };
const store = new RedisStore(storeOptions);
const before =
  COMPARE === undefined
    ? undefined
    : new (
        (await import(pathToFileURL(join(COMPARE, 'src/store/index.ts')).href)) as {
          RedisStore: typeof RedisStore;
        }
      ).RedisStore(storeOptions);
try {
  const variants: Record<string, (i: number) => Promise<unknown>> = {
    recordSucceeded: (i) => store.executions.recordSucceeded(`job-${i}`, qaRecord(i)),
    'plain HSET': (i) => plain.hset(`bench:plain:${i}`, 'json', JSON.stringify(qaRecord(i))),
  };
  if (before !== undefined)
    variants[`recordSucceeded of ${COMPARE}`] = (i) =>
      before.executions.recordSucceeded(`job-${i}`, qaRecord(i));
  const names = Object.keys(variants);
  const samples = new Map<string, Sample[]>(names.map((n) => [n, []]));
  let offset = 0;
  // Warm-up (JIT, script cache, connections): not reported.
  for (const name of names) {
    await measure(admin, Math.min(RECORDS, 1000), offset, variants[name]!);
    offset += RECORDS;
  }
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      samples.get(name)!.push(await measure(admin, RECORDS, offset, variants[name]!));
      offset += RECORDS;
    }
  }
  const promises = new Map<string, number>();
  for (const name of names) {
    let created = 0;
    const stop = promiseHooks.onInit(() => {
      created++;
    });
    try {
      await measure(admin, 1000, offset, variants[name]!);
    } finally {
      stop();
    }
    offset += RECORDS;
    promises.set(name, created / 1000);
  }
  console.log(
    `${RECORDS} records × ${ROUNDS} rounds, concurrency ${CONCURRENCY}, trace ${WITH_TRACE ? 'on' : 'off'}, ALS ${ALS === undefined ? 'off' : 'on'}; median (min–max) over rounds`,
  );
  // Each variant against recordSucceeded of this checkout in the same round: a ratio is steadier
  // than either number on a loaded machine.
  const ours = samples.get('recordSucceeded')!;
  const ratio = (s: Sample[], field: 'nodeUs' | 'redisUs'): string =>
    spread(
      s.map((x, i) => x[field] / ours[i]![field]),
      2,
    );
  console.log(
    '| variant | node µs/record | Redis µs/record | Redis commands/record | promises/record | node ÷ recordSucceeded, per round | Redis ÷ recordSucceeded, per round |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const name of names) {
    const s = samples.get(name)!;
    console.log(
      `| ${name} | ${spread(s.map((x) => x.nodeUs))} | ${spread(s.map((x) => x.redisUs))} | ${spread(
        s.map((x) => x.commands),
        2,
      )} | ${promises.get(name)!.toFixed(1)} | ${ratio(s, 'nodeUs')} | ${ratio(s, 'redisUs')} |`,
    );
  }
} finally {
  await store.close();
  await before?.close();
  plain.disconnect();
  admin.disconnect();
  await server.stop();
}
