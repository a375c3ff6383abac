import type { DatasetLink, Evaluation, EvaluationStatus } from '../../store/index.js';
import type { CliDeps } from '../cli-deps.js';
import { CliError } from '../cli-error.js';
import { withFolderStore, type DatasetStoreOptions } from '../dataset-store.js';
import { renderTable } from '../table.js';

/** Options of the `dspex evals` subcommands. */
export interface EvalsOptions extends DatasetStoreOptions {
  json?: boolean;
  /** `evals list`: only evaluations of this program / in this status. */
  program?: string;
  status?: string;
  limit?: number;
  /** `evals show`: per-example lines printed at most (default 20). */
  examples?: number;
}

const STATUSES: readonly EvaluationStatus[] = ['running', 'succeeded', 'failed'];

const percent = (x: number | null): string => (x === null ? '-' : `${x.toFixed(2)}%`);
const dataset = (d: DatasetLink | undefined): string =>
  d === undefined ? '-' : `${d.name}@${d.version}${d.split === undefined ? '' : `:${d.split}`}`;
const usd = (e: Evaluation): string => (e.spend === undefined ? '-' : `$${e.spend.usd.toFixed(4)}`);

/**
 * `dspex evals list [--program P] [--status S]`: evaluation records, newest first, from the
 * folder's store (the cluster's Redis store in Redis mode, `.dspex/store.json` otherwise): what
 * `dspex eval`, `POST /v1/evaluations` and `runtime.evaluate` recorded.
 */
export async function evalsListCommand(deps: CliDeps, options: EvalsOptions): Promise<number> {
  const status = options.status;
  if (status !== undefined && !STATUSES.includes(status as EvaluationStatus))
    throw new CliError(
      'usage',
      `--status must be one of ${STATUSES.join(', ')} (got ${JSON.stringify(status)})`,
    );
  const items = await withFolderStore(deps.io, options, async (store) => {
    const page = await store.evaluations.list({
      ...(options.program === undefined ? {} : { program: options.program }),
      ...(status === undefined ? {} : { status: status as EvaluationStatus }),
      limit: options.limit ?? 50,
    });
    return page.items;
  });
  if (options.json === true) {
    deps.io.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
    return 0;
  }
  if (items.length === 0) {
    deps.io.stdout.write('no evaluations\n');
    return 0;
  }
  const head = ['ID', 'PROGRAM', 'VERSION', 'DATASET', 'METRIC', 'STATUS', 'SCORE', 'EXAMPLES'];
  const rows = items.map((e) => [
    e.id,
    e.program,
    e.version ?? '-',
    dataset(e.dataset),
    e.metric,
    e.status,
    percent(e.score),
    e.counts.errors > 0 ? `${e.counts.total}/${e.counts.errors}err` : String(e.counts.total),
    usd(e),
    e.createdAt,
  ]);
  deps.io.stdout.write(renderTable([[...head, 'SPEND', 'CREATED'], ...rows]));
  return 0;
}

/**
 * `dspex evals show <id>`: an evaluation's program and version, dataset (version and hash),
 * metric, status, score, counts, spend, timing and its first per-example results; `--json`
 * prints the record.
 */
export async function evalsShowCommand(
  deps: CliDeps,
  id: string,
  options: EvalsOptions,
): Promise<number> {
  const e = await withFolderStore(deps.io, options, (store) => store.evaluations.get(id));
  if (options.json === true) {
    deps.io.stdout.write(`${JSON.stringify(e, null, 2)}\n`);
    return 0;
  }
  const out = [
    `evaluation ${e.id}: ${e.program}${e.version === undefined ? '' : ` version ${e.version}`}, metric ${e.metric}, ${e.status}`,
    `score ${percent(e.score)} over ${e.counts.total} examples (${e.counts.errors} raised an error), ${e.shards} shard(s)`,
  ];
  if (e.dataset !== undefined)
    out.push(
      `dataset ${e.dataset.name}@${e.dataset.version}${e.dataset.split === undefined ? '' : ` (split ${e.dataset.split})`}, ${e.dataset.hash}`,
    );
  if (e.spend !== undefined)
    out.push(
      `spend ${usd(e)} (${e.spend.lmCalls} LM calls, ${e.spend.promptTokens}+${e.spend.completionTokens} tokens)`,
    );
  const timing = [
    e.durationMs === undefined ? undefined : `took ${Math.round(e.durationMs)} ms`,
    e.meanLatencyMs === undefined ? undefined : `${e.meanLatencyMs.toFixed(1)} ms per example`,
  ].filter((x) => x !== undefined);
  if (timing.length > 0) out.push(timing.join(', '));
  out.push(
    `started ${e.startedAt}${e.finishedAt === undefined ? '' : `, finished ${e.finishedAt}`}`,
  );
  if (e.error !== undefined) out.push(`error: ${e.error.code}: ${e.error.message}`);
  const shown = e.examples.slice(0, options.examples ?? 20);
  if (shown.length > 0) out.push(`examples:\n     #   score`);
  for (const x of shown)
    out.push(
      `  ${String(x.index + 1).padStart(4)}  ${String(x.score).padStart(6)}${x.error === undefined ? '' : `  error: ${x.error.replace(/\s*\n\s*/g, ' ')}`}`,
    );
  const more = e.examples.length - shown.length + (e.examplesOmitted ?? 0);
  if (more > 0) out.push(`  … ${more} more (--json for the ${e.examples.length} kept)`);
  deps.io.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
