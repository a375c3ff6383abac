import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { MemoryStore, RedisStore, type Store } from '../../store/index.js';
import { CliError } from '../cli-error.js';
import type { CliDeps } from '../cli-deps.js';
import { resolveQueueTarget } from '../cli-config.js';
import { parseJsonObject } from '../json-input.js';
import { examplesFrom, trainingExamples } from '../dataset-store.js';
import { withOneshotRuntime, type OneshotOptions } from '../oneshot-runtime.js';
import { checkOptimizerParams } from '../optimizer-params.js';
import { assertRedisReachable, redactRedisUrl } from '../redis-access.js';
import { QUEUES } from '../../contracts/index.js';
import { requireLiveNode, submitOptimization } from './optimize-cluster.js';
import {
  DEFAULT_NODE_GRACE_MS,
  assertRunSucceeded,
  followRun,
  withNodeWatch,
} from './run-follow.js';
import type { OptimizationRunView } from '../runtime-port.js';

/** Options of `dspex optimize`. */
export interface OptimizeOptions extends OneshotOptions {
  optimizer: string;
  /** Training examples file (or `dataset`). */
  trainset?: string;
  valset?: string;
  /** A stored dataset to train on, `name[@version]` (or `trainset`). */
  dataset?: string;
  /** With `dataset`: train on this split. */
  split?: string;
  /** A stored dataset to validate on (or `valset`). */
  valDataset?: string;
  /** With `valDataset` (default: `dataset`): validate on this split. */
  valSplit?: string;
  params?: string;
  /** Metric name (sets `params.metric`). */
  metric?: string;
  /** `light | medium | heavy` (sets `params.auto`; MIPROv2 and GEPA take it). */
  auto?: string;
  /** Dollar cap (sets `params.maxUsd`): the run stops there with the best so far. */
  budgetUsd?: number;
  inputKeys?: string[];
  /** Make the new version the program's active one (Redis mode: running nodes use it next). */
  deploy?: boolean;
  /** Write the optimized state (DSPy's saved-program JSON) to this file. */
  out?: string;
  /** Redis URL of the cluster whose store keeps the new version (default: config, env, local node). */
  redis?: string;
  prefix?: string;
  /** How often the run record is polled, ms. Default 250. */
  pollMs?: number;
  /**
   * Redis mode: seconds the follow waits with no live node (every node died) before it stops with
   * exit 9; the run stays checkpointed and resumes when a node starts. Default 30.
   */
  nodeGrace?: number;
  /**
   * Redis mode: run the optimization in this process (a one-off embedded runtime over the cluster's
   * store) instead of handing it to the cluster's nodes.
   */
  local?: boolean;
}

/** Where the optimized program version is kept. */
type StoreTarget =
  { kind: 'redis'; url: string; prefix: string; attempts: number } | { kind: 'memory' };

async function openStore(
  deps: CliDeps,
  options: OptimizeOptions,
): Promise<{ store: Store; target: StoreTarget }> {
  const cluster = await resolveQueueTarget(deps.io, options);
  if (cluster.redisUrl === undefined) {
    if (options.deploy === true)
      throw new CliError(
        'usage',
        '--deploy needs Redis mode (redis.url in the config, DSPEX_REDIS_URL or --redis): without Redis the new version lives only in this command; use --out FILE to keep it',
      );
    return { store: new MemoryStore(), target: { kind: 'memory' } };
  }
  await assertRedisReachable(cluster.redisUrl);
  // The key namespace the runtime's own Redis store uses (supervisors/runtime.ts).
  const prefix = `${cluster.prefix}:store`;
  return {
    store: new RedisStore({ redis: cluster.redisUrl, prefix }),
    target: {
      kind: 'redis',
      url: cluster.redisUrl,
      prefix: cluster.prefix,
      attempts: cluster.jobAttempts,
    },
  };
}

/** The run's new program version, from its result (`{ runId, version, deployed }`). */
function versionOf(run: OptimizationRunView): string | undefined {
  const v = (run.result as { version?: unknown } | undefined)?.version;
  return typeof v === 'string' ? v : undefined;
}

/**
 * `dspex optimize <program> --optimizer NAME --trainset FILE [--deploy] [--out FILE] [--local]`:
 * checks the optimizer and its `--params` (unknown keys are named, exit 2), runs the optimization
 * and follows its run record with a progress bar (trial, best score, spend). In Redis mode (the
 * config, `DSPEX_REDIS_URL`, `--redis` or a Redis-mode node of this folder) it hands the run to
 * the cluster: a job on `dspex-optimize` that a node runs, its candidate evaluations spread as
 * shards over every node; with no live node it fails fast (exit 3, naming `dspex start` and
 * `--local`). `--local`, or no Redis, runs it on a one-off embedded runtime in this process. The
 * result is a new program version in the cluster's store; `--deploy` makes it the active version,
 * which running nodes load from their next job; `--out` writes the state to a file (`Module.load`
 * reads it). Without Redis the version exists only for the command, which says so. Prints the
 * final run as JSON; a failed run exits 1 (2 for a bad request).
 */
export async function optimizeCommand(
  deps: CliDeps,
  program: string,
  options: OptimizeOptions,
): Promise<number> {
  const { io } = deps;
  const train = await trainingExamples(io, options);
  // --val-split alone names another split of the --dataset.
  const valRef =
    options.valDataset ?? (options.valSplit === undefined ? undefined : options.dataset);
  const val =
    options.valset === undefined && valRef === undefined
      ? undefined
      : await examplesFrom(
          io,
          options,
          { file: options.valset, dataset: valRef, split: options.valSplit },
          { file: '--valset', dataset: '--val-dataset' },
        );
  const trainset = train.examples;
  const valset = val?.examples;
  const inputKeys = options.inputKeys ?? train.inputKeys;
  const params = {
    ...(options.params === undefined ? {} : parseJsonObject(options.params, '--params')),
    ...(options.metric === undefined ? {} : { metric: options.metric }),
    ...(options.auto === undefined ? {} : { auto: options.auto }),
    ...(options.budgetUsd === undefined ? {} : { maxUsd: options.budgetUsd }),
  };
  checkOptimizerParams(options.optimizer, params);
  if (options.auto !== undefined && !['light', 'medium', 'heavy'].includes(options.auto))
    throw new CliError('usage', `--auto must be light, medium or heavy, got '${options.auto}'`);
  const { store, target } = await openStore(deps, options);
  let state: unknown;
  let final: OptimizationRunView & { runId: string };
  try {
    const request = {
      trainset,
      ...(valset === undefined ? {} : { valset }),
      params: { ...params, deploy: options.deploy === true },
      ...(inputKeys === undefined ? {} : { inputKeys }),
      ...(train.link === undefined ? {} : { dataset: train.link }),
      ...(val?.link === undefined ? {} : { valDataset: val.link }),
    };
    if (target.kind === 'redis' && options.local !== true) {
      // Redis mode: the cluster's nodes run it (its candidates as shards over all of them).
      await requireLiveNode(target, program, {
        optimizer: options.optimizer,
        metric: params['metric'],
      });
      const runId = await submitOptimization(
        deps,
        store,
        target,
        { program, optimizer: options.optimizer, ...request },
        options.config,
      );
      io.stderr.write(
        `optimization run ${runId} (${options.optimizer}) queued on ${QUEUES.optimize}\n`,
      );
      const graceMs =
        options.nodeGrace === undefined ? DEFAULT_NODE_GRACE_MS : options.nodeGrace * 1_000;
      final = await withNodeWatch(target.url, target.prefix, graceMs, (watch) =>
        followRun(deps, program, runId, () => store.optimizationRuns.find(runId), {
          ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
          watch,
        }),
      );
    } else {
      final = await withOneshotRuntime(deps, program, { ...options, store }, async (runtime) => {
        const { runId } = await runtime.optimize(program, {
          optimizer: options.optimizer,
          ...request,
        });
        io.stderr.write(`optimization run ${runId} (${options.optimizer}) started\n`);
        return followRun(deps, program, runId, () => runtime.optimizationRun(runId), {
          ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
        });
      });
    }
    const version = versionOf(final);
    if (options.out !== undefined && final.status === 'succeeded' && version !== undefined)
      state = (await store.programs.getVersion(program, version)).state;
  } finally {
    await store.close();
  }
  const version = versionOf(final);
  let out: string | undefined;
  if (options.out !== undefined && state !== undefined) {
    out = resolve(io.cwd, options.out);
    try {
      writeFileSync(out, `${JSON.stringify(state, null, 2)}\n`);
    } catch (cause) {
      throw new CliError('usage', `cannot write --out ${out}: ${(cause as Error).message}`, {
        cause,
      });
    }
  }
  const kept =
    target.kind === 'redis'
      ? { kind: 'redis', url: redactRedisUrl(target.url), prefix: target.prefix }
      : { kind: 'memory' };
  io.stdout.write(
    `${JSON.stringify({ ...final, store: kept, ...(out === undefined ? {} : { out }) }, null, 2)}\n`,
  );
  assertRunSucceeded(final);
  io.stderr.write(
    `${describeOutcome(program, version, target, options.deploy === true)}${out === undefined ? '' : `\nstate written to ${out}`}\n`,
  );
  return 0;
}

/** What became of the new version, in one or two sentences. */
function describeOutcome(
  program: string,
  version: string | undefined,
  target: StoreTarget,
  deploy: boolean,
): string {
  const v = version ?? '(unknown)';
  if (target.kind === 'memory')
    return `version ${v} of ${program} was kept only in this command's memory store (no Redis configured); use --out FILE to keep the state`;
  const where = `Redis ${redactRedisUrl(target.url)} (prefix ${target.prefix})`;
  return deploy
    ? `version ${v} of ${program} saved in ${where} and deployed: running nodes use it from their next job`
    : `version ${v} of ${program} saved in ${where}; not deployed (pass --deploy, or submit jobs with --version ${v})`;
}
