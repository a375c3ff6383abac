import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisStore } from '../../src/store/index.js';
import { startOpenAIFixture, type LMFixture } from '../fixtures/index.js';
import { items, simulatedHandler } from '../variables/simulated-task.js';
import { ROOT, cleanEnv, runDspex } from './cli-process.js';

const PROGRAMS = join(ROOT, 'test', 'variables', 'sim-programs.ts');

describe('dspex optimize --objectives, dspex variables and dspex deploy (real Redis, real processes)', () => {
  const url = inject('redisUrl');
  const prefix = `front-${process.pid}-${Date.now()}`;
  const redisArgs = ['--redis', url, '--prefix', prefix];
  let fx: LMFixture;
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  let store: RedisStore;

  beforeAll(async () => {
    fx = await startOpenAIFixture();
    fx.recordRequests = false;
    fx.handle(simulatedHandler());
    cwd = mkdtempSync(join(tmpdir(), 'dspex-front-'));
    writeFileSync(join(cwd, 'dspex.config.json'), JSON.stringify({ programs: PROGRAMS }));
    writeFileSync(
      join(cwd, 'train.jsonl'),
      items(10, 101)
        .map((e) => JSON.stringify({ question: e.get('question'), answer: e.get('answer') }))
        .join('\n'),
    );
    env = cleanEnv({ DSPEX_TEST_LM_URL: fx.url });
    store = new RedisStore({ redis: url, prefix: `${prefix}:store` });
  });
  afterAll(async () => {
    await store.close();
    await fx.close();
  });

  it('prints the front as a table, writes the chart and stores each point for deploy', async () => {
    const res = await runDspex(
      ['optimize', 'qa', '--optimizer', 'space-search', '--objectives', 'quality,cost']
        .concat(['--trainset', 'train.jsonl', '--metric', 'sim_match', '--algorithm', 'grid'])
        .concat(['--select', 'within:5', '--chart', 'front.html', ...redisArgs]),
      { cwd, env, timeoutMs: 120_000 },
    );
    expect(res.stderr).toContain('16 configuration(s) tried');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/quality\s+\$\/example\s+latency ms/);
    const chart = join(cwd, 'front.html');
    expect(res.stdout).toContain(`chart: ${chart}`);
    expect(existsSync(chart)).toBe(true);
    expect(readFileSync(chart, 'utf8')).toContain('<svg');
    const chosenId = /dspex deploy qa --configuration (\S+)/.exec(res.stderr)?.[1];
    expect(chosenId).toBeDefined();
    const chosen = await store.variableConfigurations.get(chosenId!);
    expect(chosen).toMatchObject({ program: 'qa', source: 'optimization', chosen: true });
    expect(res.stdout).toContain(`* ${chosenId}`);

    const deployed = await runDspex(['deploy', 'qa', '--configuration', chosenId!, ...redisArgs], {
      cwd,
      env,
    });
    expect(deployed.code).toBe(0);
    expect(JSON.parse(deployed.stdout)).toMatchObject({
      revision: 1,
      configuration: chosenId,
      variables: chosen.values,
    });

    const listed = await runDspex(['variables', 'qa', ...redisArgs], { cwd, env });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/variable\s+kind\s+range \/ choices\s+default\s+overridable/);
    expect(listed.stdout).toMatch(/model\s+choice\s+"sim-small" \| "sim-large"\s+"sim-small"\s+no/);
    expect(listed.stdout).toContain(`deployed: revision 1, configuration ${chosenId}`);
  }, 180_000);

  it('deploys a point whose instruction text travels with it, and refuses the same index without it', async () => {
    // The space is stored by the optimize run of the first test (every point checks against it).
    const space = await store.variableSpaces.get('qa');
    expect(space.variables.map((v) => v.name)).toContain('answer.instructions');
    const beyond = 7; // past the program's own instruction candidates: only a carried text can serve it
    const carried = await store.variableConfigurations.create({
      program: 'qa',
      values: { 'answer.instructions': beyond },
      candidates: { 'answer.instructions': 'Answer in exactly three words.' },
    });
    const deployed = await runDspex(['deploy', 'qa', '--configuration', carried.id, ...redisArgs], {
      cwd,
      env,
    });
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(JSON.parse(deployed.stdout)).toMatchObject({
      configuration: carried.id,
      variables: { 'answer.instructions': beyond },
    });
    // What every node installs: the values and the text they index.
    expect((await store.deployments.find('qa'))?.config).toMatchObject({
      configuration: carried.id,
      variables: { 'answer.instructions': beyond },
      candidates: { 'answer.instructions': 'Answer in exactly three words.' },
    });

    const bare = await store.variableConfigurations.create({
      program: 'qa',
      values: { 'answer.instructions': beyond },
    });
    const refused = await runDspex(['deploy', 'qa', '--configuration', bare.id, ...redisArgs], {
      cwd,
      env,
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`configuration ${bare.id} does not fit qa's space`);
    expect(refused.stderr).toContain('answer.instructions');
    // The refused deploy changed nothing: the carried point still serves.
    expect((await store.deployments.find('qa'))?.config).toMatchObject({
      configuration: carried.id,
    });
  }, 60_000);

  it('names a bad objective or a missing configuration with exit 2', async () => {
    const objective = await runDspex(
      ['optimize', 'qa', '--objectives', 'quality,speed', '-t', 'train.jsonl'],
      { cwd, env },
    );
    expect(objective.code).toBe(2);
    expect(objective.stderr).toContain("unknown objective 'speed' (quality, cost, latency)");
    const mixed = await runDspex(
      ['optimize', 'qa', '-o', 'bootstrap-few-shot', '--objectives', 'quality,cost', '-t', 'x'],
      { cwd, env },
    );
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('it does not combine with --optimizer bootstrap-few-shot');
    const none = await runDspex(['optimize', 'qa', '-t', 'train.jsonl'], { cwd, env });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("required option '-o, --optimizer <name>' not specified");
    const missing = await runDspex(['deploy', 'qa', '--configuration', 'nope', ...redisArgs], {
      cwd,
      env,
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('configuration "nope" not found');
  }, 60_000);
});
