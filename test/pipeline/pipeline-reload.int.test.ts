/**
 * Hot reload of hosted pipelines (issue 14), with real processes: a node process hosts the
 * programs module's `pipelines` on a redis-server of this file's own; `dspex reload` swaps them
 * with the programs. Stage jobs that start afterwards run the new code, a stage already running
 * finishes on the old one, and a version that fails to load (or changes what a reload cannot
 * change: the pipelines' names, a stage graph) leaves the served one in place. The `hold` stage
 * asks an HTTP gate this test answers when it chooses, so the order is set by construction.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BullMQTransport,
  PipelineRunner,
  definePipeline,
  type JsonObject,
} from '../../src/transport/index.js';
import { startNodeCluster, type NodeCluster } from '../helpers/node-cluster.js';
import { ROOT, runDspex } from '../runtime/fixtures/node-process.js';

const SRC = join(ROOT, 'src');
const CLI_MS = 90_000;

/**
 * A programs module whose pipeline `tag` marks what each stage returns with `version`
 * (it imports dspex as the node does, so both share one Pipeline class).
 */
function programsSource(version: string, gateUrl: string, extraStage = ''): string {
  return `
import { Predict } from ${JSON.stringify(join(SRC, 'modules', 'index.js'))};
import { pipeline } from ${JSON.stringify(join(SRC, 'pipeline', 'index.js'))};
const VERSION = ${JSON.stringify(version)};
export const pipelines = {
  tag: pipeline('tag')
    .transform('hold', async (s) => {
      if (s.hold === true) await fetch(${JSON.stringify(gateUrl)});
      return { heldBy: VERSION };
    })
    .transform('mark', () => ({ markedBy: VERSION }))${extraStage},
};
export default { qa: new Predict('question -> answer') };
`;
}

/** An HTTP gate: each request is held until `open()`; `started` resolves on the first one. */
interface Gate {
  url: string;
  started: Promise<void>;
  open(): void;
  close(): Promise<void>;
}

async function startGate(): Promise<Gate> {
  const held: ServerResponse[] = [];
  let isOpen = false;
  let onStart!: () => void;
  const started = new Promise<void>((r) => (onStart = r));
  const server: Server = createServer((_req, res) => {
    if (isOpen) res.end('open');
    else {
      held.push(res);
      onStart();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    started,
    open: () => {
      isOpen = true;
      for (const res of held.splice(0)) res.end('open');
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe('dspex reload swaps hosted pipelines (a node process on its own redis-server)', () => {
  const prefix = `pipe-reload-${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'dspex-pipe-reload-'));
  const file = join(dir, 'programs.mts'); // .mts: an ES module outside any package.json
  let gate: Gate;
  let cluster: NodeCluster;
  let transport: BullMQTransport;
  let runner: PipelineRunner<'hold' | 'mark'>;

  const reload = async () => {
    const args = ['reload', '--json', '--redis', cluster.redisServer.url, '--prefix', prefix];
    const r = await runDspex(args, dir, CLI_MS);
    if (!r.stdout.startsWith('{')) throw new Error(`dspex reload printed no JSON: ${r.stderr}`);
    const { nodes } = JSON.parse(r.stdout) as {
      nodes: { ok: boolean; version: { version: number }; error?: string }[];
    };
    return nodes[0] as (typeof nodes)[0];
  };
  const run = async (input: JsonObject): Promise<Record<string, unknown>> => {
    const runId = await runner.startRun(input);
    const { outputs } = await runner.waitForRun(runId, 30_000);
    return (outputs['mark'] as { outputs: Record<string, unknown> }).outputs;
  };

  beforeAll(async () => {
    gate = await startGate();
    writeFileSync(file, programsSource('v1', gate.url));
    cluster = await startNodeCluster({
      prefix,
      nodeIds: ['reload-a'],
      node: { lmUrl: 'http://127.0.0.1:9/v1', concurrency: 2, extraConfig: { programs: file } },
    });
    transport = new BullMQTransport({ url: cluster.redisServer.url, prefix });
    runner = new PipelineRunner({
      transport,
      pipeline: definePipeline({
        name: 'tag',
        stages: { hold: { after: [] }, mark: { after: ['hold'] } },
      }),
    });
  }, 60_000);

  afterAll(async () => {
    await runner?.close();
    await transport?.close();
    await cluster?.close();
    await gate?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'new_stage_jobs_run_the_new_code_and_a_stage_in_flight_finishes_on_the_old',
    async () => {
      expect(await run({ n: 1 })).toMatchObject({ heldBy: 'v1', markedBy: 'v1' });
      const inFlight = run({ n: 2, hold: true });
      await gate.started;
      writeFileSync(file, programsSource('v2', gate.url));
      expect(await reload()).toMatchObject({ ok: true, version: { version: 2 } });
      gate.open();
      // The hold stage was running when the code changed: it ends on v1; the mark job is new.
      expect(await inFlight).toMatchObject({ n: 2, heldBy: 'v1', markedBy: 'v2' });
      expect(await run({ n: 3 })).toMatchObject({ heldBy: 'v2', markedBy: 'v2' });
    },
    3 * CLI_MS,
  );

  it(
    'a_failed_load_or_a_changed_stage_graph_or_set_of_pipelines_keeps_the_old_version_serving',
    async () => {
      writeFileSync(file, programsSource('v3', gate.url) + '\nexport const broken = ;\n');
      const syntax = await reload();
      writeFileSync(file, programsSource('v3', gate.url, `\n    .transform('extra', () => ({}))`));
      const stages = await reload();
      writeFileSync(
        file,
        programsSource('v3', gate.url).replace('tag: pipeline', 'renamed: pipeline'),
      );
      const renamed = await reload();
      expect([syntax, stages, renamed].map((o) => [o.ok, o.version.version])).toEqual([
        [false, 2],
        [false, 2],
        [false, 2],
      ]);
      expect(syntax.error).toContain('syntax error');
      expect(stages.error).toContain("pipeline 'tag' changed its stages");
      expect(renamed.error).toContain(
        'the pipelines export changed its names (served: tag; new: renamed)',
      );
      expect(await run({ n: 4 })).toMatchObject({ heldBy: 'v2', markedBy: 'v2' });
    },
    4 * CLI_MS,
  );
});
