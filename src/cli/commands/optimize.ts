import { CliError } from '../cli-error.js';
import type { CliDeps } from '../cli-deps.js';
import { parseJsonObject } from '../json-input.js';
import { readExamplesFile } from '../jsonl-file.js';
import { withOneshotRuntime, type OneshotOptions } from '../oneshot-runtime.js';
import { createProgress } from '../progress.js';
import { toCliError } from '../runtime-errors.js';
import type { OptimizationRunView } from '../runtime-port.js';

/** Options of `dspex optimize`. */
export interface OptimizeOptions extends OneshotOptions {
  optimizer: string;
  trainset: string;
  valset?: string;
  params?: string;
  inputKeys?: string[];
  /** How often the run record is polled, ms. Default 250. */
  pollMs?: number;
}

const FINAL = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * `dspex optimize <program> --optimizer NAME --trainset FILE`: runs an optimization on an embedded
 * runtime, following its run record with a progress bar (plain lines when not a terminal), then
 * prints the final run (best score, result) as JSON. A failed or cancelled run exits 1.
 */
export async function optimizeCommand(
  deps: CliDeps,
  program: string,
  options: OptimizeOptions,
): Promise<number> {
  const { io } = deps;
  const trainset = readExamplesFile(options.trainset, io.cwd);
  const valset =
    options.valset === undefined ? undefined : readExamplesFile(options.valset, io.cwd);
  const params =
    options.params === undefined ? undefined : parseJsonObject(options.params, '--params');
  const final = await withOneshotRuntime(deps, program, options, async (runtime) => {
    const { runId } = await runtime.optimize(program, {
      optimizer: options.optimizer,
      trainset,
      ...(valset === undefined ? {} : { valset }),
      ...(params === undefined ? {} : { params }),
      ...(options.inputKeys === undefined ? {} : { inputKeys: options.inputKeys }),
    });
    io.stderr.write(`optimization run ${runId} (${options.optimizer}) started\n`);
    const progress = createProgress(`optimize ${program}`, io.stderr, { now: io.now });
    try {
      for (;;) {
        const run: OptimizationRunView | undefined = await runtime.optimizationRun(runId);
        if (run !== undefined) {
          const best = run.bestScore === null ? '' : `best ${run.bestScore.toFixed(2)}`;
          progress.update(run.progress.done, run.progress.total, best);
          if (FINAL.has(run.status)) return { runId, ...run };
        }
        await io.sleep(options.pollMs ?? 250);
      }
    } finally {
      progress.stop();
    }
  });
  io.stdout.write(`${JSON.stringify(final, null, 2)}\n`);
  if (final.status !== 'succeeded') {
    // The run record carries the failure's code: a bad request (unknown optimizer or metric,
    // invalid job) exits 2 like any usage error, anything else 1.
    const code = (final.error as { code?: unknown } | undefined)?.code;
    const mapped = toCliError(Object.assign(new Error('run failed'), { code }));
    throw new CliError(
      mapped.code,
      `optimization run ${final.runId} ${final.status}${errorText(final.error)}`,
      { details: { runId: final.runId } },
    );
  }
  return 0;
}

function errorText(error: unknown): string {
  const message = (error as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? `: ${message}` : '';
}
