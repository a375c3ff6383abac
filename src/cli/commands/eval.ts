import { MemoryStore, type Store } from '../../store/index.js';
import type { CliDeps } from '../cli-deps.js';
import type { CliIO } from '../cli-io.js';
import { examplesFrom, openDatasetStore, type DatasetStoreOptions } from '../dataset-store.js';
import { withOneshotRuntime, type OneshotOptions } from '../oneshot-runtime.js';
import { createProgress } from '../progress.js';
import { progressOf } from '../progress-events.js';
import type { DatasetLinkView } from '../runtime-port.js';

/** Options of `dspex eval`. */
export interface EvalOptions extends OneshotOptions {
  /** Examples file (or `dataset`). */
  data?: string;
  /** A stored dataset, `name[@version]` (or `data`). */
  dataset?: string;
  /** With `dataset`: only this split. */
  split?: string;
  /** Redis of the dataset store (default: the config, `DSPEX_REDIS_URL`, a local node). */
  redis?: string;
  prefix?: string;
  metric: string;
  concurrency?: number;
  shards?: number;
  inputKeys?: string[];
  /** Print each example that raised an error, with its reason, on stderr. */
  showErrors?: boolean;
}

/** What `eval` reads from the runtime's summary (EvaluationSummary, structurally). */
interface SummaryView {
  score?: unknown;
  errors?: unknown;
  failures?: unknown;
}

/** The score of an evaluation summary, when it has one (`score`, percent). */
function scoreOf(summary: unknown): number | undefined {
  const s = (summary as SummaryView | null)?.score;
  return typeof s === 'number' ? s : undefined;
}

/** The examples of a summary that raised an error. */
function failuresOf(summary: unknown): { index: number; reason: string }[] {
  const f = (summary as SummaryView | null)?.failures;
  if (!Array.isArray(f)) return [];
  return f.filter(
    (x): x is { index: number; reason: string } =>
      typeof (x as { index?: unknown }).index === 'number' &&
      typeof (x as { reason?: unknown }).reason === 'string',
  );
}

/** A short view of an example's inputs for an error line. */
function exampleLabel(example: Record<string, unknown> | undefined): string {
  if (example === undefined) return '';
  const text = JSON.stringify(example);
  return ` ${text.length > 80 ? `${text.slice(0, 77)}...` : text}`;
}

/**
 * The lines `eval` prints on stderr after the run: the score (percent, as DSPy's Evaluate and
 * `dspex optimize` print it) and, with `showErrors`, one line per failed example; without it, a
 * hint when some failed.
 */
export function renderEvalReport(
  summary: unknown,
  devset: readonly Record<string, unknown>[],
  showErrors: boolean,
): string {
  const lines: string[] = [];
  const score = scoreOf(summary);
  const failures = failuresOf(summary);
  const ds = (summary as { dataset?: DatasetLinkView } | null)?.dataset;
  const of =
    ds === undefined
      ? ''
      : ` of ${ds.name}@${ds.version}${ds.split === undefined ? '' : ` (split ${ds.split})`}`;
  if (score !== undefined)
    lines.push(
      `score ${score.toFixed(2)}% over ${devset.length} examples${of}${failures.length > 0 ? ` (${failures.length} raised an error)` : ''}`,
    );
  if (showErrors)
    for (const f of failures)
      lines.push(
        `  example ${f.index + 1}${exampleLabel(devset[f.index])}: ${f.reason.replace(/\s*\n\s*/g, ' ')}`,
      );
  else if (failures.length > 0) lines.push(`  (--show-errors prints each failed example's reason)`);
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/**
 * The store the evaluation record is kept in: the folder's (the cluster's Redis store in Redis
 * mode, `.dspex/store.json` otherwise), where `dspex evals` reads it. When that store cannot be
 * opened (Redis configured but down) the evaluation still runs on a memory store and says its
 * record is not kept.
 */
async function recordStore(
  io: CliIO,
  options: DatasetStoreOptions,
): Promise<{ store: Store; where: string | undefined }> {
  try {
    return await openDatasetStore(io, options);
  } catch (e) {
    io.stderr.write(
      `dspex: the evaluation record is not kept (${e instanceof Error ? e.message : String(e)})\n`,
    );
    return { store: new MemoryStore(), where: undefined };
  }
}

/**
 * `dspex eval <program> --data FILE.jsonl --metric NAME`: evaluates the program over the examples on
 * an embedded runtime with a progress bar (plain lines when not a terminal) on stderr, then prints
 * the summary as JSON on stdout. The evaluation record is kept in the folder's store (see
 * `dspex evals`).
 */
export async function evalCommand(
  deps: CliDeps,
  program: string,
  options: EvalOptions,
): Promise<number> {
  const { store, where } = await recordStore(deps.io, options);
  try {
    return await evaluateWith(deps, program, options, store, where);
  } finally {
    await store.close();
  }
}

async function evaluateWith(
  deps: CliDeps,
  program: string,
  options: EvalOptions,
  store: Store,
  where: string | undefined,
): Promise<number> {
  const { io } = deps;
  const source = await examplesFrom(
    io,
    options,
    { file: options.data, dataset: options.dataset, split: options.split },
    { file: '--data', dataset: '--dataset' },
    store,
  );
  const devset = source.examples;
  const inputKeys = options.inputKeys ?? source.inputKeys;
  const summary = await withOneshotRuntime(
    deps,
    program,
    { ...options, store },
    async (runtime) => {
      const progress = createProgress(`eval ${program}`, io.stderr, { now: io.now });
      progress.update(0, devset.length);
      // Shards report their own counts: the overall count is their sum.
      const perShard = new Map<number, number>();
      const unsubscribe = runtime.subscribe((event) => {
        const p = progressOf(event, 'evaluation');
        if (p === undefined) return;
        perShard.set(p.shard ?? 0, p.done);
        const done = [...perShard.values()].reduce((a, b) => a + b, 0);
        progress.update(Math.min(done, devset.length), devset.length);
      });
      try {
        const result = await runtime.evaluate(program, {
          devset,
          metric: options.metric,
          ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
          ...(options.shards === undefined ? {} : { shards: options.shards }),
          ...(inputKeys === undefined ? {} : { inputKeys }),
          ...(source.link === undefined ? {} : { dataset: source.link }),
        });
        progress.update(devset.length, devset.length);
        return result;
      } finally {
        unsubscribe();
        progress.stop();
      }
    },
  );
  io.stderr.write(renderEvalReport(summary, devset, options.showErrors === true));
  const evalId = (summary as { evalId?: unknown } | null)?.evalId;
  if (where !== undefined && typeof evalId === 'string')
    io.stderr.write(`kept as evaluation ${evalId} in ${where} (dspex evals show ${evalId})\n`);
  io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  return 0;
}
