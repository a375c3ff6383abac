/**
 * Evaluations as store records, end to end with real processes: a real node in Redis mode (with
 * its HTTP API), `dspex datasets add` and `dspex eval --dataset` as CLI processes, then
 * `dspex evals list|show` and the node's `GET /v1/evaluations` reading the same records.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../helpers/redis-server.js';
import {
  ROOT,
  projectDir,
  runDspex,
  startDaemonProcess,
  type DaemonProcess,
} from './cli-process.js';

describe('dspex evals: evaluation records of dspex eval and the HTTP API (real Redis, a real node)', () => {
  const url = inject('redisUrl');
  const prefix = `evals-${process.pid}-${Date.now()}`;
  const redisArgs = ['--redis', url, '--prefix', prefix];
  let node: DaemonProcess;
  let api: string;
  let cwd: string;

  beforeAll(async () => {
    const httpPort = await freePort();
    api = `http://127.0.0.1:${httpPort}`;
    cwd = projectDir({
      redis: { url, prefix },
      node: { id: 'evals-node' },
      admin: { port: 0 },
      http: { enabled: true, port: httpPort },
    });
    node = startDaemonProcess(cwd);
    await node.waitForOutput('dspex daemon started');
  }, 120_000);

  afterAll(() => node.kill());

  it('records a CLI evaluation of a stored dataset and an HTTP one; evals list and show read both', async () => {
    const added = await runDspex(
      ['datasets', 'add', 'math', `${ROOT}/examples/data/math-devset.jsonl`, ...redisArgs],
      { cwd },
    );
    expect(added.code).toBe(0);
    const evaluated = await runDspex(
      ['eval', 'cot_math', '--dataset', 'math@v1', '--metric', 'exact_match', ...redisArgs],
      { cwd },
    );
    expect(evaluated.code).toBe(0);
    const summary = JSON.parse(evaluated.stdout) as { evalId: string; score: number };
    expect(evaluated.stderr).toContain(
      `kept as evaluation ${summary.evalId} in Redis ${url} (prefix ${prefix})`,
    );

    const res = await fetch(`${api}/v1/evaluations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ program: 'qa', dataset: 'math', metric: 'exact_match' }),
    });
    expect(res.status).toBe(200);
    const viaHttp = (await res.json()) as { evalId: string };

    // The node's HTTP API reads the CLI's record from the shared store.
    const shown = await fetch(`${api}/v1/evaluations/${summary.evalId}`);
    expect(await shown.json()).toMatchObject({
      id: summary.evalId,
      program: 'cot_math',
      metric: 'exact_match',
      status: 'succeeded',
      score: summary.score,
      counts: { total: 4 },
      dataset: { name: 'math', version: 'v1', hash: expect.stringMatching(/^sha256:/) },
    });

    const list = await runDspex(['evals', 'list', ...redisArgs], { cwd });
    expect(list.code).toBe(0);
    const lines = list.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+PROGRAM\s+VERSION\s+DATASET\s+METRIC\s+STATUS\s+SCORE/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2))).toEqual([
      [viaHttp.evalId, 'qa'],
      [summary.evalId, 'cot_math'],
    ]);
    expect(lines[2]).toContain('math@v1');

    const onlyQa = await runDspex(['evals', 'list', '--program', 'qa', '--json', ...redisArgs], {
      cwd,
    });
    expect((JSON.parse(onlyQa.stdout) as { id: string }[]).map((e) => e.id)).toEqual([
      viaHttp.evalId,
    ]);

    const show = await runDspex(['evals', 'show', summary.evalId, ...redisArgs], { cwd });
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(
      `evaluation ${summary.evalId}: cot_math, metric exact_match, succeeded`,
    );
    expect(show.stdout).toContain(`score ${summary.score.toFixed(2)}% over 4 examples`);
    expect(show.stdout).toMatch(/dataset math@v1, sha256:[0-9a-f]{64}/);
    const json = await runDspex(['evals', 'show', summary.evalId, '--json', ...redisArgs], {
      cwd,
    });
    expect(JSON.parse(json.stdout)).toMatchObject({
      id: summary.evalId,
      examples: [{ index: 0 }, {}, {}, {}],
    });

    const missing = await runDspex(['evals', 'show', 'eval-nope', ...redisArgs], { cwd });
    expect(missing.code).toBe(7);
    expect(missing.stderr).toContain('eval-nope');
  }, 120_000);
});
