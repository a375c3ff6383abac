import type { CliDeps } from '../cli-deps.js';
import { readExamplesFile } from '../jsonl-file.js';
import { withOneshotRuntime, type OneshotOptions } from '../oneshot-runtime.js';
import { createProgress } from '../progress.js';
import { progressOf } from '../progress-events.js';

/** Options of `dspex eval`. */
export interface EvalOptions extends OneshotOptions {
  data: string;
  metric: string;
  concurrency?: number;
  shards?: number;
  inputKeys?: string[];
}

/** The score of an evaluation summary, when it has one (`score`, percent). */
function scoreOf(summary: unknown): number | undefined {
  const s = (summary as { score?: unknown } | null)?.score;
  return typeof s === 'number' ? s : undefined;
}

/**
 * `dspex eval <program> --data FILE.jsonl --metric NAME`: evaluates the program over the examples on
 * an embedded runtime with a progress bar (plain lines when not a terminal) on stderr, then prints
 * the summary as JSON on stdout.
 */
export async function evalCommand(
  deps: CliDeps,
  program: string,
  options: EvalOptions,
): Promise<number> {
  const { io } = deps;
  const devset = readExamplesFile(options.data, io.cwd);
  const summary = await withOneshotRuntime(deps, program, options, async (runtime) => {
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
        ...(options.inputKeys === undefined ? {} : { inputKeys: options.inputKeys }),
      });
      progress.update(devset.length, devset.length);
      return result;
    } finally {
      unsubscribe();
      progress.stop();
    }
  });
  const score = scoreOf(summary);
  if (score !== undefined)
    io.stderr.write(`score ${score.toFixed(2)} over ${devset.length} examples\n`);
  io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  return 0;
}
