import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisStore } from '../../src/store/index.js';
import { BullMQTransport } from '../../src/transport/index.js';
import { ROOT, projectDir, runDspex, type DaemonProcess } from '../cli/cli-process.js';
import type { LMFixture, RecordedRequest } from '../fixtures/index.js';
import { startFixtureEnv, startRedisDaemons, type RedisDaemons } from '../helpers/redis-daemons.js';
import { spawnNode, type NodeProcess } from '../runtime/fixtures/node-process.js';

const PROGRAMS = join(ROOT, 'test', 'dashboard', 'programs.ts');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = join(ROOT, 'test-output');
const TOKEN = 'dashboard-e2e-token';
/** Playwright's waits on DOM conditions end here at the latest (a slow shared CI machine). */
const WAIT_MS = 90_000;

/** Arithmetic questions; the answers are what `exact_match` compares. */
const TRAINSET = [
  ['2 + 3', '5'],
  ['7 - 7', '0'],
  ['4 * 6', '24'],
  ['12 / 4', '3'],
  ['9 + 8', '17'],
  ['6 * 7', '42'],
  ['15 - 6', '9'],
  ['20 / 5', '4'],
].map(([q, a]) => ({ question: `What is ${q}?`, answer: a }));

function solve(a: number, op: string, b: number): number {
  if (op === '+') return a + b;
  if (op === '-') return a - b;
  if (op === '*') return a * b;
  return a / b;
}

function text(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content.map((p) => (p as { text?: string }).text ?? '').join('');
  return '';
}

/**
 * A simulated model on the OpenAI wire protocol: it answers the question of the prompt's last
 * message, right or wrong by a deterministic rule that depends on the demos in the prompt, so the
 * candidate programs of a random search score differently (a chart with a shape).
 */
function arithmeticModel(req: RecordedRequest) {
  const messages = (req.body.messages ?? []) as { role: string; content: unknown }[];
  const last = text(messages.at(-1)?.content);
  const m = /What is (\d+) ([-+*/]) (\d+)\?/.exec(last);
  if (m === null) return undefined;
  const [a, op, b] = [Number(m[1]), m[2]!, Number(m[3])];
  const demos = messages.filter((x) => x.role === 'assistant').length;
  const right = demos >= 3 || (a + b + demos) % 3 !== 0;
  const answer = solve(a, op, b) + (right ? 0 : 1);
  return { text: `[[ ## answer ## ]]\n${answer}\n\n[[ ## completed ## ]]` };
}

describe('the dashboard in real headless Chromium against a 2-node Redis cluster', () => {
  const url = inject('redisUrl');
  const prefix = `dashboard-${process.pid}-${Date.now()}`;
  let fixture: LMFixture;
  let env: NodeJS.ProcessEnv;
  let browser: Browser;
  let context: BrowserContext;
  let pageA: Page;
  let pageB: Page;
  /** The page of the node that ran the crashing job (its event log shows the crash). */
  let crashPage: Page;
  const problems: string[] = [];
  /** node-a: `dspex start`, as a user runs it. */
  let daemonA: DaemonProcess;
  let clusterA: RedisDaemons | undefined;
  /** node-b: the same daemon from the node fixture, whose SIGUSR2 kills its variable registry. */
  let nodeB: NodeProcess;
  const admin: { url: string; port: number }[] = [];
  let transport: BullMQTransport;

  beforeAll(async () => {
    const fixtureEnv = await startFixtureEnv();
    ({ fixture, env } = fixtureEnv);
    fixture.recordRequests = false;
    fixture.handle(arithmeticModel);
    const startedA = startRedisDaemons({
      redisUrl: url,
      prefix,
      nodeIds: ['node-a'],
      config: {
        programs: PROGRAMS,
        admin: { port: 0, token: TOKEN },
        shutdown: { drainTimeoutMs: 5_000 },
      },
      env: fixtureEnv,
    });
    nodeB = spawnNode({
      nodeId: 'node-b',
      redisUrl: url,
      prefix,
      lmUrl: fixture.url,
      env: { OPENAI_BASE_URL: fixture.url, OPENAI_API_KEY: 'test-key' },
      extraConfig: { programs: PROGRAMS, admin: { port: 0, token: TOKEN } },
      killOnSigusr2: 'variable-registry',
    });
    const stateB = async () => {
      await nodeB.ready;
      const file = join(nodeB.dir, '.dspex', `node-${nodeB.child.pid}.json`);
      return JSON.parse(readFileSync(file, 'utf8')) as { port: number };
    };
    const [states] = await Promise.all([
      Promise.all([
        startedA.then((started) => {
          clusterA = started;
          daemonA = started.daemons[0]!;
          return daemonA.waitForState();
        }),
        stateB(),
      ]),
      (async () => {
        browser = await chromium.launch({ executablePath: CHROMIUM });
      })(),
    ]);
    for (const s of states) admin.push({ url: `http://127.0.0.1:${s.port}`, port: s.port });
    transport = new BullMQTransport({ url, prefix });
    context = await browser.newContext({ viewport: { width: 1360, height: 1000 } });
    [pageA, pageB] = await Promise.all([context.newPage(), context.newPage()]);
    for (const page of [pageA, pageB]) {
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
      });
    }
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await nodeB?.kill();
    await transport?.close();
    // Kills node-a and closes the LM fixture.
    await clusterA?.close();
  });

  it('without the token the page is a 401 login form; a wrong token is refused', async () => {
    const anonymous = await browser.newContext();
    try {
      const page = await anonymous.newPage();
      const bare = await page.goto(`${admin[0]!.url}/dashboard`);
      expect(bare?.status()).toBe(401);
      await page.locator('input[name="token"]').waitFor({ timeout: WAIT_MS });
      const wrong = await page.goto(`${admin[0]!.url}/dashboard?token=not-it`);
      expect(wrong?.status()).toBe(401);
      expect(await page.getByRole('alert').textContent()).toContain('wrong');
      const api = await page.goto(`${admin[0]!.url}/api/nodes`);
      expect(api?.status()).toBe(401);
    } finally {
      await anonymous.close();
    }
  }, 120_000);

  it('?token= is traded for an HttpOnly session cookie, and the page shows both nodes live', async () => {
    await pageA.goto(`${admin[0]!.url}/?token=${TOKEN}`);
    expect(new URL(pageA.url()).pathname).toBe('/dashboard');
    expect(pageA.url()).not.toContain(TOKEN);
    const cookies = await context.cookies(admin[0]!.url);
    const session = cookies.find((c) => c.name === `dspex_admin_${admin[0]!.port}`);
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(session?.value).not.toContain(TOKEN);

    await pageA.locator('#live[data-state="open"]').waitFor({ timeout: WAIT_MS });
    for (const node of ['node-a', 'node-b'])
      await pageA
        .locator(`[data-node-id="${node}"] [data-actor-id="program-workers"]`)
        .waitFor({ timeout: WAIT_MS });
    expect(await pageA.locator('[data-node-id="node-a"] .tag').textContent()).toBe('this node');
    expect(
      await pageA
        .locator('[data-node-id="node-b"] [data-actor-id="root"]')
        .first()
        .getAttribute('data-status'),
    ).toBe('running');

    await pageB.goto(`${admin[1]!.url}/dashboard?token=${TOKEN}`);
    await pageB.locator('#live[data-state="open"]').waitFor({ timeout: WAIT_MS });
  }, 120_000);

  it('a job that crashes its worker raises its supervisor’s crash count and fails with its reason', async () => {
    // Each node's live count of crashed program workers, as the page shows it (node-a's page lists
    // node-b from its heartbeat).
    const crashCount = async (node: string) => {
      const workers = pageA.locator(`[data-node-id="${node}"] [data-actor-id="program-workers"]`);
      return Number(await workers.first().getAttribute('data-crashes'));
    };
    const before = { a: await crashCount('node-a'), b: await crashCount('node-b') };
    expect(Number.isInteger(before.a) && Number.isInteger(before.b)).toBe(true);
    const jobId = await transport.enqueue(
      'dspex-run',
      { program: 'crash', inputs: {} },
      { attempts: 1 },
    );
    // The node that took the job reports the crash on its own event stream.
    const crashed = '#events li.bad[data-type="child_exited"]';
    crashPage = await Promise.any(
      [pageA, pageB].map(async (page) => {
        await page.locator(crashed).first().waitFor({ timeout: WAIT_MS });
        return page;
      }),
    );
    const row = pageA.locator(`#jobs tr[data-job-id="${jobId}"][data-state="failed"]`);
    await row.waitFor({ timeout: WAIT_MS });
    expect(await row.locator('td.reason').textContent()).toContain(
      'cannot read properties of undefined',
    );
    // The crashing node's program-workers supervisor shows one more crash (the tree is polled;
    // another node's count arrives with its next heartbeat), and nothing else crashed.
    const crashedNode = crashPage === pageA ? 'node-a' : 'node-b';
    const other = crashedNode === 'node-a' ? 'node-b' : 'node-a';
    const raised = `[data-node-id="${crashedNode}"] [data-actor-id="program-workers"]`;
    const want = (crashedNode === 'node-a' ? before.a : before.b) + 1;
    await pageA.locator(`${raised}[data-crashes="${want}"]`).first().waitFor({ timeout: WAIT_MS });
    expect(await crashCount(other)).toBe(crashedNode === 'node-a' ? before.b : before.a);
    const label = pageA.locator(`${raised} > .count`, { hasText: 'crashes' });
    expect(await label.textContent()).toBe(`crashes ${want}`);
    mkdirSync(OUTPUT, { recursive: true });
    await pageA.screenshot({ path: join(OUTPUT, 'dashboard-crash.png'), fullPage: true });
  }, 120_000);

  it('a killed permanent child is restarted by its supervisor; both pages show the restart', async () => {
    // The variable registry is a permanent child of `registries` (one_for_one): killed, it comes
    // back with its versions, and the supervisor's restart is what the pages show.
    const registry = '[data-actor-id="variable-registry"]';
    const restarts = (page: Page, node: string) =>
      page.locator(`[data-node-id="${node}"] ${registry}`).first().getAttribute('data-restarts');
    expect(await restarts(pageA, 'node-b')).toBe('0');
    expect(await restarts(pageB, 'node-b')).toBe('0');
    nodeB.child.kill('SIGUSR2');
    // node-b's own page: its event stream reports the kill and the restart as they happen.
    await pageB
      .locator('#events li.bad[data-type="child_exited"]', { hasText: 'variable-registry' })
      .first()
      .waitFor({ timeout: WAIT_MS });
    await pageB
      .locator('#events li[data-type="child_restarted"]', {
        hasText: 'registries restarted variable-registry',
      })
      .first()
      .waitFor({ timeout: WAIT_MS });
    // Both pages' trees (node-a's from node-b's next heartbeat): running again, one restart.
    const restarted = `[data-node-id="node-b"] ${registry}[data-restarts="1"][data-status="running"]`;
    for (const page of [pageB, pageA]) {
      await page.locator(restarted).first().waitFor({ timeout: WAIT_MS });
      const label = page.locator(`${restarted} > .count.hot`, { hasText: 'restarts' });
      expect(await label.textContent()).toBe('restarts 1');
    }
    // Only the killed child restarted: node-a's registry, node-b's other registry and root did not.
    expect(await restarts(pageA, 'node-a')).toBe('0');
    const others = ['schema-registry', 'registries', 'root'].map((id) =>
      pageA
        .locator(`[data-node-id="node-b"] [data-actor-id="${id}"]`)
        .first()
        .getAttribute('data-restarts'),
    );
    expect(await Promise.all(others)).toEqual(['0', '0', '0']);
    mkdirSync(OUTPUT, { recursive: true });
    await pageB.screenshot({ path: join(OUTPUT, 'dashboard-restart.png'), fullPage: true });
  }, 120_000);

  it('an optimization run shows its progress, best score and a chart of its trials', async () => {
    const cwd = projectDir({ programs: PROGRAMS });
    const trainset = join(cwd, 'train.jsonl');
    writeFileSync(trainset, TRAINSET.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const params = { metric: 'exact_match', maxBootstrappedDemos: 3, numCandidatePrograms: 4 };
    const res = await runDspex(
      ['optimize', 'qa', '-o', 'random-search', '-t', trainset]
        .concat(['--params', JSON.stringify(params), '--redis', url, '--prefix', prefix])
        .concat(['--log-level', 'error']),
      { cwd, env },
    );
    expect(res.code, res.stderr).toBe(0);
    const run = JSON.parse(res.stdout) as {
      id: string;
      bestScore: number;
      history: { score: number }[];
    };
    expect(run.history.length).toBeGreaterThan(3);
    const card = pageA.locator(`[data-run-id="${run.id}"][data-status="succeeded"]`);
    await card.locator('.score-chart canvas').waitFor({ timeout: WAIT_MS });
    expect(await card.locator('.best-score').textContent()).toBe(String(run.bestScore));
    expect(await card.locator('h3').textContent()).toContain('qa · random-search');
    // uPlot's legend lists the series it drew.
    const legend = await card.locator('.score-chart .u-legend').textContent();
    expect(legend).toContain('best so far');
  }, 180_000);

  it('a run that recorded a Pareto front gets a quality-against-cost chart; screenshot', async () => {
    // A space search's run record (the Variable System's front points: quality %, $/example).
    const store = new RedisStore({ redis: url, prefix: `${prefix}:store` });
    let id: string;
    try {
      const created = await store.optimizationRuns.create({
        program: 'qa',
        optimizer: 'space-search',
        status: 'running',
      });
      id = created.id;
      const point = (model: string, quality: number, cost: number) => ({
        configuration: { model },
        quality,
        cost,
        latency: 100,
      });
      await store.optimizationRuns.update(id, {
        status: 'succeeded',
        bestScore: 91,
        result: {
          front: [point('mini', 62, 0.0004), point('small', 80, 0.002), point('large', 91, 0.02)],
          evaluated: [point('mini-t0.7', 55, 0.0005), point('small-t0.7', 70, 0.003)],
        },
      });
    } finally {
      await store.close();
    }
    const card = pageA.locator(`[data-run-id="${id}"]`);
    await card.locator('.front-chart canvas').waitFor({ timeout: WAIT_MS });
    expect(await card.locator('.front-chart .u-title').textContent()).toContain(
      'quality against cost',
    );
    // The screenshot shows the node whose event log has the crash, with both runs' charts.
    await crashPage
      .locator(`[data-run-id="${id}"] .front-chart canvas`)
      .waitFor({ timeout: WAIT_MS });
    mkdirSync(OUTPUT, { recursive: true });
    await crashPage.screenshot({ path: join(OUTPUT, 'dashboard.png'), fullPage: true });
    expect(problems).toEqual([]);
  }, 120_000);

  it('a dspex eval of a stored dataset is listed by the API and the page; its row opens its per-example results; screenshot', async () => {
    const cwd = projectDir({ programs: PROGRAMS });
    const devset = join(cwd, 'arith.jsonl');
    writeFileSync(devset, TRAINSET.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const redisArgs = ['--redis', url, '--prefix', prefix];
    const added = await runDspex(['datasets', 'add', 'arith', devset, ...redisArgs], { cwd, env });
    expect(added.code, added.stderr).toBe(0);
    const res = await runDspex(
      ['eval', 'qa', '--dataset', 'arith@v1', '--metric', 'exact_match', ...redisArgs].concat([
        '--log-level',
        'error',
      ]),
      { cwd, env },
    );
    expect(res.code, res.stderr).toBe(0);
    const summary = JSON.parse(res.stdout) as { evalId: string; score: number };
    // The simulated model gets some questions wrong without demos: a score strictly between.
    expect(summary.score).toBeGreaterThan(0);
    expect(summary.score).toBeLessThan(100);

    // The API: the list (no per-example results), one record (with them), a missing one.
    const api = admin[0]!.url;
    const auth = { headers: { authorization: `Bearer ${TOKEN}` } };
    const listed = (await (await fetch(`${api}/api/evaluations?limit=5`, auth)).json()) as {
      evaluations: Record<string, unknown>[];
    };
    const item = listed.evaluations.find((e) => e.id === summary.evalId);
    expect(item).toMatchObject({
      program: 'qa',
      metric: 'exact_match',
      status: 'succeeded',
      score: summary.score,
      counts: { total: TRAINSET.length, errors: 0 },
      dataset: { name: 'arith', version: 'v1' },
    });
    expect(item).not.toHaveProperty('examples');
    const one = await fetch(`${api}/api/evaluations/${encodeURIComponent(summary.evalId)}`, auth);
    expect(one.status).toBe(200);
    const { evaluation } = (await one.json()) as { evaluation: { examples: unknown[] } };
    expect(evaluation.examples).toHaveLength(TRAINSET.length);
    expect((await fetch(`${api}/api/evaluations/no-such-evaluation`, auth)).status).toBe(404);

    // The page: one row with program, metric, dataset, score and examples (polled from the store).
    const row = pageA.locator(
      `#evaluations tr[data-eval-id="${summary.evalId}"][data-status="succeeded"]`,
    );
    await row.waitFor({ timeout: WAIT_MS });
    expect(await row.locator('td.program').textContent()).toBe('qa');
    expect(await row.locator('td.metric').textContent()).toBe('exact_match');
    expect(await row.locator('td.dataset').textContent()).toBe('arith@v1');
    expect(await row.locator('td.score').textContent()).toBe(String(summary.score));
    expect(await row.locator('td.examples').textContent()).toBe(
      `${TRAINSET.length}/${TRAINSET.length}`,
    );
    // Opened: its fields and one line per example, right and wrong ones as the metric scored them.
    await row.click();
    const detail = pageA.locator(`#evaluations tr[data-detail-of="${summary.evalId}"]`);
    const lines = detail.locator('.eval-example-table tbody tr');
    await lines.nth(TRAINSET.length - 1).waitFor({ timeout: WAIT_MS });
    expect(await lines.count()).toBe(TRAINSET.length);
    expect(await detail.textContent()).not.toContain('null');
    expect(await detail.locator('dd[data-field="score"]').textContent()).toBe(
      String(summary.score),
    );
    const wrong = await detail.locator('.eval-example-table tbody tr.wrong').count();
    expect(wrong).toBe(Math.round(TRAINSET.length * (1 - summary.score / 100)));
    expect(await row.getAttribute('aria-expanded')).toBe('true');
    mkdirSync(OUTPUT, { recursive: true });
    await pageA.locator('#evaluations-section').screenshot({
      path: join(OUTPUT, 'dashboard-evaluations.png'),
    });
    // Enter on the focused row (as a click again) closes it.
    await row.press('Enter');
    await detail.waitFor({ state: 'detached', timeout: WAIT_MS });
    expect(problems).toEqual([]);
  }, 180_000);
});
