/**
 * How long a deploy takes to reach the other node of a Redis cluster: two runtime nodes (in this
 * process, each with its own transport, store and pub/sub connections) on a redis-server of its
 * own; each round deploys a stored configuration from one node, alternating, and times until the
 * other node's runtime reports `config_changed` for that revision. Prints median, p90 and max.
 * (Before issue 10 a change stayed on the node that made it: there is no baseline to race.)
 *
 *   npx tsx bench/variables/deploy-propagation.ts [--rounds 40]
 */
import { Predict } from '../../src/modules/index.js';
import { createLogger } from '../../src/telemetry/index.js';
import { nearestRankPercentile, v } from '../../src/variables/index.js';
import { startRuntime } from '../../supervisors/runtime.js';
import type { Runtime } from '../../supervisors/runtime-types.js';
import { startRedisServer } from '../../test/helpers/redis-server.js';

const i = process.argv.indexOf('--rounds');
const rounds = i >= 0 ? Number(process.argv[i + 1]) : 40;
const redis = await startRedisServer();
const prefix = `bench-deploy-${process.pid}`;
const programs = () => ({
  qa: new Predict('question -> answer', {
    temperature: v.float({ range: [0, 1.5], default: 0.7, overridable: true }),
  }),
});
const start = (nodeId: string): Promise<Runtime> =>
  startRuntime(
    { programs: programs(), redis: { url: redis.url, prefix } },
    { nodeId, logger: createLogger({ level: 'silent' }), trapFaults: false },
  );
const nodes = [await start('bench-a'), await start('bench-b')];
const ms: number[] = [];
try {
  for (let round = 0; round < rounds; round++) {
    const [from, to] = round % 2 === 0 ? [nodes[0]!, nodes[1]!] : [nodes[1]!, nodes[0]!];
    const point = await from.store.variableConfigurations.create({
      program: 'qa',
      values: { temperature: (round % 15) / 10 },
    });
    const t0 = performance.now();
    let latest = 0;
    let wake: () => void = () => undefined;
    const unsubscribe = to.subscribe((e) => {
      if (e.type !== 'config_changed') return;
      latest = Math.max(latest, e.revision);
      wake();
    });
    const { revision } = await from.deploy('qa', { configuration: point.id });
    while (latest < revision) await new Promise<void>((resolve) => (wake = resolve));
    ms.push(performance.now() - t0);
    unsubscribe();
  }
} finally {
  for (const n of nodes) await n.stop();
  await redis.stop();
}
const sorted = [...ms].sort((a, b) => a - b);
console.log(
  `deploy → other node serving it, ${rounds} rounds: median ${nearestRankPercentile(sorted, 0.5).toFixed(1)} ms, p90 ${nearestRankPercentile(sorted, 0.9).toFixed(1)} ms, min ${sorted[0]!.toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`,
);
