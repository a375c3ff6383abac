/**
 * Wall time of one optimization on 1 vs 2 runtime nodes, real processes: a COPRO run of the
 * quality benchmark's `sentiment` task (simulated world behind the OpenAI fixture, with a per-call
 * latency standing in for a real LM) whose candidate evaluations go out as evaluation shards.
 * Three clusters share one redis-server under their own prefixes: one node alone, and two nodes
 * together; each round runs the same optimization on both (alternating which goes first), plus
 * what a user would run instead: the same COPRO in one process with a local `Evaluate`.
 *
 *   npx tsx bench/run.ts optimize-nodes [--rounds 3] [--latency 30] [--train 24] [--optimizer gepa|simba]
 *
 * `--optimizer gepa` times a GEPA run instead (`maxMetricCalls` 150, no merge): its minibatch and
 * validation evaluations go out as traced evaluation shards; reflection stays on the run's node.
 * `--optimizer simba` times a SIMBA run (bsize 8, 3 candidates, 3 steps): its candidates'
 * mini-batch scores and the final trainset evaluation go out as shards; trajectory sampling and
 * the rules stay on the run's node.
 *
 * Prints per setup the median and spread (min–max) of the wall times, and the speed-up.
 */
import { Queue } from 'bullmq';
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { openai } from '../../src/lm/index.js';
import { Predict, context } from '../../src/modules/index.js';
import { COPRO, GEPA, SIMBA, type GepaMetric } from '../../src/optimizers/index.js';
import { RedisStore } from '../../src/store/index.js';
import { startRedisServer } from '../../test/helpers/redis-server.js';
import { ROOT, spawnNode, type NodeProcess } from '../../test/runtime/fixtures/node-process.js';
import {
  isFinal,
  submitOptimization,
  waitForRun,
} from '../../test/runtime/fixtures/optimize-cluster.js';
import { SIM_TASK, exactLabel, startSimWorld } from '../../test/runtime/fixtures/sim-world.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    latency: { type: 'string', default: '30' },
    train: { type: 'string', default: '24' },
    optimizer: { type: 'string', default: 'copro' },
  },
});
if (!['copro', 'gepa', 'simba'].includes(values.optimizer))
  throw new Error(`--optimizer must be copro, gepa or simba, got ${values.optimizer}`);
const gepa = values.optimizer === 'gepa';
const simba = values.optimizer === 'simba';
const rounds = Number(values.rounds);
const PROGRAMS = join(ROOT, 'test', 'runtime', 'fixtures', 'optimize-programs.ts');
// Per node: 2 program slots → one evaluation shard at a time, 3 examples of it at once.
const COPRO_PARAMS = { breadth: 4, depth: 2, initTemperature: 1.0 };
const GEPA_PARAMS = { maxMetricCalls: 150, useMerge: false, seed: 0, concurrency: 3 };
const SIMBA_PARAMS = { bsize: 8, numCandidates: 3, maxSteps: 3, concurrency: 3 };
const PARAMS = {
  metric: 'exact',
  ...(gepa ? GEPA_PARAMS : simba ? SIMBA_PARAMS : COPRO_PARAMS),
  shards: 4,
  shardConcurrency: 3,
  deploy: false,
};

const redis = await startRedisServer();
const world = await startSimWorld({ train: Number(values.train), val: 1, test: 1 });
world.fixture.latencyMs = Number(values.latency);
const clusters = [
  { name: '1 node', prefix: `optb1-${process.pid}`, ids: ['one-a'] },
  { name: '2 nodes', prefix: `optb2-${process.pid}`, ids: ['two-a', 'two-b'] },
];
const nodes: NodeProcess[] = [];
const stores: RedisStore[] = [];
const queues: Queue[] = [];
try {
  for (const c of clusters)
    for (const nodeId of c.ids)
      nodes.push(
        spawnNode({
          nodeId,
          redisUrl: redis.url,
          prefix: c.prefix,
          lmUrl: world.fixture.url,
          concurrency: 2,
          extraConfig: { programs: PROGRAMS },
        }),
      );
  await Promise.all(nodes.map((n) => n.ready));
  for (const c of clusters) {
    stores.push(new RedisStore({ redis: redis.url, prefix: `${c.prefix}:store` }));
    const q = new Queue('dspex-optimize', {
      prefix: c.prefix,
      connection: { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null },
    });
    q.on('error', () => undefined);
    queues.push(q);
  }
  const lm = openai({
    model: 'sim-small',
    apiKey: 'sim',
    baseURL: world.fixture.url,
    cache: false,
    retry: { maxAttempts: 1 },
  });
  const setups: { name: string; run: () => Promise<number> }[] = [
    ...clusters.map((c, i) => ({
      name: `runtime, ${c.name}`,
      run: async () => {
        const runId = await submitOptimization(stores[i]!, queues[i]!, {
          program: 'sentiment',
          optimizer: values.optimizer,
          trainset: world.train,
          params: PARAMS,
        });
        const run = await waitForRun(stores[i]!, runId, isFinal, 600_000);
        if (run.status !== 'succeeded') throw new Error(`run ${runId} ${run.status}`);
        return run.bestScore ?? Number.NaN;
      },
    })),
    {
      name: 'one process, local Evaluate',
      run: async () => {
        const student = new Predict(SIM_TASK.signature);
        if (gepa) {
          const metric = exactLabel as GepaMetric;
          const r = await context({ lm }, () =>
            new GEPA({ metric, reflectionLm: lm, ...GEPA_PARAMS, concurrency: 3 }).optimize(
              student,
              { trainset: world.train },
            ),
          );
          return r.valAggregateScores[r.bestIdx]! * 100;
        }
        if (simba) {
          const r = await context({ lm }, () =>
            new SIMBA({ metric: exactLabel, promptModel: lm, ...SIMBA_PARAMS }).optimize(student, {
              trainset: world.train,
            }),
          );
          return (r.candidates[0]?.score ?? Number.NaN) * 100;
        }
        const r = await context({ lm }, () =>
          new COPRO({ metric: exactLabel, ...COPRO_PARAMS, concurrency: 3 }).optimize(student, {
            trainset: world.train,
          }),
        );
        return r.score;
      },
    },
  ];
  const times = new Map<string, number[]>(setups.map((s) => [s.name, []]));
  const scores = new Map<string, number>();
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? setups : [...setups].reverse();
    for (const s of order) {
      const t0 = performance.now();
      scores.set(s.name, await s.run());
      times.get(s.name)!.push((performance.now() - t0) / 1000);
    }
    console.log(`round ${round + 1}/${rounds} done`);
  }
  const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 === 1
      ? s[(s.length - 1) / 2]!
      : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  console.log(
    `\n${gepa ? `GEPA maxMetricCalls ${GEPA_PARAMS.maxMetricCalls}` : simba ? `SIMBA bsize ${SIMBA_PARAMS.bsize} ${SIMBA_PARAMS.numCandidates} candidates ${SIMBA_PARAMS.maxSteps} steps` : `COPRO breadth ${COPRO_PARAMS.breadth} depth ${COPRO_PARAMS.depth}`} on sentiment, train ${world.train.length}, LM latency ${world.fixture.latencyMs} ms, ${rounds} alternating rounds`,
  );
  console.log(
    `${'setup'.padEnd(30)} ${'median s'.padStart(9)} ${'min–max s'.padStart(13)} ${'best score'.padStart(11)}`,
  );
  const base = median(times.get(setups[0]!.name)!);
  for (const s of setups) {
    const t = times.get(s.name)!;
    console.log(
      `${s.name.padEnd(30)} ${median(t).toFixed(2).padStart(9)} ${`${Math.min(...t).toFixed(2)}–${Math.max(...t).toFixed(2)}`.padStart(13)} ${scores.get(s.name)!.toFixed(2).padStart(11)}   ×${(base / median(t)).toFixed(2)} vs 1 node`,
    );
  }
} finally {
  await Promise.all(nodes.map((n) => n.kill('SIGTERM')));
  await Promise.all(queues.map((q) => q.close()));
  await Promise.all(stores.map((s) => s.close()));
  await world.fixture.close();
  await redis.stop();
}
