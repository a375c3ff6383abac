import { frontPointsOf } from '../../variables/index.js';
import {
  RedisStore,
  StoreError,
  type DatasetLink,
  type OptimizationRun,
  type Store,
} from '../../store/index.js';
import type { CliDeps } from '../cli-deps.js';
import { requireRedis, resolveQueueTarget } from '../cli-config.js';
import { CliError } from '../cli-error.js';
import { assertRedisReachable } from '../redis-access.js';
import {
  DEFAULT_NODE_GRACE_MS,
  assertRunSucceeded,
  followRun,
  withNodeWatch,
} from './run-follow.js';

/** Options shared by the `dspex runs` subcommands. */
export interface RunsOptions {
  config?: string;
  redis?: string;
  prefix?: string;
  json?: boolean;
  /** `runs list`: only runs of this program / status. */
  program?: string;
  status?: string;
  limit?: number;
  /** `runs follow`: seconds with no live node before it stops (exit 9). Default 30. */
  nodeGrace?: number;
  /** `runs follow`: how often the run record is polled, ms. Default 250. */
  pollMs?: number;
}

async function withStore<T>(
  deps: CliDeps,
  options: RunsOptions,
  command: string,
  work: (store: Store, cluster: { url: string; prefix: string }) => Promise<T>,
): Promise<T> {
  const target = await resolveQueueTarget(deps.io, options);
  const url = requireRedis(target, command);
  await assertRedisReachable(url);
  // The key namespace the runtime's own Redis store uses (supervisors/runtime.ts).
  const store = new RedisStore({ redis: url, prefix: `${target.prefix}:store` });
  try {
    return await work(store, { url, prefix: target.prefix });
  } catch (e) {
    if (e instanceof StoreError && e.code === 'not_found')
      throw new CliError('not_found', e.message, { cause: e, details: { ...e.details } });
    if (e instanceof StoreError && (e.code === 'invalid_transition' || e.code === 'invalid_input'))
      throw new CliError('usage', e.message, { cause: e, details: { ...e.details } });
    throw e;
  } finally {
    await store.close();
  }
}

const score = (x: number | null | undefined): string =>
  x === null || x === undefined ? '-' : `${x.toFixed(2)}%`;
const usd = (run: OptimizationRun): string =>
  run.spend === undefined ? '-' : `$${run.spend.usd.toFixed(4)}`;

/** `dspex runs list`: the optimization runs, newest first, one line each. */
export async function runsListCommand(deps: CliDeps, options: RunsOptions): Promise<number> {
  return withStore(deps, options, 'runs list', async (store) => {
    const page = await store.optimizationRuns.list({
      ...(options.program === undefined ? {} : { program: options.program }),
      ...(options.status === undefined ? {} : { status: options.status as never }),
      limit: options.limit ?? 50,
    });
    const runs = [...page.items].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    if (options.json === true) {
      deps.io.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
      return 0;
    }
    if (runs.length === 0) {
      deps.io.stdout.write('no optimization runs\n');
      return 0;
    }
    const rows = runs.map((r) => [
      r.id,
      r.program,
      r.optimizer,
      r.status,
      score(r.bestScore),
      String(r.history.length),
      usd(r),
      r.createdAt,
    ]);
    const head = ['ID', 'PROGRAM', 'OPTIMIZER', 'STATUS', 'BEST', 'TRIALS', 'SPEND', 'CREATED'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const row of [head, ...rows])
      deps.io.stdout.write(
        `${row.map((c, i) => c.padEnd(widths[i]!)).join('  ')}\n`.trimEnd() + '\n',
      );
    return 0;
  });
}

/** The instructions and demos of each predictor of a saved program state. */
export function describeState(state: unknown): string[] {
  if (typeof state !== 'object' || state === null) return ['  (no state)'];
  const lines: string[] = [];
  for (const [name, value] of Object.entries(state as Record<string, unknown>)) {
    if (name === 'metadata' || typeof value !== 'object' || value === null) continue;
    const p = value as { signature?: { instructions?: unknown }; demos?: unknown };
    if (p.signature === undefined) continue;
    lines.push(`  predictor ${name}`);
    lines.push(`    instructions: ${String(p.signature.instructions ?? '')}`);
    const demos = Array.isArray(p.demos) ? p.demos : [];
    lines.push(`    demos: ${demos.length}`);
    for (const d of demos) lines.push(`      ${JSON.stringify(d)}`);
  }
  return lines.length === 0 ? ['  (no predictors)'] : lines;
}

/** A space search's Pareto front (`*` the chosen point) and the state it searched from. */
function describeFront(result: unknown): string[] {
  const front = frontPointsOf(result);
  if (front.length === 0) return [];
  const r = result as {
    chosen?: unknown;
    searchedFrom?: { revision?: number; stateVersion?: string };
  };
  const from = r.searchedFrom;
  const lines = [
    `Pareto front (${front.length} point(s))${from === undefined ? '' : `, searched from deployment revision ${from.revision ?? 0}${from.stateVersion === undefined ? '' : ` (version ${from.stateVersion})`}`}:`,
  ];
  for (const p of [...front].sort((a, b) => a.cost - b.cost))
    lines.push(
      `${p.configurationId === r.chosen ? '*' : ' '} ${p.configurationId ?? '?'}  quality ${p.quality.toFixed(2)}  $${p.cost.toPrecision(3)}/example  ${p.latencyMs.toFixed(1)} ms  ${JSON.stringify(p.configuration)}`,
    );
  return lines;
}

/**
 * `dspex runs show <id>`: the run (status, scores, spend), its trial log, and the best
 * candidate's instructions and demos (the program version the run published). `--json` prints the
 * record with the version's state.
 */
export async function runsShowCommand(
  deps: CliDeps,
  id: string,
  options: RunsOptions,
): Promise<number> {
  return withStore(deps, options, 'runs show', async (store) => {
    const run = await store.optimizationRuns.get(id);
    const result = (run.result ?? {}) as { version?: unknown; stopReason?: unknown };
    const version = typeof result.version === 'string' ? result.version : undefined;
    const state =
      version === undefined
        ? undefined
        : (await store.programs.getVersion(run.program, version)).state;
    if (options.json === true) {
      deps.io.stdout.write(`${JSON.stringify({ ...run, state }, null, 2)}\n`);
      return 0;
    }
    const out: string[] = [
      `run ${run.id}: ${run.optimizer} on ${run.program}, ${run.status}`,
      `best ${score(run.bestScore)}, ${run.history.length} trials, spend ${usd(run)}${run.spend === undefined ? '' : ` (${run.spend.lmCalls} LM calls, ${run.spend.metricCalls} metric calls)`}`,
    ];
    if (run.dataset !== undefined) out.push(`trainset: ${datasetLine(run.dataset)}`);
    if (run.valDataset !== undefined) out.push(`valset: ${datasetLine(run.valDataset)}`);
    if (typeof result.stopReason === 'string') out.push(`stopped early: ${result.stopReason}`);
    if (run.error !== undefined) out.push(`error: ${run.error.code}: ${run.error.message}`);
    out.push('trials:');
    if (run.history.length === 0) out.push('  (none yet)');
    for (const h of run.history)
      out.push(`  ${String(h.step).padStart(4)}  ${score(h.score).padStart(8)}`);
    out.push(
      version === undefined
        ? 'best candidate: not published yet'
        : `best candidate (version ${version} of ${run.program}):`,
    );
    if (version !== undefined) out.push(...describeState(state));
    out.push(...describeFront(run.result));
    deps.io.stdout.write(`${out.join('\n')}\n`);
    return 0;
  });
}

/** `dataset math@v2 (split train), sha256:…`: the version a run used and its content hash. */
function datasetLine(link: DatasetLink): string {
  return `dataset ${link.name}@${link.version}${link.split === undefined ? '' : ` (split ${link.split})`}, ${link.hash}`;
}

/**
 * `dspex runs cancel <id>`: marks a queued or running run cancelled. The node running it stops at
 * its next step and keeps the best program so far as a new (undeployed) version.
 */
export async function runsCancelCommand(
  deps: CliDeps,
  id: string,
  options: RunsOptions,
): Promise<number> {
  return withStore(deps, options, 'runs cancel', async (store) => {
    const run = await store.optimizationRuns.get(id);
    if (!['queued', 'running'].includes(run.status))
      throw new CliError('usage', `run ${id} is ${run.status}; only queued or running runs cancel`);
    const updated = await store.optimizationRuns.update(id, { status: 'cancelled' });
    deps.io.stdout.write(
      options.json === true
        ? `${JSON.stringify(updated, null, 2)}\n`
        : `run ${id} cancelled; its node stops at the next step and keeps the best so far\n`,
    );
    return 0;
  });
}

/**
 * `dspex runs follow <id>`: follows a run with the progress bar until it ends, as `dspex optimize`
 * does (the way back after `optimize` stopped with exit 9, or from another terminal), then prints
 * the final record as JSON; a failed run exits 1. With no live node for `--node-grace` seconds it
 * stops with exit 9 again; the run is untouched.
 */
export async function runsFollowCommand(
  deps: CliDeps,
  id: string,
  options: RunsOptions,
): Promise<number> {
  const final = await withStore(deps, options, 'runs follow', async (store, cluster) => {
    const run = await store.optimizationRuns.get(id);
    const graceMs =
      options.nodeGrace === undefined ? DEFAULT_NODE_GRACE_MS : options.nodeGrace * 1_000;
    return withNodeWatch(cluster.url, cluster.prefix, graceMs, (watch) =>
      followRun(deps, run.program, id, () => store.optimizationRuns.find(id), {
        ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
        watch,
      }),
    );
  });
  deps.io.stdout.write(`${JSON.stringify(final, null, 2)}\n`);
  assertRunSucceeded(final);
  return 0;
}
