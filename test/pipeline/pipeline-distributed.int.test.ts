/**
 * The done-when of the pipeline DSL (issue 14): a three-stage pipeline with a fallback stage
 * (test/pipeline/fixtures/triage-programs.ts) runs in process and stage by stage as jobs over two
 * node processes on a redis-server this file owns, is optimized by BootstrapFewShot through its
 * predictors, and renders as a graph from the CLI. The LM is the OpenAI fixture: the small model
 * answers the classify stage with confidence 0.1 (so the stage falls back to the larger model,
 * whose echo answer has confidence 0.5); every other request gets the echo answer.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Example } from '../../src/modules/index.js';
import { BootstrapFewShot } from '../../src/optimizers/index.js';
import type { Pipeline } from '../../src/pipeline/index.js';
import {
  BullMQTransport,
  PipelineRunner,
  definePipeline,
  type JsonObject,
} from '../../src/transport/index.js';
import { startOpenAIFixture, type LMFixture } from '../fixtures/index.js';
import { startRedisServer, type RedisServerHandle } from '../helpers/redis-server.js';
import { ROOT, runDspex, spawnNode, type NodeProcess } from '../runtime/fixtures/node-process.js';

const PROGRAMS = join(ROOT, 'test', 'pipeline', 'fixtures', 'triage-programs.ts');
const RUNS = 12;

interface FinalState {
  ticket: string;
  text: string;
  cleanedOn: number;
  category: string;
  confidence: number;
  reply: string;
}

describe('a three-stage pipeline with a fallback stage', () => {
  const prefix = `pipe-${process.pid}`;
  let redisServer: RedisServerHandle;
  let fixture: LMFixture;
  let nodes: NodeProcess[] = [];
  let transport: BullMQTransport;
  let triage: Pipeline;

  beforeAll(async () => {
    redisServer = await startRedisServer();
    fixture = await startOpenAIFixture();
    fixture.handle((req) => {
      const body = req.body as { model?: string; messages?: { content?: unknown }[] };
      const system = JSON.stringify(body.messages?.[0]?.content ?? '');
      if (body.model === 'gpt-4o-mini' && system.includes('`confidence`'))
        return {
          text: '[[ ## category ## ]]\nunsure\n\n[[ ## confidence ## ]]\n0.1\n\n[[ ## completed ## ]]',
        };
      return undefined;
    });
    fixture.latencyMs = 20;
    process.env['DSPEX_TEST_LM_URL'] = fixture.url;
    triage = (await import('./fixtures/triage-programs.js')).triage as unknown as Pipeline;
    nodes = ['pipe-a', 'pipe-b'].map((nodeId) =>
      spawnNode({
        nodeId,
        redisUrl: redisServer.url,
        prefix,
        lmUrl: fixture.url,
        concurrency: 2,
        extraConfig: { programs: PROGRAMS },
      }),
    );
    await Promise.all(nodes.map((n) => n.ready));
    transport = new BullMQTransport({ url: redisServer.url, prefix });
  }, 60_000);

  afterAll(async () => {
    delete process.env['DSPEX_TEST_LM_URL'];
    await Promise.all(nodes.map((n) => n.kill('SIGTERM')));
    await transport?.close();
    await fixture?.close();
    await redisServer?.stop();
  });

  it('runs_in_process_falling_back_to_the_larger_model_for_the_classify_stage', async () => {
    const pred = await triage.call({ ticket: '  the app crashes on start  ' });
    const state = pred.toDict() as unknown as FinalState;
    expect(state.text).toBe('the app crashes on start');
    expect(state.confidence).toBe(0.5);
    expect(state.category).toMatch(/^category-/);
    expect(state.reply).toMatch(/^reply-/);
    const models = fixture.requests.map((r) => (r.body as { model: string }).model);
    expect(models).toEqual(['gpt-4o-mini', 'gpt-4o', 'gpt-4o-mini']);
  });

  it('runs_stage_by_stage_as_jobs_over_two_node_processes_with_the_same_results', async () => {
    const runner = new PipelineRunner({
      transport,
      pipeline: definePipeline({
        name: 'triage',
        stages: Object.fromEntries(triage.nodes().map((n) => [n.id, { after: [...n.after] }])),
      }),
    });
    const tickets = Array.from({ length: RUNS }, (_, i) => `ticket number ${i}`);
    const results = await Promise.all(
      tickets.map(async (ticket) => {
        const runId = await runner.startRun({ ticket } as JsonObject);
        return (await runner.waitForRun(runId, 30_000)).outputs;
      }),
    );
    const finals = results.map((r) => (r['reply'] as unknown as { outputs: FinalState }).outputs);
    for (const [i, state] of finals.entries()) {
      const local = (await triage.call({ ticket: tickets[i] as string })).toDict();
      expect({ ...state, cleanedOn: 0 }).toEqual({ ...local, cleanedOn: 0 });
      expect(state.confidence).toBe(0.5);
    }
    // The stage jobs were taken by both node processes (never by this test process).
    const pids = new Set(finals.map((s) => s.cleanedOn));
    expect([...pids].sort()).toEqual(nodes.map((n) => n.child.pid).sort());
    expect(pids.has(process.pid)).toBe(false);
    await runner.close();
  });

  it('is_optimized_by_bootstrap_few_shot_through_its_stage_predictors', async () => {
    const trainset = ['printer on fire', 'refund please', 'cannot log in'].map((ticket) =>
      new Example({ ticket }).withInputs('ticket'),
    );
    const compiled = await new BootstrapFewShot({
      metric: (_gold, pred) => Number(pred['confidence']) >= 0.5 && pred['reply'] !== undefined,
      maxBootstrappedDemos: 2,
      maxLabeledDemos: 0,
    }).compile(triage, { trainset });
    const demos = Object.fromEntries(
      compiled.namedPredictors().map(([name, p]) => [name, p.demos.length]),
    );
    // The small model's rejected answers were never kept: only the fallback and reply learn.
    expect(demos).toEqual({
      'classify.attempts[0].module': 0,
      'classify.attempts[1].module': 2,
      reply: 2,
    });
    const saved = compiled.save();
    const reloaded = triage.deepCopy().load(saved);
    expect(reloaded.namedPredictors()[1]?.[1].demos).toHaveLength(2);
    const demo = compiled.namedPredictors()[2]?.[1].demos[0] as Example;
    expect(demo.toDict()).toMatchObject({ category: expect.stringMatching(/^category-/) });
    expect(demo['reply']).toMatch(/^reply-/);
  });

  it('renders_as_a_mermaid_graph_from_the_cli', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dspex-graph-'));
    try {
      writeFileSync(join(dir, 'dspex.config.json'), JSON.stringify({ programs: PROGRAMS }));
      const { code, stdout, stderr } = await runDspex(['graph', 'triage'], dir);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toMatch(/^flowchart TD\n/);
      for (const part of [
        '["clean: transform"]',
        '("classify#1: Predict<br/>text → category, confidence")',
        '-.->|on failure|',
        '("reply: Predict<br/>text, category → reply")',
      ])
        expect(stdout).toContain(part);
      const unknown = await runDspex(['graph', 'nope'], dir);
      expect(unknown.code).toBe(4);
      expect(unknown.stderr).toContain('triage');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
