/**
 * The done-when of the pipeline DSL (issue 14): a three-stage pipeline with a fallback stage
 * (test/pipeline/fixtures/triage-programs.ts: clean → classify with a reasoning-strategy Variable,
 * falling back to a larger model → reply) runs in process and stage by stage as jobs over two node
 * processes on a redis-server this file owns (test/helpers/node-cluster.ts), is optimized by
 * BootstrapFewShot through its predictors (its held-out score rises), and renders as a graph from
 * the CLI and the package API. The LM is the OpenAI fixture answering as {@link triageLm} says.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { programSpace, toMermaid } from '../../entry/index.js';
import { Evaluate, type Metric } from '../../src/evaluate/index.js';
import { Example } from '../../src/modules/index.js';
import { BootstrapFewShot } from '../../src/optimizers/index.js';
import type { Pipeline } from '../../src/pipeline/index.js';
import {
  BullMQTransport,
  PipelineRunner,
  definePipeline,
  type JsonObject,
} from '../../src/transport/index.js';
import { startOpenAIFixture, type LMFixture, type RecordedRequest } from '../fixtures/index.js';
import { contentText } from '../fixtures/wire-common.js';
import { holdRepliesUntil } from '../helpers/lm-gate.js';
import { startNodeCluster, type NodeCluster } from '../helpers/node-cluster.js';
import { ROOT, runDspex, type NodeProcess } from '../runtime/fixtures/node-process.js';

const PROGRAMS = join(ROOT, 'test', 'pipeline', 'fixtures', 'triage-programs.ts');
const RUNS = 12;
/** Bound of one `dspex` CLI process. */
const CLI_MS = 90_000;

interface FinalState {
  ticket: string;
  text: string;
  cleanedOn: number;
  category: string;
  confidence: number;
  reply: string;
}

/** The value of one ChatAdapter field in a prompt (`[[ ## name ## ]]` then the value). */
function field(text: string, name: string): string {
  return new RegExp(`\\[\\[ ## ${name} ## \\]\\]\\n([^\\n]*)`).exec(text)?.[1]?.trim() ?? '';
}

/**
 * The fixture LM. Classify stage: the small model is unsure (confidence 0.1), so the stage falls
 * back to the larger one, which files refunds and invoices under billing, anything else under bug
 * (confidence 0.9). Reply stage: `ack <category>`, except that a ticket marked `hard` is only
 * answered so when the prompt carries demos (few-shot examples help, deterministically); without
 * them it answers `unsure`.
 */
function triageLm(req: RecordedRequest) {
  const body = req.body as { model?: string; messages?: { content?: unknown }[] };
  const messages = body.messages ?? [];
  const system = contentText(messages[0]?.content);
  const user = contentText(messages[messages.length - 1]?.content);
  const text = field(user, 'text');
  if (system.includes('`confidence`')) {
    if (body.model === 'gpt-4o-mini')
      return {
        text: '[[ ## category ## ]]\nunsure\n\n[[ ## confidence ## ]]\n0.1\n\n[[ ## completed ## ]]',
      };
    const category = /refund|invoice|charge/.test(text) ? 'billing' : 'bug';
    return {
      text: `[[ ## category ## ]]\n${category}\n\n[[ ## confidence ## ]]\n0.9\n\n[[ ## completed ## ]]`,
    };
  }
  if (system.includes('`reply`')) {
    const demos = messages.length > 2;
    const reply = demos || !text.includes('hard') ? `ack ${field(user, 'category')}` : 'unsure';
    return { text: `[[ ## reply ## ]]\n${reply}\n\n[[ ## completed ## ]]` };
  }
  return undefined;
}

/** What the triage graph shows: each stage, the strategy, both attempts and the fallback edge. */
const GRAPH_PARTS = [
  '["clean: transform"]',
  '("classify#1: Predict (strategy)<br/>text → category, confidence")',
  '-.->|on failure|',
  '("classify#2: Predict<br/>text → category, confidence")',
  '("reply: Predict<br/>text, category → reply")',
];

/** A labelled ticket: its gold category and reply. */
function ticket(text: string, category: 'bug' | 'billing'): Example {
  return new Example({ ticket: text, category, reply: `ack ${category}` }).withInputs('ticket');
}

describe('a three-stage pipeline with a fallback stage', () => {
  const prefix = `pipe-${process.pid}`;
  let cluster: NodeCluster;
  let fixture: LMFixture;
  let nodes: readonly NodeProcess[] = [];
  let transport: BullMQTransport;
  let triage: Pipeline;

  beforeAll(async () => {
    fixture = await startOpenAIFixture();
    fixture.handle(triageLm);
    fixture.latencyMs = 20;
    process.env['DSPEX_TEST_LM_URL'] = fixture.url;
    triage = (await import('./fixtures/triage-programs.js')).triage as unknown as Pipeline;
    cluster = await startNodeCluster({
      prefix,
      nodeIds: ['pipe-a', 'pipe-b'],
      node: { lmUrl: fixture.url, concurrency: 2, extraConfig: { programs: PROGRAMS } },
    });
    nodes = cluster.nodes;
    transport = new BullMQTransport({ url: cluster.redisServer.url, prefix });
  }, 60_000);

  afterAll(async () => {
    delete process.env['DSPEX_TEST_LM_URL'];
    await transport?.close();
    await cluster?.close();
    await fixture?.close();
  });

  it('runs_in_process_falling_back_to_the_larger_model_for_the_classify_stage', async () => {
    const pred = await triage.call({ ticket: '  the app crashes on start  ' });
    const state = pred.toDict() as unknown as FinalState;
    expect(state.text).toBe('the app crashes on start');
    expect(state).toMatchObject({ category: 'bug', confidence: 0.9, reply: 'ack bug' });
    const models = fixture.requests.map((r) => (r.body as { model: string }).model);
    expect(models).toEqual(['gpt-4o-mini', 'gpt-4o', 'gpt-4o-mini']);
    // The classify stage's strategy is a Variable the search (or a deployment) can set.
    expect(programSpace(triage).names()).toEqual(['classify.attempts[0].module.strategy']);
  });

  it('runs_stage_by_stage_as_jobs_over_two_node_processes_with_the_same_results', async () => {
    const runner = new PipelineRunner({
      transport,
      pipeline: definePipeline({
        name: 'triage',
        stages: Object.fromEntries(triage.nodes().map((n) => [n.id, { after: [...n.after] }])),
      }),
    });
    // A node runs two stage jobs at a time: the LM answers once calls from both node processes
    // wait at once, so LM stages run on both nodes whatever the timing.
    const senders = (reqs: readonly RecordedRequest[]) =>
      new Set(reqs.map((r) => Number(r.headers['x-dspex-test-pid'])));
    const gate = holdRepliesUntil(fixture, (waiting) => senders(waiting).size >= 2, triageLm);
    const tickets = Array.from({ length: RUNS }, (_, i) => `ticket number ${i}`);
    const results = await Promise.all(
      tickets.map(async (ticket) => {
        const runId = await runner.startRun({ ticket } as JsonObject);
        return (await runner.waitForRun(runId, 30_000)).outputs;
      }),
    );
    gate.close();
    const nodePids = nodes.map((n) => n.child.pid).sort();
    expect([...senders(await gate.opened)].sort()).toEqual(nodePids);
    const finals = results.map((r) => (r['reply'] as unknown as { outputs: FinalState }).outputs);
    for (const [i, state] of finals.entries()) {
      const local = (await triage.call({ ticket: tickets[i] as string })).toDict();
      expect({ ...state, cleanedOn: 0 }).toEqual({ ...local, cleanedOn: 0 });
      expect(state.confidence).toBe(0.9);
    }
    // Every clean stage ran in a node process, never in this test process.
    for (const state of finals) expect(nodePids).toContain(state.cleanedOn);
    await runner.close();
  });

  it('is_optimized_by_bootstrap_few_shot_through_its_stage_predictors_raising_the_held_out_score', async () => {
    const trainset = [
      ticket('printer on fire', 'bug'),
      ticket('refund please', 'billing'),
      ticket('cannot log in', 'bug'),
    ];
    const heldOut = [
      ticket('hard: a refund for a double charge', 'billing'),
      ticket('hard: the editor crashes on save', 'bug'),
      ticket('hard: the invoice is missing', 'billing'),
    ];
    const metric: Metric = (gold, pred) =>
      gold['category'] === pred['category'] && gold['reply'] === pred['reply'];
    const evaluate = new Evaluate({ devset: heldOut, metric, display: false });
    const before = await evaluate.run(triage);
    const compiled = await new BootstrapFewShot({
      metric,
      maxBootstrappedDemos: 2,
      maxLabeledDemos: 0,
    }).compile(triage, { trainset });
    const after = await evaluate.run(compiled);
    expect([before.score, after.score]).toEqual([0, 100]);
    const demos = Object.fromEntries(
      compiled.namedPredictors().map(([name, p]) => [name, p.demos.length]),
    );
    // The small model's rejected answers were never kept: only the fallback and reply learn.
    expect(demos).toEqual({
      'classify.attempts[0].module.impl': 0,
      'classify.attempts[1].module': 2,
      reply: 2,
    });
    expect(triage.namedPredictors().every(([, p]) => p.demos.length === 0)).toBe(true);
    const reloaded = triage.deepCopy().load(compiled.save());
    expect(reloaded.namedPredictors()[1]?.[1].demos).toHaveLength(2);
    const demo = compiled.namedPredictors()[2]?.[1].demos[0] as Example;
    expect(demo.toDict()).toMatchObject({ category: 'bug', reply: 'ack bug' });
  });

  it('renders_as_a_mermaid_graph_from_the_package_api', () => {
    const graph = toMermaid(triage, { direction: 'LR' });
    expect(graph).toMatch(/^flowchart LR\n/);
    for (const part of GRAPH_PARTS) expect(graph).toContain(part);
  });

  it(
    'renders_as_a_mermaid_graph_from_the_cli',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'dspex-graph-'));
      try {
        writeFileSync(join(dir, 'dspex.config.json'), JSON.stringify({ programs: PROGRAMS }));
        // Each CLI process loads the programs module through tsx: slow on a loaded CI machine.
        const { code, stdout, stderr } = await runDspex(['graph', 'triage'], dir, CLI_MS);
        expect(stderr).toBe('');
        expect(code).toBe(0);
        expect(stdout).toMatch(/^flowchart TD\n/);
        for (const part of GRAPH_PARTS) expect(stdout).toContain(part);
        const unknown = await runDspex(['graph', 'nope'], dir, CLI_MS);
        expect(unknown.code).toBe(4);
        expect(unknown.stderr).toContain('triage');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    3 * CLI_MS,
  );
});
