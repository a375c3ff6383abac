/**
 * The dashboard's Pareto chart from a real space search: a daemon (Redis mode) runs a
 * `space-search` optimization job on the simulated task of the variable system (its models behind
 * the OpenAI fixture); the run record keeps the front as points, and the page, in real headless
 * Chromium, draws the quality-against-cost chart with one point per front point.
 */
import { Queue } from 'bullmq';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisStore } from '../../src/store/index.js';
import {
  ROOT,
  cleanEnv,
  projectDir,
  startDaemonProcess,
  type DaemonProcess,
} from '../cli/cli-process.js';
import { startOpenAIFixture, type LMFixture } from '../fixtures/index.js';
import { isFinal, submitOptimization, waitForRun } from '../runtime/fixtures/optimize-cluster.js';
import { items, simulatedHandler } from '../variables/simulated-task.js';

const PROGRAMS = join(ROOT, 'test', 'runtime', 'fixtures', 'space-search-programs.ts');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = join(ROOT, 'test-output');
const TOKEN = 'dashboard-front-token';
const WAIT_MS = 90_000;

describe('the dashboard charts the Pareto front of a real space search', () => {
  const url = inject('redisUrl');
  const prefix = `dashfront-${process.pid}-${Date.now()}`;
  let fixture: LMFixture;
  let daemon: DaemonProcess;
  let browser: Browser;
  let admin: string;
  let store: RedisStore;
  let queue: Queue;
  const problems: string[] = [];

  beforeAll(async () => {
    fixture = await startOpenAIFixture();
    fixture.recordRequests = false;
    fixture.handle(simulatedHandler());
    const cwd = projectDir({
      programs: PROGRAMS,
      redis: { url, prefix },
      node: { id: 'front-node' },
      admin: { port: 0, token: TOKEN },
      shutdown: { drainTimeoutMs: 5_000 },
    });
    daemon = startDaemonProcess(cwd, cleanEnv({ DSPEX_TEST_LM_URL: fixture.url }));
    const [state] = await Promise.all([
      daemon.waitForState(),
      (async () => {
        browser = await chromium.launch({ executablePath: CHROMIUM });
      })(),
    ]);
    admin = `http://127.0.0.1:${state.port}`;
    store = new RedisStore({ redis: url, prefix: `${prefix}:store` });
    const { port, hostname } = new URL(url);
    queue = new Queue('dspex-optimize', {
      prefix,
      connection: { host: hostname, port: Number(port), maxRetriesPerRequest: null },
    });
    queue.on('error', () => undefined);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    daemon?.kill();
    await queue?.close();
    await store?.close();
    await fixture?.close();
  });

  it('draws_one_chart_point_per_front_point_of_the_run_record', async () => {
    const runId = await submitOptimization(store, queue, {
      program: 'qa',
      optimizer: 'space-search',
      trainset: items(6, 101),
      params: {
        metric: 'match',
        objectives: ['quality', 'cost'],
        algorithm: 'grid',
        deploy: false,
      },
    });
    const run = await waitForRun(store, runId, isFinal, 120_000);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    const result = run.result as {
      front: { cost: number; quality: number }[];
      evaluated: unknown[];
    };
    expect(result.evaluated).toHaveLength(16);
    const distinctCosts = new Set(result.front.map((p) => p.cost)).size;
    expect(distinctCosts).toBeGreaterThan(1);

    const context = await browser.newContext({ viewport: { width: 1360, height: 1000 } });
    try {
      const page = await context.newPage();
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
      });
      await page.goto(`${admin}/?token=${TOKEN}`);
      const card = page.locator(`[data-run-id="${runId}"][data-status="succeeded"]`);
      await card.locator('.front-chart canvas').waitFor({ timeout: WAIT_MS });
      const chart = card.locator('.front-chart');
      expect(await chart.getAttribute('data-front-points')).toBe(String(distinctCosts));
      expect(await chart.getAttribute('data-evaluated-points')).toBe('16');
      expect(await chart.locator('.u-title').textContent()).toContain('quality against cost');
      mkdirSync(OUTPUT, { recursive: true });
      await card.screenshot({ path: join(OUTPUT, 'dashboard-front.png') });
    } finally {
      await context.close();
    }
    expect(problems).toEqual([]);
  }, 240_000);
});
